/**
 * Deployment configuration check: every param and secret the deployment declares (PARAMS in
 * config/params.ts and the secrets of every scheduled job) has a value in this function. Reports
 * "N of M" with the names of the missing ones; values are never read into the observation.
 *
 * The system job binds every job's secrets for this purpose (a function only sees the secrets it
 * binds; see jobs/catalog.ts). Recipient lists count as set when the runtime configuration
 * (monitoring_config/settings) provides them, since it overrides the params.
 */
import { ALERT_EMAIL_TO, ALERT_SMS_TO, PARAMS, paramStatus, type ParamStatus } from '../../config/params';
import { JOBS } from '../../jobs/catalog';
import type { MonitorContext } from '../types';

export interface ConfigurationReport {
  total: number;
  present: number;
  missing: string[];
  disabled: string[];
  /** Unset params whose built-in default applies. */
  defaults: string[];
  /** Params replaced by the runtime configuration. */
  runtime: string[];
}

export function deploymentConfigurationReport(recipients: { emails: string[]; phones: string[] }): ConfigurationReport {
  const declared = new Map<string, string | undefined>();
  for (const entry of PARAMS) declared.set(entry.param.name, entry.defaultValue);
  for (const job of JOBS) for (const secret of job.secrets) if (!declared.has(secret.name)) declared.set(secret.name, undefined);

  const runtimeOverrides = new Map<string, boolean>([
    [ALERT_EMAIL_TO.param.name, recipients.emails.length > 0],
    [ALERT_SMS_TO.param.name, recipients.phones.length > 0],
  ]);
  const report: ConfigurationReport = { total: declared.size, present: 0, missing: [], disabled: [], defaults: [], runtime: [] };
  for (const [name, defaultValue] of declared) {
    let status: ParamStatus | 'runtime' = paramStatus(name, defaultValue);
    if (status === 'missing' && runtimeOverrides.get(name)) status = 'runtime';
    if (status === 'missing') report.missing.push(name);
    else {
      report.present += 1;
      if (status === 'disabled') report.disabled.push(name);
      if (status === 'default') report.defaults.push(name);
      if (status === 'runtime') report.runtime.push(name);
    }
  }
  return report;
}

export async function measureDeploymentConfig(ctx: MonitorContext): Promise<ConfigurationReport> {
  const report = deploymentConfigurationReport(ctx.config.recipients);
  ctx.observe({
    ruleId: 'deployment_config_missing',
    value: report.missing.length,
    details: { ...report },
  });
  return report;
}
