/**
 * The learned success rates of the blocked rules (monitors/functional/blocked.ts): written by the
 * metrics job (every 6 hours) to one document, read once per run by the blocked checks. Learning is
 * two aggregation counts per subject over the rule's `historyDays` (attempts and successes); the
 * fast path never recomputes them. Which documents are attempts and successes is each check's
 * `history` function (monitors/functional/checks.ts), next to the query it counts since the last
 * success, so the app-data vocabulary stays in one place per rule.
 */
import type { MonitorContext } from '../types';
import type { LearnedRate } from './blocked';
import type { CheckEnv } from './checks';

export const BASELINES_COLLECTION = 'monitoring_baselines';
export const BLOCKED_RATES_DOC = 'blocked';

/** Subject key of an unkeyed rule in the stored map. */
export const NO_KEY = '-';

/** What the stored document holds: rule id -> subject key -> learned rate. */
export type LearnedRates = Record<string, Record<string, LearnedRate>>;

/** A history function: attempts and successes per subject in [start, end). */
export type HistoryCounter = (env: CheckEnv, startMs: number, endMs: number) => Promise<Record<string, { attempts: number; successes: number }>>;

function isRate(value: unknown): value is LearnedRate {
  const rate = value as LearnedRate | null;
  return (
    typeof rate === 'object' &&
    rate !== null &&
    Number.isFinite(rate.attempts) &&
    Number.isFinite(rate.successes) &&
    Number.isFinite(rate.days) &&
    rate.attempts >= 0 &&
    rate.successes >= 0 &&
    rate.days > 0
  );
}

/** Pure: the valid part of a stored document (anything malformed is left out: that subject falls back). */
export function parseLearnedRates(data: unknown): LearnedRates {
  const out: LearnedRates = {};
  const rules = (data as { rules?: unknown } | null)?.rules;
  if (typeof rules !== 'object' || rules === null) return out;
  for (const [ruleId, subjects] of Object.entries(rules as Record<string, unknown>)) {
    if (typeof subjects !== 'object' || subjects === null) continue;
    for (const [key, rate] of Object.entries(subjects as Record<string, unknown>)) {
      if (!isRate(rate)) continue;
      (out[ruleId] ??= {})[key] = { attempts: rate.attempts, successes: rate.successes, days: rate.days, learnedAt: rate.learnedAt };
    }
  }
  return out;
}

/** One document read. */
export async function readLearnedRates(ctx: MonitorContext): Promise<LearnedRates> {
  const snapshot = await ctx.db.get(ctx.db.db.collection(BASELINES_COLLECTION).doc(BLOCKED_RATES_DOC));
  return snapshot.exists ? parseLearnedRates(snapshot.data()) : {};
}

/**
 * Learns every blocked rule's rates (`counters`: rule id -> history function) and stores them. Each
 * rule's history ends at the evaluation instant and spans its `historyDays`.
 */
export async function learnBlockedRates(env: CheckEnv, counters: Record<string, HistoryCounter>): Promise<LearnedRates> {
  const { ctx } = env;
  const endMs = ctx.now.getTime();
  const learnedAt = ctx.now.toISOString();
  const rules: LearnedRates = {};
  await Promise.all(
    Object.entries(counters).map(async ([ruleId, count]) => {
      const days = ctx.settings(ruleId).params.historyDays;
      const subjects = await count(env, endMs - days * 86_400_000, endMs);
      rules[ruleId] = Object.fromEntries(Object.entries(subjects).map(([key, figures]) => [key, { ...figures, days, learnedAt }]));
    }),
  );
  await ctx.write(BASELINES_COLLECTION, BLOCKED_RATES_DOC, { learnedAt: ctx.now, job: ctx.job, runId: ctx.runId, rules });
  return rules;
}
