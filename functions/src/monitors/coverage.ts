/**
 * Coverage of windowed rules: a rule "more than 3 failures per hour" evaluated every 4 hours must
 * look at every hour of those 4 hours, not only the last one.
 *
 * Windows. A scheduled evaluation at tick T examines the windows of length W that end at
 *   - every step point strictly between the previous covered instant F and T (step points are
 *     multiples of the step since the epoch, so retries and different jobs compute the same windows),
 *   - and T itself (the freshest data; for an unscheduled run this is the only window: the plain
 *     "last W" window of before).
 * A window ending at E counts the events with a timestamp in (E - W, E]. The value of the rule is the
 * worst window (highest for `above` rules, lowest among the windows that reach the rule's minimum
 * sample for `below` rules; the latest one on ties), and the observation names that window.
 *
 * Edge behaviour, exactly: step points are S apart, so every interval of length W - S inside the
 * covered span lies inside one of the examined windows (the one ending at the first step point at or
 * after its end, or at T). A burst lasting at most W - S is therefore counted in full; a longer burst
 * is counted at least over W - S of its length. The worst examined window never exceeds the true
 * sliding maximum over length W. With the default 60-minute windows, S = 5 minutes: any burst that fits
 * in 55 minutes is counted entirely, wherever it falls relative to the step points.
 *
 * Cursor. `monitoring_coverage/cursors` holds, per rule, the instant covered so far (`coveredToMs`) and
 * the span start chosen for the last ticks (`spans`). It is per RULE, shared by every job that
 * evaluates the rule (fast path, payment, functional...): the windows a job already examined are not
 * examined again by the next one, so an incident the fast path opened and resolved is not reopened
 * hours later by the full check. A retried tick (or a second job at the same tick) finds its span
 * in `spans` and examines exactly the same windows. After missed runs, the span goes back at most
 * `coverage.maxLookbackMinutes`. Only scheduled runs read and move the cursor; CLI and admin runs
 * (and dry runs' writes) examine the plain last window and leave it alone. Two runs racing on
 * different ticks can only make the next span overlap the previous one (the cursor is written from
 * what each run read), never leave a gap.
 */
import { fs } from '../platform/firestore';
import type { MonitorContext } from './types';

export const COVERAGE_COLLECTION = 'monitoring_coverage';
export const COVERAGE_DOC = 'cursors';
/** Span starts remembered per rule, for retries of recent ticks. */
export const REMEMBERED_SPANS = 24;
const MINUTE = 60_000;

export interface RuleCursor {
  coveredToMs: number;
  /** [tickMs, fromMs] of the last ticks, oldest first. */
  spans: Array<[number, number]>;
}

/** Step between window ends for a window of `windowMinutes`: W/12 rounded down to 5 min, within 5..60 min. */
export function stepMinutesFor(windowMinutes: number): number {
  return Math.min(60, Math.max(5, Math.floor(windowMinutes / 12 / 5) * 5));
}

export interface WindowPlan {
  /** Start of the covered span (exclusive): windows end after it. Equal to the tick for a plain evaluation. */
  fromMs: number;
  /** Ends of the windows to examine, ascending; the last one is the tick. */
  ends: number[];
  /** Cursor to store, or null to leave it as it is. */
  next: RuleCursor | null;
  /** Why the span is what it is (shown in the details). */
  basis: 'plain' | 'retry' | 'first' | 'since-previous' | 'lookback-capped' | 'later-tick-covered';
}

/**
 * Which windows a run examines. Pure: the tick, the window and step lengths, the stored cursor and
 * the look-back bound decide everything.
 */
