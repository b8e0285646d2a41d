/**
 * Per-channel escaping of text taken from data (alert titles with their keys, messages built from
 * client-written form names, error codes, vendor and backup error texts, error_logs messages...).
 * The stored alert keeps the raw (bounded) text; every renderer passes what it takes from data through
 * the function of its channel here, at render time. Nothing else in the product escapes.
 *
 * - Slack mrkdwn: `&`, `<`, `>` escaped (no `<!channel>`, `<!here>`, `<@user>`, `<url|label>` can be
 *   planted), control and invisible formatting characters removed, line breaks flattened, bounded.
 *   Links are built only by `slackLink`, from the product's own URLs.
 * - Email: HTML-escaped body text; subject on one line, without control characters, bounded.
 * - SMS: plain text, control characters removed, one line, bounded.
 */

import { bound, plainLine } from '../rules/text';

export { bound, plainLine };

/** Slack mrkdwn: the three characters Slack interprets, escaped as Slack documents. */
export function escapeSlack(text: string): string {
  return text.replace(/[&<>]/g, (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;' })[char]!);
}

/** Data-derived text for a Slack mrkdwn (or plain_text) field: one line, bounded, escaped. */
export function slackText(text: unknown, max = 2_000): string {
  return escapeSlack(plainLine(text, max));
}

/** A link to one of the product's own http(s) URLs; anything else is shown as escaped text. */
export function slackLink(url: string, label: string): string {
  if (!isSafeUrl(url)) return `${escapeSlack(label)}: ${slackText(url, 300)}`;
  return `<${url.replace(/&/g, '&amp;')}|${escapeSlack(label)}>`;
}

/** An absolute http(s) URL without characters that could break out of a link (spaces, quotes, angle brackets, pipes). */
export function isSafeUrl(url: string): boolean {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what this removes
  return /^https?:\/\/[^\s<>|"'`\u0000-\u001f\u007f]+$/.test(url) && url.length <= 500;
}

/** HTML text content or attribute value. */
export function escapeHtml(text: unknown): string {
  return String(text ?? '').replace(/[&<>"']/g, (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char]!);
}

/** Data-derived text for an email body (HTML part): control characters removed, bounded, escaped. */
export function htmlText(text: unknown, max = 5_000): string {
  return escapeHtml(plainLine(text, max));
}

/** Email subject: a single line without control characters (no header injection), bounded. */
export function emailSubject(text: unknown, max = 200): string {
  return plainLine(text, max);
}

/** Plain-text part of an email: each data-derived value on one line, bounded. */
export function emailPlain(text: unknown, max = 5_000): string {
  return plainLine(text, max);
}

/** SMS body: plain text on one line, control characters removed, at most `max` characters. */
export function smsText(text: unknown, max = 160): string {
  return plainLine(text, max);
}

/** Slack text whose escaped form must fit `max` characters (header blocks allow 150). */
export function slackTextWithin(text: unknown, max: number): string {
  let line = plainLine(text, max);
  let escaped = escapeSlack(line);
  while (escaped.length > max && line.length > 0) {
    line = bound(line, Math.min(line.length - 1, Math.floor((line.length * max) / escaped.length)));
    escaped = escapeSlack(line);
  }
  return escaped;
}
