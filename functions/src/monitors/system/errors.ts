/**
 * error_logs measurements: volumes by severity (daily), and the critical errors of one source over a
 * short window (the trigger, and the refresh of open critical-error alerts). Counts come from
 * aggregation queries: a burst of thousands of entries costs a few billed reads.
 */
import { maskPersonalData, redactSecrets } from '../../platform/mask';
import { ALERT_COLLECTIONS } from '../../rules';
import { SOURCE_MODEL } from '../../sources/model';
import type { MonitorContext } from '../types';

/** The severities of error_logs, by meaning (the app's values come from the mapping). */
export const ERROR_SEVERITIES = Object.keys(SOURCE_MODEL.errorLogs.vocabularies.severity) as Array<
  keyof typeof SOURCE_MODEL.errorLogs.vocabularies.severity & string
>;
export type ErrorSeverity = (typeof ERROR_SEVERITIES)[number];

/** How long error_logs entries are kept (their expireAt is timestamp + this; docs/data-model.md). */
export const ERROR_LOG_RETENTION_DAYS = 30;

export const CRITICAL_ERRORS_RULE = 'critical_errors';

/** Error text shown on an alert: secrets redacted, personal data masked, one line, bounded. */
export function safeExcerpt(value: unknown, max = 200): string | null {
  if (typeof value !== 'string' || value.trim() === '') return null;
  const clean = maskPersonalData(redactSecrets(value)).replace(/\s+/g, ' ').trim();
  return clean.length <= max ? clean : `${clean.slice(0, max - 3)}...`;
}

/** Counts of error_logs entries by severity; high and medium use their rules' windows, the rest 24 h. */
export async function measureErrorVolumes(ctx: MonitorContext): Promise<Record<ErrorSeverity, number>> {
  const logs = ctx.sources.from('errorLogs');
  const windowHours: Record<ErrorSeverity, number> = {
    info: 24,
    low: 24,
    medium: ctx.settings('error_logs_medium').params.windowHours,
    high: ctx.settings('error_logs_high').params.windowHours,
    critical: 24,
  };
  const counts = await Promise.all(
    ERROR_SEVERITIES.map((severity) =>
      ctx.db.count(logs.is('severity', severity).atOrAfter('timestamp', ctx.now.getTime() - windowHours[severity] * 3_600_000).query),
    ),
  );
  const bySeverity = Object.fromEntries(ERROR_SEVERITIES.map((severity, index) => [severity, counts[index]])) as Record<ErrorSeverity, number>;
  const bySeverityText = [...ERROR_SEVERITIES]
    .reverse()
    .map((severity) => `${severity} ${bySeverity[severity]}`)
    .join(', ');
  for (const severity of ['high', 'medium'] as const) {
    ctx.observe({
      ruleId: `error_logs_${severity}`,
      value: bySeverity[severity],
      details: { bySeverity, bySeverityText, windowHours: windowHours[severity] },
    });
  }
  return bySeverity;
}

/**
 * Critical errors from one source within the rule's window (from the evaluation instant on: entries
 * written while the run is under way count too), and the latest one for context.
 */
export async function measureCriticalErrors(ctx: MonitorContext, source: string): Promise<number> {
  const windowMinutes = ctx.settings(CRITICAL_ERRORS_RULE).params.windowMinutes;
  const bySource = ctx.sources.from('errorLogs').is('severity', 'critical').equals('source', source);
  const read = ctx.sources.reader('errorLogs');
  const [count, latestDocs] = await Promise.all([
    ctx.db.count(bySource.atOrAfter('timestamp', ctx.now.getTime() - windowMinutes * 60_000).query),
    ctx.db.docs(bySource.orderBy('timestamp', 'desc').limit(1).query),
  ]);
  const latest = latestDocs[0];
  const latestMs = latest ? read.millis(latest, 'timestamp') : undefined;
  ctx.observe({
    ruleId: CRITICAL_ERRORS_RULE,
    key: source,
    value: count,
    details: {
      source,
      windowMinutes,
      latestMessage: safeExcerpt(latest && read.raw(latest, 'message')),
      latestAt: latestMs === undefined ? null : new Date(latestMs).toISOString(),
      latestCorrelationId: safeExcerpt(latest && read.raw(latest, 'correlationId'), 80),
      countedAt: new Date().toISOString(),
    },
  });
  return count;
}

/** How many open critical-error alerts one run refreshes (one per source). */
export const OPEN_ERROR_ALERTS_LIMIT = 50;

/**
 * Re-measures every open critical-error alert: the count catches up with the end of a burst (the
 * trigger refreshes at most once a minute per source), and the alert resolves once its window holds
 * no critical error. Run by the watchdog (every 15 minutes) and the daily system job.
 */
export async function refreshOpenCriticalErrorAlerts(ctx: MonitorContext): Promise<string[]> {
  const open = await ctx.db.docs(
    ctx.db.db.collection(ALERT_COLLECTIONS.system).where('ruleId', '==', CRITICAL_ERRORS_RULE).where('resolved', '==', false).limit(OPEN_ERROR_ALERTS_LIMIT),
  );
  const sources = [...new Set(open.map((doc) => doc.get('key')).filter((key): key is string => typeof key === 'string'))];
  for (const source of sources) await measureCriticalErrors(ctx, source);
  return sources;
}
