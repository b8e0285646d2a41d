/**
 * Exports of what a page shows (CSV for spreadsheets, JSON as received), built without the DOM
 * (tested in functions/test/dashboard.logic.test.ts); pages/common.ts `download` hands the text to the browser.
 */

/** One CSV field (RFC 4180): quoted when needed; a leading =, +, - or @ is defused for spreadsheets. */
export function csvField(value: unknown): string {
  let text = value === null || value === undefined ? '' : typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value);
  if (/^[=+\-@\t\r]/.test(text) && !/^-?\d+(\.\d+)?$/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function toCsv(headers: string[], rows: unknown[][]): string {
  return [headers, ...rows].map((row) => row.map(csvField).join(',')).join('\r\n') + '\r\n';
}

/** A file name safe everywhere: `alerts-2026-11-20T08-00.csv`. */
export function exportName(base: string, at: Date, extension: 'csv' | 'json'): string {
  return `${base.replace(/[^a-z0-9-]+/gi, '-')}-${at.toISOString().slice(0, 16).replace(/:/g, '-')}.${extension}`;
}
