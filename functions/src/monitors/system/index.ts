/**
 * The daily system health job (`system`, runSystemHealthCheck). Measures only; the pipeline decides.
 * Each part is an independent check: one failing (a missing index, a read error) is reported as
 * monitor_check_failed and the others still run. Job heartbeats and the escalation of unacknowledged
 * alerts run in the pipeline for every scheduled job, this one included.
 */
import { RULES } from '../../rules';
import { unlessBlind } from '../blind';
import type { Monitor } from '../types';
import { measureBackups } from './backups';
import { measureChannelHealth } from './channels';
import { measureDeploymentConfig } from './configuration';
import { measureErrorVolumes, refreshOpenCriticalErrorAlerts } from './errors';

export const systemMonitor: Monitor = {
  async run(ctx) {
    // Parts whose data is not in the source mapping are off (recorded as skipped with the reason).
    const seeing = new Set(unlessBlind(ctx, ['error_logs_high', 'error_logs_medium', 'critical_errors', 'backup_stale']));
    const errorLogs = seeing.has('error_logs_high') && seeing.has('error_logs_medium') ? await ctx.check('error-logs', () => measureErrorVolumes(ctx)) : null;
    const criticalErrorSources = seeing.has('critical_errors') ? await ctx.check('critical-errors', () => refreshOpenCriticalErrorAlerts(ctx)) : null;
    const backups = seeing.has('backup_stale') ? await ctx.check('backups', () => measureBackups(ctx)) : null;
    const configuration = await ctx.check('configuration', () => measureDeploymentConfig(ctx));
    const channels = await ctx.check('channels', () => measureChannelHealth(ctx));
    // The configuration check also says which rules the source mapping switches off (functions/sources.json).
    const rulesOffByMapping = RULES.flatMap((rule) => {
      const reason = ctx.blind(rule.id);
      return reason ? [{ rule: rule.id, reason }] : [];
    });
    return {
      rulesOffByMapping,
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
