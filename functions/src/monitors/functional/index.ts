/**
 * Functional monitoring: signup and booking funnels, form errors, ad tracking, provider availability
 * and the payment flow. One monitor serves both jobs: `functional` runs the set chosen with the
 * `check` option (default all), `functional-critical` always runs the critical set.
 */
import { tickLabel } from '../../platform/collections';
import { fs } from '../../platform/firestore';
import type { Monitor, MonitorContext } from '../types';
import { unlessBlind } from '../blind';
import { CheckEnv, checksFor } from './checks';
import { FUNCTIONAL_COLLECTIONS } from './data';
import { FUNCTIONAL_CHECK_SETS, type FunctionalCheckSet } from './sets';

function isCheckSet(value: string): value is FunctionalCheckSet {
  return (FUNCTIONAL_CHECK_SETS as readonly string[]).includes(value);
}

/** Id of the functional_metrics snapshot: one per job, set and tick, so a retried tick overwrites it. */
export function metricsDocId(job: string, set: FunctionalCheckSet, tickMs: number): string {
  return `${job}-${set}-${tickLabel(tickMs)}`;
}

export async function runFunctionalChecks(ctx: MonitorContext, set: FunctionalCheckSet): Promise<Record<string, unknown>> {
  const env = new CheckEnv(ctx);
  // A check whose rules cannot see their data is off (recorded as skipped with the reason).
  const checks = checksFor(set).filter((check) => unlessBlind(ctx, check.rules).length === check.rules.length);
  const results = await Promise.all(checks.map((check) => ctx.check(check.name, () => check.run(env))));
  const metrics: Record<string, unknown> = {};
  checks.forEach((check, index) => {
    // A failed check (reported as monitor_check_failed) has no figures this run.
    metrics[check.name] = results[index] ?? null;
  });
  const { Timestamp } = fs();
  const longestWindowHours = Math.max(0, ...Object.values(metrics).map((value) => Number((value as { windowHours?: unknown } | null)?.windowHours ?? 0)));
  await ctx.write(FUNCTIONAL_COLLECTIONS.metrics, metricsDocId(ctx.job, set, ctx.tickMs), {
    type: set,
    timestamp: Timestamp.fromDate(ctx.now),
    period: {
      start: Timestamp.fromMillis(ctx.now.getTime() - longestWindowHours * 3_600_000),
      end: Timestamp.fromDate(ctx.now),
      longestWindowHours,
    },
    job: ctx.job,
    runId: ctx.runId,
    checks: checks.map((check) => check.name),
    metrics,
  });
  return { checkSet: set, checks: checks.map((check) => check.name), ...metrics };
}

/** The `functional` job: runs the set named by the `check` option. */
export const functionalMonitor: Monitor = {
  run: (ctx) => {
    const set = ctx.options.check ?? 'all';
    // The pipeline validates job options against the catalogue; this guards direct callers.
    if (!isCheckSet(set)) throw new Error(`Unknown functional check set "${set}": expected one of ${FUNCTIONAL_CHECK_SETS.join(', ')}`);
    return runFunctionalChecks(ctx, set);
  },
};

/** The `functional-critical` job: the checks whose failure blocks signups, bookings or payments. */
export const criticalFunctionalMonitor: Monitor = {
  run: (ctx) => runFunctionalChecks(ctx, 'critical'),
};
