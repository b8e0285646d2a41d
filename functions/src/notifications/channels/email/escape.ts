/** Email escaping of text taken from data: HTML-escaped body text; subject on one line, without control characters, bounded. */
import { dataLine, escapeHtml } from '../../escape';

/** Data-derived text for an email body (HTML part): control characters removed, bounded, escaped. */
export function htmlText(text: unknown, max = 5_000): string {
  return escapeHtml(dataLine(text, max));
}

/** Email subject: a single line without control characters (no header injection), bounded. */
export function emailSubject(text: unknown, max = 200): string {
  return dataLine(text, max);
}

/** Plain-text part of an email: each data-derived value on one line, bounded. */
export function emailPlain(text: unknown, max = 5_000): string {
  return dataLine(text, max);
}
