/**
 * The scheduled jobs: name (CLI), exported function name, schedule and what they need. This module is
 * loaded by the entry point: keep it free of SDK imports; monitors are loaded on first run.
 */
import type { defineSecret } from 'firebase-functions/params';
import { PAYPAL_CLIENT_SECRET, PROBE_SECRETS, STRIPE_SECRET_KEY, paramStatus, type ParamStatus } from '../config/params';
import { TIME_ZONE } from '../config/deployment';
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
  /** Secrets beyond the notification ones: only those the job's own code reads. */
  secrets: SecretParam[];
  options?: JobOptionSpec[];
  /**
   * Whether each run also checks the other jobs' heartbeats and re-notifies unacknowledged alerts
   * (default true). The fast path (288 runs a day) leaves both to the watchdog, every 15 minutes.
   */
  housekeeping?: boolean;
  /**
   * Whether each run (not a dry run) pings the outside dead man's switch (`externalHeartbeat`, see
   * monitors/system/watchdog.ts) at its start and with its outcome. The watchdog's runs do.
   */
  pingsExternalHeartbeat?: boolean;
  load: () => Promise<Monitor>;
}

/** Every schedule's time zone (config/deployment.ts). */
export { TIME_ZONE };

/**
 * Which of its own secrets (beyond the notification ones) a job's function has, by name: `set`,
 * `disabled` or `missing`, never a value. Each run of a deployed function records it in the job's
 * heartbeat (monitoring_jobs/{job}.secrets), so the system job's configuration check learns about
 * the other jobs' secrets without binding them (least privilege: a function only sees the secrets
 * it binds, and binds only those its own code uses).
 */
export function secretStatuses(job: JobDefinition): Record<string, ParamStatus> {
  return Object.fromEntries(job.secrets.map((secret) => [secret.name, paramStatus(secret.name)]));
}

/** Every scheduled job, in the order the demo runs them. */
export const JOBS: JobDefinition[] = [
  {
    name: 'payment',
    exportName: 'runPaymentHealthCheck',
    description: 'Payments, payouts and call sessions against their thresholds; Stripe, PayPal and Twilio cross-checks.',
    schedule: '0 */4 * * *',
    timeZone: TIME_ZONE,
    periodMinutes: 240,
    retryCount: 2,
    timeoutSeconds: 300,
    secrets: [STRIPE_SECRET_KEY, PAYPAL_CLIENT_SECRET].map((entry) => entry.param as SecretParam),
    load: () => import('../monitors/payment').then((module) => module.paymentMonitor),
  },
  {
    name: 'metrics',
    exportName: 'collectDailyPaymentMetrics',
    description:
      'A payment_metrics snapshot of the last 24 hours for the dashboard charts, and the usual success rates the blocked rules are judged against (monitoring_baselines/blocked).',
    schedule: '30 */6 * * *',
    timeZone: TIME_ZONE,
    periodMinutes: 360,
    retryCount: 2,
    timeoutSeconds: 120,
    secrets: [],
    load: () => import('../monitors/payment/collector').then((module) => module.metricsCollector),
  },
  {
    name: 'balances',
    exportName: 'checkServiceBalances',
    description: 'Twilio account balance and Stripe available balance.',
    schedule: '0 7 * * *',
    timeZone: TIME_ZONE,
    periodMinutes: 1440,
    retryCount: 2,
    timeoutSeconds: 120,
    secrets: [STRIPE_SECRET_KEY].map((entry) => entry.param as SecretParam),
    load: () => import('../monitors/payment/balances').then((module) => module.balancesMonitor),
  },
  {
    name: 'functional',
    exportName: 'runFunctionalHealthCheck',
    description: 'Functional health: signup and booking funnels, per-form error rates, Meta/Google Ads tracking, provider availability, payment flow.',
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
  {
    name: 'fast',
    exportName: 'runFastHealthCheck',
    description:
      'Fast path: the Firestore-only critical and emergency rules (aggregation counts only), every 5 minutes by default (fastPath settings); heartbeats and reminders are left to the watchdog.',
    schedule: '*/5 * * * *',
    timeZone: TIME_ZONE,
    periodMinutes: 5,
    retryCount: 1,
    timeoutSeconds: 120,
    secrets: [],
    housekeeping: false,
    load: () => import('../monitors/fast').then((module) => module.fastMonitor),
  },
  {
    name: 'system',
    exportName: 'runSystemHealthCheck',
    description: 'Daily system health: error-log volumes, backups, deployment params and secrets, notification channels, open critical-error alerts.',
    schedule: '0 8 * * *',
    timeZone: TIME_ZONE,
    periodMinutes: 24 * 60,
    retryCount: 2,
    timeoutSeconds: 300,
    // The configuration check reads the other jobs' secret statuses from their heartbeats.
    secrets: [],
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
    pingsExternalHeartbeat: true,
    load: () => import('../monitors/system/watchdog').then((module) => module.watchdogMonitor),
  },
  {
    name: 'cleanup',
    exportName: 'runMonitoringCleanup',
    description: 'Daily retention: deletes resolved alerts, old metrics and old run/delivery records in bounded batches, resuming the next day if needed.',
    schedule: '30 3 * * *',
    timeZone: TIME_ZONE,
    periodMinutes: 24 * 60,
    retryCount: 1,
    timeoutSeconds: 540,
    secrets: [],
    load: () => import('../monitors/system/cleanup').then((module) => module.cleanupMonitor),
  },
  {
    name: 'probes',
    exportName: 'runHttpProbes',
    description:
      'Every 5 minutes: HTTP probes of the endpoints in probes.endpoints (status, body or JSON condition, latency, TLS certificate expiry), in parallel, each under a timeout.',
    schedule: '*/5 * * * *',
    timeZone: TIME_ZONE,
    // Runs every 5 minutes; one missed tick is tolerated before the heartbeat check pages (1.5 x 10 min).
    periodMinutes: 10,
    // The next tick comes 5 minutes later: a retry would only overlap it.
    retryCount: 0,
    timeoutSeconds: 120,
    secrets: PROBE_SECRETS.map((entry) => entry.param as SecretParam),
    // 288 runs a day like the fast path: heartbeats and reminders are left to the watchdog.
    housekeeping: false,
    load: () => import('../monitors/probes').then((module) => module.probesMonitor),
  },
  {
    name: 'delivery',
    exportName: 'runMessageDeliveryCheck',
    description: "Hourly: delivery rate of the app's SMS (Twilio message list) and bounce/complaint rate of its emails (email_logs).",
    schedule: '10 * * * *',
    timeZone: TIME_ZONE,
    periodMinutes: 60,
    retryCount: 1,
    timeoutSeconds: 120,
    secrets: [],
    load: () => import('../monitors/delivery').then((module) => module.deliveryMonitor),
  },
  {
    name: 'sources',
    exportName: 'runSourceHealthCheck',
    description:
      "Hourly: the app's sources the rules read (functions/sources.json): a source that stopped being written while its history says it normally is, and one source's newest documents sampled in turn (fields missing, unknown status values).",
    schedule: '20 * * * *',
    timeZone: TIME_ZONE,
    periodMinutes: 60,
    retryCount: 1,
    timeoutSeconds: 120,
    secrets: [],
    // Hourly and cheap (at most about 50 reads): heartbeats and reminders are left to the watchdog.
    housekeeping: false,
    load: () => import('../monitors/system/sourceHealth').then((module) => module.sourceHealthMonitor),
  },
];

export function findJob(name: string): JobDefinition | undefined {
  return JOBS.find((job) => job.name === name);
}
