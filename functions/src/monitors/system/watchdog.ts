/**
 * The watchdog job (`watchdog`, every 15 minutes): the cheap, time-sensitive part of system health.
 * Its own checks are channel health and the refresh (and resolution) of open critical-error alerts;
 * being a scheduled job run, it also checks every other job's heartbeat, re-notifies unacknowledged
 * alerts past their delay and retries due notifications (pipeline/run.ts). Without it those would
 * only happen when some other job happens to run.
 */
import type { Monitor } from '../types';
import { measureChannelHealth } from './channels';
import { refreshOpenCriticalErrorAlerts } from './errors';

export const watchdogMonitor: Monitor = {
  async run(ctx) {
    const criticalErrorSources = await ctx.check('critical-errors', () => refreshOpenCriticalErrorAlerts(ctx));
    const channels = await ctx.check('channels', () => measureChannelHealth(ctx));
    return { criticalErrorSources, channels };
  },
};
