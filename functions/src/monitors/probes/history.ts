/**
 * The bounded history of an endpoint's probe results (monitoring_probes/{endpoint}.recent) and what
 * the rules measure from it. Pure functions: tested as tables.
 */

/** One probe result as stored (short field names: up to `historySize` of them per document). */
export interface StoredResult {
  /** Tick of the run (ms since epoch): a retried run replaces its own result. */
  t: number;
  ok: boolean;
  /** HTTP status, null when no response arrived. */
  status: number | null;
  /** Milliseconds to the response headers; null when no response arrived. */
  ms: number | null;
  /** Why it failed (bounded, quoted), null when ok. */
  error: string | null;
}

/** Adds (or replaces, for the same tick) a result and keeps the newest `size` ones, oldest first. */
export function appendResult(recent: readonly StoredResult[], result: StoredResult, size: number): StoredResult[] {
  const others = recent.filter((entry) => entry.t !== result.t);
  return [...others, result].sort((a, b) => a.t - b.t).slice(-size);
}

/** Failed results since the last success (newest first). */
export function consecutiveFailures(recent: readonly StoredResult[]): number {
  let count = 0;
  for (let index = recent.length - 1; index >= 0 && !recent[index].ok; index -= 1) count += 1;
  return count;
}

/** Nearest-rank percentile of a non-empty list. */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

export interface LatencySummary {
  /** Answered probes in the window. */
  sample: number;
  p95Ms: number | null;
}

/** p95 of the latencies of the answered probes since `sinceMs` (timeouts are down, not slow). */
export function latencySummary(recent: readonly StoredResult[], sinceMs: number): LatencySummary {
  const latencies = recent.filter((entry) => entry.t >= sinceMs && entry.ms !== null).map((entry) => entry.ms as number);
  return { sample: latencies.length, p95Ms: latencies.length ? percentile(latencies, 95) : null };
}

/** Whole days from `nowMs` to `validToMs`, rounded down (negative once expired). */
export function daysLeft(validToMs: number, nowMs: number): number {
  return Math.floor((validToMs - nowMs) / 86_400_000);
}
