/**
 * Deployment configuration check: every param and secret the deployment declares (PARAMS in
 * config/params.ts) has a value. Reports "N of M" with the names of the missing ones; values are
 * never read into the observation.
 *
 * Params (non-secret) reach every function, so this function's environment tells. Secrets do not: a
 * function only sees the secrets it binds, and the system job binds only its own (the notification
 * ones). For the secrets of other jobs (Stripe, PayPal) it reads what those jobs recorded in their
 * heartbeats on their last deployed run (monitoring_jobs/{job}.secrets: names and set/disabled/missing,
 * see jobs/catalog.ts secretStatuses); one that no job has reported yet is listed as `unreported` and
 * not counted. A template value (`your-org/your-repo`) counts as missing. Recipient lists count as set
 * when the runtime configuration (monitoring_config/settings) provides them, since it overrides the params.
 */
import { COLLECTIONS } from '../../platform/collections';
import { ALERT_EMAIL_TO, ALERT_SMS_TO, NOTIFICATION_SECRETS, PARAMS, paramStatus, type ParamStatus } from '../../config/params';
import type { JobDefinition } from '../../jobs/catalog';
import type { MonitorContext } from '../types';
import type { HeartbeatDoc } from './heartbeat';

export interface ConfigurationReport {
  total: number;
  present: number;
  /** Names without a value; a placeholder value is named with ` (placeholder value)`. */
  missing: string[];
  disabled: string[];
  /** Unset params whose built-in default applies. */
  defaults: string[];
  /** Params replaced by the runtime configuration. */
  runtime: string[];
  /** Secrets of other jobs that none of those jobs has reported yet (not counted in total). */
  unreported: string[];
}

/** What the other jobs recorded about their secrets: secret name -> status, from the latest report. */
export type ReportedSecrets = Map<string, { status: string; job: string }>;

export function deploymentConfigurationReport(
  recipients: { emails: string[]; phones: string[] },
  reported: ReportedSecrets = new Map(),
  self = 'system',
  jobs: readonly Pick<JobDefinition, 'name' | 'secrets'>[] = [],
): ConfigurationReport {
  const ownSecrets = new Set([...NOTIFICATION_SECRETS, ...(jobs.find((job) => job.name === self)?.secrets ?? [])].map((secret) => secret.name));
  const runtimeOverrides = new Map<string, boolean>([
    [ALERT_EMAIL_TO.param.name, recipients.emails.length > 0],
    [ALERT_SMS_TO.param.name, recipients.phones.length > 0],
  ]);
  const report: ConfigurationReport = { total: 0, present: 0, missing: [], disabled: [], defaults: [], runtime: [], unreported: [] };
  for (const entry of PARAMS) {
    const name = entry.param.name;
    let status: ParamStatus | 'runtime' | 'unreported';
    if (entry.kind === 'secret' && !ownSecrets.has(name)) status = (reported.get(name)?.status as ParamStatus | undefined) ?? 'unreported';
    else status = paramStatus(name, entry.defaultValue);
    if (status === 'missing' && runtimeOverrides.get(name)) status = 'runtime';
    if (status === 'unreported') {
      report.unreported.push(name);
      continue;
    }
    report.total += 1;
    if (status === 'missing') report.missing.push(name);
    else if (status === 'placeholder') report.missing.push(`${name} (placeholder value)`);
    else {
      report.present += 1;
      if (status === 'disabled') report.disabled.push(name);
      if (status === 'default') report.defaults.push(name);
      if (status === 'runtime') report.runtime.push(name);
    }
  }
  return report;
}

/** The latest secret statuses the other jobs recorded in their heartbeats. */
async function reportedSecrets(ctx: MonitorContext): Promise<ReportedSecrets> {
  const reporters = ctx.jobs.filter((job) => job.name !== ctx.job && job.secrets.length > 0);
  const reported: ReportedSecrets = new Map();
  if (reporters.length === 0) return reported;
  const snapshots = await ctx.db.getAll(reporters.map((job) => ctx.db.db.collection(COLLECTIONS.jobs).doc(job.name)));
  const latest = new Map<string, number>();
  for (const [index, job] of reporters.entries()) {
    const heartbeat = snapshots[index].exists ? (snapshots[index].data() as HeartbeatDoc) : undefined;
    const at = heartbeat?.secretsReportedAt?.toMillis() ?? 0;
    for (const [name, status] of Object.entries(heartbeat?.secrets ?? {})) {
      if (at < (latest.get(name) ?? -1)) continue;
      latest.set(name, at);
      reported.set(name, { status, job: job.name });
    }
  }
  return reported;
}

export async function measureDeploymentConfig(ctx: MonitorContext): Promise<ConfigurationReport> {
  const report = deploymentConfigurationReport(ctx.config.recipients, await reportedSecrets(ctx), ctx.job, ctx.jobs);
  ctx.observe({
    ruleId: 'deployment_config_missing',
    value: report.missing.length,
    details: { ...report },
  });
  return report;
}
