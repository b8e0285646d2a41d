/**
 * The scheduled jobs: name (CLI), exported function name, schedule and what they need. This module is
 * loaded by the entry point: keep it free of SDK imports; monitors are loaded on first run.
 */
import type { defineSecret } from 'firebase-functions/params';
import type { Monitor } from '../monitors/types';

type SecretParam = ReturnType<typeof defineSecret>;

export interface JobOptionSpec {
  name: string;
  values: readonly string[];
  default: string;
  description: string;
}

export interface JobDefinition {
  /** Name used by the CLI and in run records. */
  name: string;
  /** Name of the exported Cloud Function. */
  exportName: string;
  description: string;
  /** Cloud Scheduler expression, evaluated in `timeZone`. */
  schedule: string;
  timeZone: string;
  /** Longest normal gap between two runs, in minutes (the heartbeat check allows 1.5x this). */
  periodMinutes: number;
  /** Cloud Scheduler retries for a failed run (runs are idempotent per tick). */
  retryCount: number;
  timeoutSeconds: number;
  /** Secrets beyond the notification ones. */
  secrets: SecretParam[];
  options?: JobOptionSpec[];
  load: () => Promise<Monitor>;
}

export const TIME_ZONE = 'Europe/Paris';

/**
 * Secrets of every other job. The system job binds them all so that its configuration check can tell
 * whether each one has a value (it never reads them into alerts or logs): a function only sees the
 * secrets it binds.
 */
function secretsOfOtherJobs(self: string): SecretParam[] {
  const byName = new Map<string, SecretParam>();
  for (const job of JOBS) {
    if (job.name === self) continue;
    for (const secret of job.secrets) byName.set(secret.name, secret);
  }
  return [...byName.values()];
}

/** Every scheduled job, in the order the demo runs them. Later domains add their entries here. */
export const JOBS: JobDefinition[] = [
  {
    name: 'system',
    exportName: 'runSystemHealthCheck',
    description:
      'Daily system health: error-log volumes, backups, deployment params and secrets, notification channels, open critical-error alerts.',
    schedule: '0 8 * * *',
    timeZone: TIME_ZONE,
    periodMinutes: 24 * 60,
    retryCount: 2,
    timeoutSeconds: 300,
    get secrets() {
      return secretsOfOtherJobs('system');
    },
    load: () => import('../monitors/system').then((module) => module.systemMonitor),
  },
  {
    name: 'watchdog',
    exportName: 'runMonitoringWatchdog',
    description:
      'Every 15 minutes: job heartbeats, escalation of unacknowledged alerts, notification retries, critical-error alert refresh and resolution, channel health.',
    schedule: '*/15 * * * *',
    timeZone: TIME_ZONE,
    periodMinutes: 15,
    retryCount: 1,
    timeoutSeconds: 120,
    secrets: [],
    load: () => import('../monitors/system/watchdog').then((module) => module.watchdogMonitor),
  },
  {
    name: 'cleanup',
    exportName: 'runMonitoringCleanup',
    description:
      'Daily retention: deletes resolved alerts, old metrics and old run/delivery records in bounded batches, resuming the next day if needed.',
    schedule: '30 3 * * *',
    timeZone: TIME_ZONE,
    periodMinutes: 24 * 60,
    retryCount: 1,
    timeoutSeconds: 540,
    secrets: [],
    load: () => import('../monitors/system/cleanup').then((module) => module.cleanupMonitor),
  },
];

export function findJob(name: string): JobDefinition | undefined {
  return JOBS.find((job) => job.name === name);
}
