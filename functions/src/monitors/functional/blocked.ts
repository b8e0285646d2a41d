/**
 * "Blocked" rules (signup_blocked, booking_blocked, payment_flow_blocked) judged against the app's
 * own success rate per subject. Pure: no I/O. The daily metrics job learns, per subject, the attempts
 * and successes of the last `historyDays` (monitors/functional/learned.ts); every run of a blocked
 * check turns that learned rate and the rule's settings into the count of attempts without a success
 * above which the subject is blocked (`blockedThreshold`), and the evaluation compares the count
 * since the last success with it, like any threshold.
 *
 * The model: each attempt (page view, search, checkout) succeeds with the learned probability r,
 * independently. A run of n attempts without a success then has probability (1 - r)^n. The rule
 * fires when that probability is below 1 / oneChanceIn. The rate is per attempt, not per hour: quiet
 * nights and weekends bring fewer attempts, not a lower conversion, so they need no separate
 * baseline (an hour with no visitor adds nothing to the run).
 */

/** What the daily job stored for one subject. */
export interface LearnedRate {
  attempts: number;
  successes: number;
  /** Length of the history counted, in days. */
  days: number;
  /** When it was learned (ISO 8601). */
  learnedAt?: string;
}

export interface BlockedSettings {
  /** The rule's threshold: never fires at or below this many attempts (a tiny sample never pages). */
  minCount: number;
  /** Never waits for more than this many attempts (a learned rate near zero cannot hide a block). */
  maxCount: number;
  /** Fires when the run has less than one chance in this many under the learned rate. */
  oneChanceIn: number;
  /** Threshold used when the history is too thin to learn a rate. */
  fallbackCount: number;
  /** Successes the history must hold for its rate to be used. */
  minSuccesses: number;
}

export type BlockedBasis = 'learned' | 'fallback';

export interface BlockedThreshold {
  /** Fires when the attempts since the last success are above this. */
  threshold: number;
  basis: BlockedBasis;
  /** What set the threshold: the probability level, or the minimum / the cap it was clamped to. */
  limitedBy: 'probability' | 'minimum' | 'cap' | 'fallback';
  /** Learned success rate in percent (null without a usable history). */
  ratePercent: number | null;
  /** Learned successes per day (null without a usable history). */
  successesPerDay: number | null;
  /** Successes in the history, and its length: shown when the fallback applies. */
  historySuccesses: number;
  historyDays: number;
}

/** Probability of `attempts` attempts in a row without a success, at success rate `rate` (0-1). */
export function runChance(rate: number, attempts: number): number {
  if (attempts <= 0) return 1;
  if (rate <= 0) return 1;
  if (rate >= 1) return 0;
  return Math.exp(attempts * Math.log1p(-rate));
}

/**
 * Smallest run length whose probability is below `level` at `rate`, or Infinity when no run is
 * (rate 0).
 */
export function improbableRunLength(rate: number, level: number): number {
  if (rate >= 1) return 1;
  if (rate <= 0 || level >= 1) return rate <= 0 ? Infinity : 1;
  // (1 - r)^n < level  <=>  n > ln(level) / ln(1 - r)
  return Math.floor(Math.log(level) / Math.log1p(-rate)) + 1;
}

/** The threshold of one subject: learned when the history is enough, the fallback count otherwise. */
export function blockedThreshold(learned: LearnedRate | null | undefined, settings: BlockedSettings): BlockedThreshold {
  const maxCount = Math.max(settings.minCount, settings.maxCount);
  const historySuccesses = learned && Number.isFinite(learned.successes) ? Math.max(0, learned.successes) : 0;
  const historyDays = learned && Number.isFinite(learned.days) && learned.days > 0 ? learned.days : 0;
  const attempts = learned && Number.isFinite(learned.attempts) ? Math.max(0, learned.attempts) : 0;
  const thin = !learned || historyDays <= 0 || attempts <= 0 || historySuccesses < settings.minSuccesses;
  if (thin) {
    return {
      threshold: Math.max(settings.minCount, settings.fallbackCount),
      basis: 'fallback',
      limitedBy: 'fallback',
      ratePercent: null,
      successesPerDay: null,
      historySuccesses,
      historyDays,
    };
  }
  const rate = Math.min(1, historySuccesses / attempts);
  // Fires when count > threshold, so the threshold is one below the improbable run length.
  const wanted = improbableRunLength(rate, 1 / settings.oneChanceIn) - 1;
  let threshold = wanted;
  let limitedBy: BlockedThreshold['limitedBy'] = 'probability';
  if (wanted < settings.minCount) {
    threshold = settings.minCount;
    limitedBy = 'minimum';
  } else if (wanted > maxCount) {
    threshold = maxCount;
    limitedBy = 'cap';
  }
  return {
    threshold,
    basis: 'learned',
    limitedBy,
    ratePercent: rate * 100,
    successesPerDay: historySuccesses / historyDays,
    historySuccesses,
    historyDays,
  };
}

/**
 * How many days apart runs this long would happen by chance at the learned rate: each success starts
 * a new run, which reaches `attempts` with probability runChance. Null when it cannot be said.
 */
export function chanceIntervalDays(ratePercent: number, successesPerDay: number, attempts: number): number | null {
  const perDay = successesPerDay * runChance(ratePercent / 100, attempts);
  if (!(successesPerDay > 0) || !Number.isFinite(perDay)) return null;
  return perDay > 0 ? 1 / perDay : Infinity;
}
