/**
 * What the three "blocked" rules (signup_blocked, booking_blocked, payment_flow_blocked) share: their
 * parameters and the words that say why a run of attempts without a success is a block. The decision
 * itself (learned rate -> threshold) is monitors/functional/blocked.ts; the numbers reach the texts
 * through the observation's details:
 * - `basis`: 'learned' or 'fallback';
 * - `ratePercent`, `chanceEveryDays` (learned): the subject's usual success rate and how many days
 *   apart such a run happens by chance at that rate (null when it cannot be said, Infinity: never);
 * - `historySuccesses`, `historyDays`, `threshold` (fallback): the history found and the fixed count.
 */
import type { Formatter } from './locale';
import type { RuleParamSpec } from './types';

export interface BlockedDefaults {
  windowHours: number;
  maxCount: number;
  fallbackCount: number;
}

/** The parameters of a blocked rule (its threshold is the minimum count). */
export function blockedParams(defaults: BlockedDefaults, attempts: string): Record<string, RuleParamSpec> {
  return {
    windowHours: {
      default: defaults.windowHours,
      min: 1,
      max: 168,
      unit: 'hours',
      description: `${attempts} are counted since the last success of the subject, going back at most this far.`,
    },
    oneChanceIn: {
      default: 1_000_000,
      min: 100,
      max: 1_000_000_000_000,
      unit: 'chances',
      description: `Fires when so many ${attempts.toLowerCase()} without a success have less than 1 chance in this many at the subject's learned success rate (probability level 1/oneChanceIn).`,
    },
    maxCount: {
      default: defaults.maxCount,
      min: 1,
      max: 100_000,
      unit: attempts.toLowerCase(),
      description: 'Cap: fires above this count whatever the learned rate (a rate near zero cannot hide a block).',
    },
    fallbackCount: {
      default: defaults.fallbackCount,
      min: 1,
      max: 100_000,
      unit: attempts.toLowerCase(),
      description: 'Fixed count used while the history is too thin to learn a rate (a new app, a new form): conservative on purpose.',
    },
    historyDays: {
      default: 14,
      min: 1,
      max: 56,
      unit: 'days',
      description: 'History the daily metrics job learns the success rate from (attempts and successes counted per subject, every hour and weekday together).',
    },
    minSuccesses: {
      default: 20,
      min: 1,
      max: 100_000,
      unit: 'successes',
      description: 'Successes the history must hold before its rate is used; below it the fallback count applies.',
    },
  };
}

const num = (details: Record<string, unknown>, name: string): number | null => (typeof details[name] === 'number' ? (details[name] as number) : null);

/** "less than once a year", "about once every 3 weeks", "about 4 times a day". */
export function everyText(days: number, format: Formatter): string {
  const fr = format.locale === 'fr';
  if (days >= 365) return fr ? "moins d'une fois par an" : 'less than once a year';
  if (days >= 60) {
    const n = Math.round(days / 30);
    return fr ? `environ une fois tous les ${format.number(n)} mois` : `about once every ${format.number(n)} months`;
  }
  if (days >= 14) {
    const n = Math.round(days / 7);
    return fr ? `environ une fois toutes les ${format.number(n)} semaines` : `about once every ${format.number(n)} weeks`;
  }
  if (days >= 1.5) {
    const n = Math.round(days);
    return fr ? `environ une fois tous les ${format.number(n)} jours` : `about once every ${format.number(n)} days`;
  }
  if (days >= 0.75) return fr ? 'environ une fois par jour' : 'about once a day';
  const n = Math.max(2, Math.round(1 / Math.max(days, 1e-9)));
  return fr ? `environ ${format.number(n)} fois par jour` : `about ${format.number(n)} times a day`;
}

export interface BlockedWords {
  /** The subject's usual rate, with its value or without: "this form's usual 6.7 % conversion" / "la conversion habituelle de ce formulaire (6,7 %)". */
  usual: (rate: string | null) => string;
  /** "signups", "bookings", "successful payments" / "inscriptions"... (plural, for the fallback). */
  successes: string;
}

/**
 * Why the count is a block, after the count itself: "; at this form's usual 6.7 % conversion that
 * happens less than once a year." or the fallback sentence. A bare "." when the details say neither.
 */
export function blockedReason(details: Record<string, unknown>, format: Formatter, words: BlockedWords): string {
  const fr = format.locale === 'fr';
  if (details.basis === 'learned') {
    const ratePercent = num(details, 'ratePercent');
    if (ratePercent === null) return '.';
    const usual = words.usual(format.percent(Math.round(ratePercent * 10) / 10));
    const every = typeof details.chanceEveryDays === 'number' ? details.chanceEveryDays : details.chanceEveryDays === 'never' ? Infinity : null;
    if (every === null) return fr ? ` (${usual}).` : ` (${usual}).`;
    return fr ? ` ; avec ${usual}, cela arrive ${everyText(every, format)}.` : `; at ${usual} that happens ${everyText(every, format)}.`;
  }
  if (details.basis === 'fallback') {
    const successes = format.number(num(details, 'historySuccesses') ?? 0);
    const days = format.number(num(details, 'historyDays') ?? 0);
    const threshold = format.number(num(details, 'threshold') ?? 0);
    const usual = words.usual(null);
    if (fr)
      return ` ; historique trop court pour connaître ${usual} (${successes} ${words.successes} en ${days} jours) : le seuil fixe prudent de ${threshold} s'applique.`;
    return `; too little history to know ${usual} (${successes} ${words.successes} in ${days} days), so the conservative fixed count of ${threshold} applies.`;
  }
  return '.';
}