export function planWindows(input: {
  tickMs: number;
  windowMinutes: number;
  cursor: RuleCursor | null;
  maxLookbackMinutes: number;
  /** Scheduled runs use and move the cursor; other runs examine the window ending at the tick. */
  scheduled: boolean;
}): WindowPlan {
  const { tickMs, cursor } = input;
  const stepMs = stepMinutesFor(input.windowMinutes) * MINUTE;
  const plain: WindowPlan = { fromMs: tickMs, ends: [tickMs], next: null, basis: 'plain' };
  if (!input.scheduled) return plain;
  const remembered = cursor?.spans.find(([tick]) => tick === tickMs);
  let fromMs: number;
  let basis: WindowPlan['basis'];
  if (remembered) {
    fromMs = remembered[1];
    basis = 'retry';
  } else if (!cursor) {
    fromMs = tickMs;
    basis = 'first';
  } else if (cursor.coveredToMs >= tickMs) {
    // A later tick already covered this instant (a late retry of an old tick): nothing new to cover.
    return { ...plain, basis: 'later-tick-covered' };
  } else {
    const floor = tickMs - input.maxLookbackMinutes * MINUTE;
    fromMs = Math.max(cursor.coveredToMs, floor);
    basis = cursor.coveredToMs < floor ? 'lookback-capped' : 'since-previous';
  }
  const ends: number[] = [];
  for (let end = Math.floor(fromMs / stepMs) * stepMs + stepMs; end < tickMs; end += stepMs) ends.push(end);
  ends.push(tickMs);
  const spans = (cursor?.spans ?? []).filter(([tick]) => tick !== tickMs);
  spans.push([tickMs, fromMs]);
  spans.sort((a, b) => a[0] - b[0]);
  const next: RuleCursor = { coveredToMs: Math.max(cursor?.coveredToMs ?? 0, tickMs), spans: spans.slice(-REMEMBERED_SPANS) };
  return { fromMs, ends, next: remembered ? null : next, basis };
}

export interface WindowMeasure {
  value: number;
  sample?: number;
  details?: Record<string, unknown>;
}

export interface Measured extends WindowMeasure {
  startMs: number;
  endMs: number;
}

/**
 * The worst window: highest value for `above`, lowest for `below`; windows under `minSample` only
 * count for `below` rules when none reaches it (then the window ending at the tick is reported, and the
 * evaluation says the sample is too small). The latest window wins ties.
 */
export function worstOf(measured: readonly Measured[], direction: 'above' | 'below', minSample: number | null): Measured {
  if (measured.length === 0) throw new Error('worstOf: no window measured');
  const eligible = minSample === null ? measured : measured.filter((item) => (item.sample ?? 0) >= minSample);
  if (eligible.length === 0) return measured[measured.length - 1];
  let worst = eligible[0];
  for (const item of eligible.slice(1)) {
    const worse = direction === 'above' ? item.value >= worst.value : item.value <= worst.value;
    if (worse) worst = item;
  }
  return worst;
}

const pad = (value: number) => String(value).padStart(2, '0');
function dayText(date: Date): string {
  return `${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}`;
}
function clockText(date: Date): string {
  return `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}`;
}

/** "2026-12-01 13:05-14:05 UTC" (both dates when the window crosses midnight). */
export function formatWindow(startMs: number, endMs: number): string {
  const start = new Date(startMs);
  const end = new Date(endMs);
  return dayText(start) === dayText(end)
    ? `${dayText(start)} ${clockText(start)}-${clockText(end)} UTC`
    : `${dayText(start)} ${clockText(start)} - ${dayText(end)} ${clockText(end)} UTC`;
}

/** The cursors document, read once per run (lazily, by the first windowed rule). */
const cursorCache = new WeakMap<MonitorContext, Promise<Record<string, RuleCursor>>>();

function isCursor(value: unknown): value is RuleCursor {
  const cursor = value as RuleCursor | null;
  return (
    typeof cursor === 'object' &&
    cursor !== null &&
    typeof cursor.coveredToMs === 'number' &&
    Array.isArray(cursor.spans) &&
    cursor.spans.every((span) => Array.isArray(span) && span.length === 2 && span.every((n) => typeof n === 'number'))
  );
}

