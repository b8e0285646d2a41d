/**
 * Plain-text helpers for text taken from data: one line, no control characters, bounded. At the bottom
 * of the imports (rules use them); notifications/escape.ts builds the per-channel escaping on them.
 */

/** C0/C1 controls, bidi overrides and isolates, zero-width characters, line and paragraph separators. */
// eslint-disable-next-line no-control-regex -- control characters are exactly what this removes
export const CONTROL = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g;

/** Cuts a text to `max` characters, ending with an ellipsis when something was cut. */
export function bound(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${text.slice(0, Math.max(0, max - 3)).replace(/[\ud800-\udbff]$/, '')}...`;
}

/** One line of plain text: control characters (line breaks included) become spaces, runs of spaces shrink. */
export function plainLine(text: unknown, max = 3_000): string {
  const value = typeof text === 'string' ? text : text === null || text === undefined ? '' : String(text);
  return bound(value.replace(CONTROL, ' ').replace(/ {2,}/g, ' ').trim(), max);
}
