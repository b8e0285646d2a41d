/**
 * Escaping shared by every channel for text taken from data (alert titles with their keys, messages
 * built from client-written form names, error codes, vendor and backup error texts, error_logs
 * messages...): one plain line without control characters, bounded; HTML escaping; the check that a
 * URL may become a link. The stored alert keeps the raw (bounded) text; every renderer passes what it
 * takes from data through its channel's escaping at render time (notifications/channels/<name>/escape.ts,
 * built on these). Nothing else in the product escapes.
 */

import { bound, plainLine } from '../rules/text';
import { defang } from './defang';

export { bound, plainLine };

/**
 * Data-derived text on one line, its planted links defanged (notifications/defang.ts: no client
 * auto-links `https[://]evil[.]example`), bounded. What every channel's escaping starts from; the
 * product's own links are built beside it, live.
 */
export function dataLine(text: unknown, max: number): string {
  return bound(defang(plainLine(text, max)), max);
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
