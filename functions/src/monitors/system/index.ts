/**
 * The daily system health job (`system`, runSystemHealthCheck). Measures only; the pipeline decides.
 * Each part is an independent check: one failing (a missing index, a read error) is reported as
 * monitor_check_failed and the others still run. Job heartbeats and the escalation of unacknowledged
 * alerts run in the pipeline for every scheduled job, this one included.
 */
import type { Monitor } from '../types';
import { measureBackups } from './backups';
import { measureChannelHealth } from './channels';
import { measureDeploymentConfig } from './configuration';
import { measureErrorVolumes, refreshOpenCriticalErrorAlerts } from './errors';

export const systemMonitor: Monitor = {
  async run(ctx) {
    const errorLogs = await ctx.check('error-logs', () => measureErrorVolumes(ctx));
    const criticalErrorSources = await ctx.check('critical-errors', () => refreshOpenCriticalErrorAlerts(ctx));
    const backups = await ctx.check('backups', () => measureBackups(ctx));
    const configuration = await ctx.check('configuration', () => measureDeploymentConfig(ctx));
    const channels = await ctx.check('channels', () => measureChannelHealth(ctx));
    return {
      errorLogs,
      criticalErrorSources,
      backups,
      configuration: configuration && {
        present: configuration.present,
        total: configuration.total,
        missing: configuration.missing,
        disabled: configuration.disabled,
      },
      channels,
    };
  },
};
