/**
 * Personal data never reaches Slack or SMS in clear: email addresses and phone numbers in alert text
 * are masked, numbers around them never altered. `redactSecrets` (platform/redact.ts) removes secrets.
 */
import { redactText } from './redact';

const EMAIL = /([A-Z0-9._%+-])[A-Z0-9._%+-]*@([A-Z0-9])[A-Z0-9-]*((?:\.[A-Z0-9-]+)*\.[A-Z]{2,})/gi;

/*
 * Phone numbers, in the forms people and apps write them. Each alternative is strict about grouping so
 * that a number next to a phone (a value, a percentage, a count) is never absorbed: a group never
 * ends right before a percent sign or a unit, and numbers of known countries stop at their length.
 * Never matched: decimals, amounts and values with a unit, timestamps (ISO or epoch), ids with letters.
 */
const GROUP_END = String.raw`(?!\w)(?!\s?(?:%|‰|€|\$|£|[A-Z]{3}\b|h\b|min\b|ms\b|s\b|days?\b|[.,]\d))`;
const PHONE_FORMS = [
  // International: +33 6 12 34 56 78, +1 (415) 555-2671, 0044 20 7946 0958, +33612345678.
  String.raw`(?:\+|\b00)\d{1,3}(?:[ .-]?\(?\d{1,4}\)?${GROUP_END})*[ .-]?\(?\d{2,}\)?${GROUP_END}`,
  // North American national: (415) 555-2671, 415-555-2671, 415.555.2671, 415 555 2671, 4155552671.
  String.raw`(?:\([2-9]\d{2}\)\s?|\b[2-9]\d{2}[ .-]?)[2-9]\d{2}[ .-]?\d{4}${GROUP_END}`,
  // French national: 06 12 34 56 78, 06.12.34.56.78, 06-12-34-56-78, 0612345678.
  String.raw`\b0[1-9](?:[ .-]?\d{2}){4}${GROUP_END}`,
  // Country code without a plus sign, no separators: 33612345678, 14155552671, 447911123456.
  String.raw`\b(?:33[1-9]\d{8}|1[2-9]\d{2}[2-9]\d{6}|44[1-9]\d{9}|(?:32|34|41|31|39|49)[1-9]\d{8,9})${GROUP_END}`,
];
/** Not preceded by a letter, digit, decimal point, currency sign or id separator (ids, decimals and amounts stay intact). */
const PHONE = new RegExp(String.raw`(?<![\w.,$€£/#-])(?:${PHONE_FORMS.join('|')})`, 'g');

/** Digits of a full international number for country codes with a fixed length (E.164, without the +). */
const E164_LENGTH: Record<string, number> = { '1': 11, '33': 11, '44': 12, '34': 11, '41': 11, '32': 11, '31': 11, '351': 12 };

/** For a known country code, the match cut back at the group that completes the number (a value after it stays). */
function trimToCountryLength(match: string): string {
  const international = match.startsWith('+') ? match.slice(1) : match.startsWith('00') ? match.slice(2) : null;
  if (international === null) return match;
  const digits = match.replace(/\D/g, '').slice(match.startsWith('00') ? 2 : 0);
  const code = ['1', '33', '44', '34', '41', '32', '31', '351'].filter((prefix) => digits.startsWith(prefix)).sort((a, b) => b.length - a.length)[0];
  const expected = code ? E164_LENGTH[code] : undefined;
  if (!expected || digits.length <= expected) return match;
  let seen = match.startsWith('00') ? -2 : 0;
  for (let index = 0; index < match.length; index += 1) {
    if (/\d/.test(match[index])) seen += 1;
    if (seen === expected) return /\d/.test(match[index + 1] ?? '') ? match : match.slice(0, index + 1);
  }
  return match;
}

export function maskEmail(text: string): string {
  return text.replace(EMAIL, (_match, first: string, domainFirst: string, tld: string) => `${first}***@${domainFirst}***${tld.slice(tld.lastIndexOf('.'))}`);
}

/** Masks every phone number but its last two digits; everything around it is kept character for character. */
export function maskPhone(text: string): string {
  return text.replace(PHONE, (match) => {
    const phone = trimToCountryLength(match);
    const digits = phone.replace(/\D/g, '');
    if (digits.length < 8 || digits.length > 15) return match;
    return `${phone.startsWith('+') ? '+' : ''}${'*'.repeat(digits.length - 2)}${digits.slice(-2)}${match.slice(phone.length)}`;
  });
}

export function maskPersonalData(text: string): string {
  return maskPhone(maskEmail(text));
}

/** Whether a text contains an email address or a phone number (a subject derived from personal data). */
export function containsPersonalData(text: string): boolean {
  return maskPersonalData(text) !== text;
}

/** Replaces every configured secret value, in every encoding, and any credential shape (see platform/redact.ts). */
export function redactSecrets(text: string): string {
  return redactText(text);
}
