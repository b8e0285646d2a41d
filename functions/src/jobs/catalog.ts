/**
 * The scheduled jobs: name (CLI), exported function name, schedule and what they need. This module is
 * loaded by the entry point: keep it free of SDK imports; monitors are loaded on first run.
 */
import type { defineSecret } from 'firebase-functions/params';
import { FUNCTIONAL_CHECK_SETS } from '../monitors/functional/sets';
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

/** Every scheduled job, in the order the demo runs them. Later domains add their entries here. */
export const JOBS: JobDefinition[] = [
  {
    name: 'functional',
    exportName: 'runFunctionalHealthCheck',
    description:
      'Functional health: signup and booking funnels, per-form error rates, Meta/Google Ads tracking, provider availability, payment flow.',
    schedule: '0 9,18 * * *',
    timeZone: TIME_ZONE,
    // 18:00 -> 09:00 is the longest gap.
    periodMinutes: 15 * 60,
    retryCount: 2,
    timeoutSeconds: 300,
    secrets: [],
    options: [
      {
        name: 'check',
        values: FUNCTIONAL_CHECK_SETS,
        default: 'all',
        description: 'Check set to run: all, the critical checks, or one funnel (signup, booking, tracking, payment)',
      },
    ],
    load: () => import('../monitors/functional').then((m) => m.functionalMonitor),
  },
  {
    name: 'functional-critical',
    exportName: 'runCriticalFunctionalCheck',
    description: 'Critical functional checks (signups or bookings blocked, failing bookings, no bookable provider, payment flow broken).',
    schedule: '0 */4 * * *',
    timeZone: TIME_ZONE,
    periodMinutes: 4 * 60,
    retryCount: 2,
    timeoutSeconds: 180,
    secrets: [],
    load: () => import('../monitors/functional').then((m) => m.criticalFunctionalMonitor),
  },
];

export function findJob(name: string): JobDefinition | undefined {
  return JOBS.find((job) => job.name === name);
}
