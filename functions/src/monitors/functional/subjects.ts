/**
 * Which forms the form_error_rate check evaluates when there are more forms with errors than the
 * per-run cap (`maxForms`): the ones with the most errors, never the first ones in document or
 * alphabetical order, so that junk form names written by anonymous visitors cannot push a real
 * form out of the run (blinding).
 *
 * With an allowlist of known forms (runtime configuration `forms.allowlist`), exactly those forms are
 * counted (one aggregation per form) and every other name is only counted in bulk: nothing a visitor
 * writes can hide a known form. Without one, candidates are found in two bounded ways and ranked
 * by an aggregation count of their errors:
 *   - distinct names in the window, one document read per name (at most 2 x maxForms names);
 *   - the names of the most recent errors (at most 4 x maxForms documents, capped at 200), which
 *     catches a form with many errors even when more junk names sort before it.
 * Cost per run, worst case: 2m + min(4m, 200) document reads, one count per candidate (at most
 * 2m + min(4m, 200)), two counts per evaluated form and one count of all errors in the window
 * (m = maxForms). docs/security.md gives the figures for the default cap.
 */
import type { SourceQuery } from '../../sources';
import { INVALID_FORM_SUBJECT, isSafeSubject } from '../../config/subjects';
import type { CheckEnv } from './checks';

/** At most this many recent error documents are read to find busy forms. */
export const RECENT_SAMPLE_MAX = 200;

export interface RankedSubjects {
  /** Names to evaluate: the top `max` by errors, then the `always` ones not already in. */
  evaluate: string[];
  /** Valid names seen that were left out. */
  skipped: string[];
}

/**
 * Pure ranking: the `max` names with the most errors (ties by name, for a stable choice), plus every
 * `always` name (open alerts, so they can resolve). Unsafe names never enter.
 */
export function rankSubjects(errorsByName: ReadonlyMap<string, number>, max: number, always: readonly string[] = []): RankedSubjects {
  const ranked = [...errorsByName.entries()].filter(([name]) => isSafeSubject(name)).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const top = ranked.slice(0, max).map(([name]) => name);
  const evaluate = [...top, ...always.filter((name) => isSafeSubject(name) && !top.includes(name))];
  return {
    evaluate,
    skipped: ranked
      .slice(max)
      .map(([name]) => name)
      .filter((name) => !evaluate.includes(name)),
  };
}

export interface FormSubjects {
  evaluate: string[];
  /** Errors per candidate name counted this run (valid names only). */
  errorsByName: Map<string, number>;
  /** All errors in the window (one count). */
  errorsTotal: number;
  /** Names seen that fail the safe pattern, counted together under INVALID_FORM_SUBJECT. */
  invalid: { names: number; errors: number };
  /** Errors of forms outside the allowlist (allowlist mode only). */
  unlisted: number | null;
  /** Set when there were more forms with errors than the cap. */
  capped: { seen: number; seenAtLeast: boolean; evaluated: number; skipped: number; errorsEvaluated: number } | null;
}

/** Finds and ranks the form subjects of one run (see the module comment for the cost). */
export async function chooseFormSubjects(
  env: CheckEnv,
  errorsInWindow: SourceQuery,
  options: { maxForms: number; allowlist: readonly string[]; open: readonly string[] },
): Promise<FormSubjects> {
  const { maxForms, allowlist, open } = options;
  const countErrors = (name: string) => env.count(errorsInWindow.equals('formName', name));
  if (allowlist.length > 0) {
    const names = [...new Set([...allowlist, ...open.filter(isSafeSubject)])];
    const [errorsTotal, ...counts] = await Promise.all([env.count(errorsInWindow), ...names.map(countErrors)]);
    const errorsByName = new Map(names.map((name, index) => [name, counts[index]]));
    const listed = allowlist.reduce((sum, name) => sum + (errorsByName.get(name) ?? 0), 0);
    return { evaluate: names, errorsByName, errorsTotal, invalid: { names: 0, errors: 0 }, unlisted: Math.max(0, errorsTotal - listed), capped: null };
  }

  const recentLimit = Math.min(RECENT_SAMPLE_MAX, 4 * maxForms);
  const [walked, recent, errorsTotal] = await Promise.all([
    env.distinctValues(errorsInWindow, 'formName', 2 * maxForms),
    env.ctx.db.docs(errorsInWindow.orderBy('timestamp', 'desc').limit(recentLimit).select('formName').query),
    env.count(errorsInWindow),
  ]);
  const seen = new Set<string>(walked.values);
  for (const doc of recent) {
    const name = doc.get(errorsInWindow.path('formName'));
    if (typeof name === 'string') seen.add(name);
  }
  const valid = [...seen].filter(isSafeSubject);
  const invalidNames = [...seen].filter((name) => !isSafeSubject(name));
  const [validCounts, invalidCounts] = await Promise.all([Promise.all(valid.map(countErrors)), Promise.all(invalidNames.map(countErrors))]);
  const errorsByName = new Map(valid.map((name, index) => [name, validCounts[index]]));
  const ranked = rankSubjects(errorsByName, maxForms, open);
  const evaluatedSeen = ranked.evaluate.filter((name) => errorsByName.has(name));
  const overCap = valid.length > maxForms || walked.truncated;
  return {
    evaluate: ranked.evaluate,
    errorsByName,
    errorsTotal,
    invalid: { names: invalidNames.length, errors: invalidCounts.reduce((sum, count) => sum + count, 0) },
    unlisted: null,
    capped: overCap
      ? {
          seen: valid.length,
          seenAtLeast: walked.truncated,
          evaluated: evaluatedSeen.length,
          skipped: ranked.skipped.length,
          errorsEvaluated: evaluatedSeen.reduce((sum, name) => sum + (errorsByName.get(name) ?? 0), 0),
        }
      : null,
  };
}

export { INVALID_FORM_SUBJECT };
