/**
 * Personal data never reaches Slack or SMS in clear: email addresses and phone numbers in alert text
 * are masked. Also redacts secret values from error text before it is stored or sent.
 */
import { PARAMS, readParam } from '../config/params';

const EMAIL = /([A-Z0-9._%+-])[A-Z0-9._%+-]*@([A-Z0-9])[A-Z0-9-]*((?:\.[A-Z0-9-]+)*\.[A-Z]{2,})/gi;
/** International numbers (+33..., 0033...) and French-style national numbers (06 12 34 56 78). */
const PHONE = /(?:\+|\b00)\d[\d .()-]{6,}\d|\b0\d(?:[ .-]?\d{2}){4}\b/g;

export function maskEmail(text: string): string {
  return text.replace(EMAIL, (_match, first: string, domainFirst: string, tld: string) => `${first}***@${domainFirst}***${tld.slice(tld.lastIndexOf('.'))}`);
}

export function maskPhone(text: string): string {
  return text.replace(PHONE, (match) => {
    const digits = match.replace(/\D/g, '');
    if (digits.length < 8) return match;
    return `${match.startsWith('+') ? '+' : ''}${'*'.repeat(digits.length - 2)}${digits.slice(-2)}`;
  });
}

export function maskPersonalData(text: string): string {
  return maskPhone(maskEmail(text));
}

/** Replaces every configured secret value (and URL credentials) in a text. */
export function redactSecrets(text: string): string {
  let result = text.replace(/(\/\/)[^/@\s:]+:[^/@\s]+@/g, '$1[redacted]@');
  for (const entry of PARAMS) {
    if (entry.kind !== 'secret') continue;
    const value = readParam(entry);
    if (value && value.length >= 6) result = result.split(value).join('[redacted]');
  }
  return result;
}
