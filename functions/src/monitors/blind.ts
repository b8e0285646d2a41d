/**
 * Rules that cannot see their data (their reads are not in the source mapping) are off: a monitor
 * measures only the rules this returns, and the others are recorded as skipped with the reason, in
 * the run record and the configuration check, instead of counting zero for ever.
 */
import type { MonitorContext } from './types';

export function unlessBlind<T extends string>(ctx: MonitorContext, ruleIds: readonly T[]): T[] {
  const seeing: T[] = [];
  for (const ruleId of ruleIds) {
    const reason = ctx.blind(ruleId);
    if (reason) ctx.skip(ruleId, reason);
    else seeing.push(ruleId);
  }
  return seeing;
}