function loadCursors(ctx: MonitorContext): Promise<Record<string, RuleCursor>> {
  let pending = cursorCache.get(ctx);
  if (!pending) {
    pending = ctx.db.get(ctx.db.db.collection(COVERAGE_COLLECTION).doc(COVERAGE_DOC)).then((snapshot) => {
      const rules = (snapshot.exists ? snapshot.get('rules') : undefined) as Record<string, unknown> | undefined;
      const cursors: Record<string, RuleCursor> = {};
      for (const [ruleId, value] of Object.entries(rules ?? {})) {
        // Firestore stores nested arrays as maps of arrays: spans are kept as {t, f} pairs.
        const raw = value as { coveredToMs?: unknown; spans?: Array<{ t: number; f: number }> };
        const cursor = { coveredToMs: raw.coveredToMs, spans: (raw.spans ?? []).map((span) => [span?.t, span?.f]) };
        if (isCursor(cursor)) cursors[ruleId] = cursor;
      }
      return cursors;
    });
    cursorCache.set(ctx, pending);
  }
  return pending;
}

async function storeCursor(ctx: MonitorContext, ruleId: string, cursor: RuleCursor): Promise<void> {
  if (ctx.dryRun) return;
  const spans = cursor.spans.map(([t, f]) => ({ t, f }));
  await ctx.db.db
    .collection(COVERAGE_COLLECTION)
    .doc(COVERAGE_DOC)
    .set({ rules: { [ruleId]: { coveredToMs: cursor.coveredToMs, spans } }, updatedAt: fs().Timestamp.fromMillis(Date.now()) }, { merge: true });
  ctx.db.noteWrites(1);
}

export interface SlidingResult extends Measured {
  /** Windows examined this run. */
  windows: number;
  fromMs: number;
  basis: WindowPlan['basis'];
  /** Details to attach to the observation: which window, how many were examined. */
  coverageDetails: Record<string, unknown>;
}

/**
 * Measures every window a run must examine for a rule (one aggregation per window and figure) and
 * returns the worst. `measure(startMs, endMs)` counts over (startMs, endMs].
 */
export async function measureSliding(
  ctx: MonitorContext,
  ruleId: string,
  windowMinutes: number,
  direction: 'above' | 'below',
  measure: (startMs: number, endMs: number) => Promise<WindowMeasure>,
  /** Called once before measuring with the start of the earliest window (a vendor list fetched once). */
  prepare?: (earliestStartMs: number) => Promise<void>,
): Promise<SlidingResult> {
  const scheduled = ctx.scheduled === true;
  const cursors = scheduled ? await loadCursors(ctx) : {};
  const plan = planWindows({
    tickMs: ctx.now.getTime(),
    windowMinutes,
    cursor: cursors[ruleId] ?? null,
    maxLookbackMinutes: ctx.config.coverage.maxLookbackMinutes,
    scheduled,
  });
  const windowMs = windowMinutes * MINUTE;
  if (prepare) await prepare(plan.ends[0] - windowMs);
  const measured = await Promise.all(plan.ends.map(async (endMs) => ({ ...(await measure(endMs - windowMs, endMs)), startMs: endMs - windowMs, endMs })));
  const worst = worstOf(measured, direction, ctx.settings(ruleId).minSample);
  if (plan.next) {
    await storeCursor(ctx, ruleId, plan.next);
    cursors[ruleId] = plan.next;
  }
  return {
    ...worst,
    windows: measured.length,
    fromMs: plan.fromMs,
    basis: plan.basis,
    coverageDetails: {
      worstWindow: formatWindow(worst.startMs, worst.endMs),
      /** End of the worst window: messages show it in the configured time zone. */
      worstWindowEnd: new Date(worst.endMs).toISOString(),
      windowsExamined: measured.length,
      coveredFrom: new Date(plan.fromMs).toISOString(),
    },
  };
}
