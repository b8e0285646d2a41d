/**
 * The fast path (job `fast`, fired every 5 minutes): the rules flagged `fastPath` in their definition
 * (Firestore-only critical and emergency rules, measured with aggregation queries), through the same
 * measurement code and alert state ids as the payment and functional jobs. A condition the fast path
 * sees first and the full check sees later is one alert and one message per channel: the engine keys
 * alerts by (rule, subject) and applies each tick once, and windowed rules share one coverage cursor per
 * rule (monitors/coverage.ts), so the full check does not re-examine windows the fast path examined.
 *
 * `fastPath.everyMinutes` (runtime configuration) thins the evaluations: a scheduled run evaluates only
 * on ticks that are a multiple of it; `fastPath.enabled: false` turns it off. Either way the run is
 * recorded (the heartbeat of the job stays fresh).
 */
import { RULES, type RuleDefinition } from '../rules';
import { CheckEnv, FUNCTIONAL_CHECKS, type FunctionalCheck } from './functional/checks';
import { measurePaymentHealth, PAYMENT_DATA_RULES } from './payment/data';
import type { Monitor, MonitorContext } from './types';

export const FAST_PATH_RULES: readonly RuleDefinition[] = RULES.filter((rule) => rule.fastPath === true);
const FAST_IDS = new Set(FAST_PATH_RULES.map((rule) => rule.id));

/** Payment data rules on the fast path. */
export const FAST_PAYMENT_RULES: readonly string[] = PAYMENT_DATA_RULES.filter((id) => FAST_IDS.has(id));
/** Functional checks on the fast path: those that evaluate rules, every one of them on it (a figures-only check is not). */
export const FAST_FUNCTIONAL_CHECKS: readonly FunctionalCheck[] = FUNCTIONAL_CHECKS.filter(
  (check) => check.rules.length > 0 && check.rules.every((id) => FAST_IDS.has(id)),
);

/** Rules flagged fastPath that no fast measurement covers: must be empty (tested). */
export function unmeasuredFastRules(): string[] {
  const measured = new Set([...FAST_PAYMENT_RULES, ...FAST_FUNCTIONAL_CHECKS.flatMap((check) => check.rules)]);
  return FAST_PATH_RULES.map((rule) => rule.id).filter((id) => !measured.has(id));
}

/** Why a run of the fast path evaluates nothing, or null when it evaluates. Pure. */
export function fastPathSkipReason(settings: { enabled: boolean; everyMinutes: number }, tickMs: number, scheduled: boolean): string | null {
  if (!settings.enabled) return 'fastPath.enabled is false';
  if (!scheduled) return null;
  const minute = Math.round(tickMs / 60_000);
  if (minute % settings.everyMinutes !== 0) return `tick is not a multiple of fastPath.everyMinutes (${settings.everyMinutes})`;
  return null;
}

/** Key of the fast path's one `monitor_check_failed` subject (one state read per run instead of one per check). */
export const FAST_CHECKS_KEY = 'fast/checks';

export const fastMonitor: Monitor = {
  async run(ctx: MonitorContext) {
    const skip = fastPathSkipReason(ctx.config.fastPath, ctx.tickMs, ctx.scheduled === true);
    if (skip) {
      ctx.skip('fast-path', skip);
      return { evaluated: false, reason: skip };
    }
    // Figures that only feed the metrics snapshots are not counted here (the full checks do).
    const env = new CheckEnv(ctx, { lean: true });
    const failures: string[] = [];
    const isolated = async <T>(name: string, work: () => Promise<T>): Promise<T | null> => {
      try {
        return await work();
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        ctx.log.warn('Fast-path check failed, the others carry on', { check: name, error: message });
        failures.push(`${name}: ${message}`);
        return null;
      }
    };
    const [payment, ...functional] = await Promise.all([
      isolated('payment-data', () => measurePaymentHealth(ctx, new Set(FAST_PAYMENT_RULES))),
      ...FAST_FUNCTIONAL_CHECKS.map((check) => isolated(check.name, () => check.run(env))),
    ]);
    // Every check isolated, one subject for all of them: the alert names the failed checks.
    ctx.observe({
      ruleId: 'monitor_check_failed',
      key: FAST_CHECKS_KEY,
      value: failures.length ? 1 : 0,
      details: failures.length ? { error: failures.join('; ').slice(0, 500) } : {},
    });
    const metrics: Record<string, unknown> = { evaluated: true, rules: FAST_PATH_RULES.map((rule) => rule.id), payment, failedChecks: failures.length };
    FAST_FUNCTIONAL_CHECKS.forEach((check, index) => {
      metrics[check.name] = functional[index];
    });
    return metrics;
  },
};
