/**
 * What a loaded list or summary can say about itself, decided without the DOM (tested as tables in
 * functions/test/dashboard.state.test.ts). The rule of the dashboard: an empty list reads as "nothing
 * is wrong" only when it was loaded, without error, recently; anything else says what is not known.
 */

export type Freshness = 'loading' | 'failed' | 'stale' | 'fresh';

export interface LoadFacts {
  /** A value has been received at least once. */
  hasValue: boolean;
  /** The last call failed (whatever was received before is kept and shown as stale). */
  failed: boolean;
  /** Epoch ms of the last successful answer, or null. */
  at: number | null;
  now: number;
  /** A value older than this is stale even without error (the refresh stopped, the tab slept). */
  maxAgeMs: number;
}

export function freshness(facts: LoadFacts): Freshness {
  if (!facts.hasValue) return facts.failed ? 'failed' : 'loading';
  if (facts.failed) return 'stale';
  if (facts.at === null || facts.now - facts.at > facts.maxAgeMs) return 'stale';
  return 'fresh';
}

/** What the heading's count shows: the number only when the list is known (fresh or stale with a marker). */
export function countLabel(state: Freshness, count: number): string {
  if (state === 'loading') return '…';
  if (state === 'failed') return '?';
  return String(count);
}

/** May the page say "no open alert"? Only with a fresh, successfully loaded, empty list. */
export function mayShowAllClear(state: Freshness, count: number): boolean {
  return state === 'fresh' && count === 0;
}

/** The tab title: open emergencies (and criticals) first, so a background tab tells them. */
export function tabTitle(base: string, counts: { emergency: number; critical: number } | null, labels: { emergency: string; critical: string }): string {
  if (!counts) return base;
  const parts: string[] = [];
  if (counts.emergency > 0) parts.push(`${counts.emergency} ${labels.emergency}`);
  if (counts.critical > 0) parts.push(`${counts.critical} ${labels.critical}`);
  return parts.length ? `(${parts.join(', ')}) ${base}` : base;
}

/** Error codes of the Web SDK that mean "the server could not be reached or failed", not a refusal. */
const TRANSPORT = new Set(['internal', 'unavailable', 'deadline-exceeded', 'unknown', 'cancelled']);

export function isTransportError(code: string): boolean {
  return TRANSPORT.has(code);
}

/**
 * The message to show for a failed call. The Web SDK's message for a network failure or an HTTP 5xx
 * is just the code ("internal"), with its HTTP status in brackets: that alone explains nothing.
 */
export function errorText(code: string, message: string, transportText: string): string {
  const clean = message.replace(/\s*\[\d+\]\s*$/, '').trim();
  if (isTransportError(code) && (clean === '' || clean.toLowerCase() === code)) return `${transportText} (${code})`;
  return clean || code;
}
