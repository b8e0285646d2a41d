/**
 * Entry point: wires each trigger to its job. Nothing here loads an SDK; each handler imports what
 * it needs when it first runs, so a cold instance only pays for the function being invoked.
 *
 * Scheduled jobs come from `firebase-functions/v2/scheduler`, which is light. The Firestore trigger
 * (`v2/firestore` loads the Firestore SDK) and the admin callables (`v2/https` loads firebase-admin's
 * token verification, ~320 modules) are exported through getters: deployment discovery and the Cloud
 * Functions runtime read exports by name, so only the instance of that function builds it.
 */
// The options subpath: 'firebase-functions/v2' itself loads every provider, Firestore's SDK included.
import { triggerDocument } from './sources';
import { setGlobalOptions } from 'firebase-functions/v2/options';
import { onSchedule, type ScheduledEvent } from 'firebase-functions/v2/scheduler';
import type { AdminCallableName } from './admin';
import { ACK_LINK_SECRET, DASHBOARD_ORIGINS, ENFORCE_APP_CHECK, NOTIFICATION_SECRETS, SENTRY_DSN, serviceAccountOption } from './config/params';
import { REGION } from './config/deployment';
import { findJob } from './jobs/catalog';

export { REGION };
// serviceAccount: the project's default one unless MONITORING_SERVICE_ACCOUNT names a dedicated one (docs/deploy.md).
setGlobalOptions({ region: REGION, maxInstances: 5, serviceAccount: serviceAccountOption });

function scheduledJob(name: string) {
  const job = findJob(name);
  if (!job) throw new Error(`No job named ${name}`);
  return onSchedule(
    {
      schedule: job.schedule,
      timeZone: job.timeZone,
      retryCount: job.retryCount,
      timeoutSeconds: job.timeoutSeconds,
      memory: '512MiB',
      secrets: [...NOTIFICATION_SECRETS, ...job.secrets],
    },
    async (event: ScheduledEvent) => {
      const { runScheduled } = await import('./pipeline/scheduled');
      await runScheduled(name, event);
    },
  );
}

/** Defines an export that is built the first time it is read (and only then). */
function lazyExport<T>(name: string, build: () => T): void {
  let built: T | undefined;
  Object.defineProperty(module.exports, name, {
    enumerable: true,
    get: () => (built ??= build()),
  });
}

// Scheduled jobs (see jobs/catalog.ts for schedules).
export const runPaymentHealthCheck = scheduledJob('payment');
export const collectDailyPaymentMetrics = scheduledJob('metrics');
export const checkServiceBalances = scheduledJob('balances');
export const runFunctionalHealthCheck = scheduledJob('functional');
export const runCriticalFunctionalCheck = scheduledJob('functional-critical');
export const runFastHealthCheck = scheduledJob('fast');
export const runSystemHealthCheck = scheduledJob('system');
export const runMonitoringWatchdog = scheduledJob('watchdog');
export const runMonitoringCleanup = scheduledJob('cleanup');
export const runHttpProbes = scheduledJob('probes');
export const runMessageDeliveryCheck = scheduledJob('delivery');
export const runSourceHealthCheck = scheduledJob('sources');

// Firestore trigger on new error_logs entries: critical ones raise an alert at once.
export declare const onErrorLogCreated: typeof import('./triggers/errorLogs').onErrorLogCreated;
// Declared only when the source mapping has an error log collection (functions/sources.json).
if (triggerDocument('errorLogs', 'logId')) {
  lazyExport('onErrorLogCreated', () => (require('./triggers/errorLogs') as typeof import('./triggers/errorLogs')).onErrorLogCreated);
}

/**
 * Admin API: callable functions for the dashboard (docs/admin-api.md). Access control, input
 * validation and error reporting are in admin/callable.ts; the admin module loads on the first call.
 */
function adminCallable(
  name: AdminCallableName,
  options: { sendsNotifications?: boolean; timeoutSeconds?: number; secrets?: typeof NOTIFICATION_SECRETS } = {},
) {
  const { onCall } = require('firebase-functions/v2/https') as typeof import('firebase-functions/v2/https');
  return onCall(
    {
      timeoutSeconds: options.timeoutSeconds ?? 60,
      cors: DASHBOARD_ORIGINS.param as import('firebase-functions/params').Expression<string[]>, // browsers on the dashboard's origins only
      memory: options.sendsNotifications ? '512MiB' : '256MiB',
      // Checked by Cloud Functions before the handler runs (admin/callable.ts checks the same switch again).
      enforceAppCheck: ENFORCE_APP_CHECK,
      // Only what the call needs: Sentry for every call, the channel secrets where messages are sent.
      secrets: options.sendsNotifications ? [...NOTIFICATION_SECRETS, ...(options.secrets ?? [])] : [SENTRY_DSN.param as (typeof NOTIFICATION_SECRETS)[number]],
    },
    async (request: import('firebase-functions/v2/https').CallableRequest<unknown>) => {
      const { handleAdminCall } = await import('./admin');
      return handleAdminCall(name, request);
    },
  );
}

type AdminCallableFunction = ReturnType<typeof adminCallable>;
export declare const getActiveAlerts: AdminCallableFunction;
export declare const getAlert: AdminCallableFunction;
export declare const acknowledgeAlert: AdminCallableFunction;
export declare const getSystemHealthSummary: AdminCallableFunction;
export declare const getPaymentAlerts: AdminCallableFunction;
export declare const resolvePaymentAlert: AdminCallableFunction;
export declare const getPaymentMetrics: AdminCallableFunction;
export declare const getFunctionalMetrics: AdminCallableFunction;
export declare const getFunctionalAlerts: AdminCallableFunction;
export declare const resolveFunctionalAlert: AdminCallableFunction;
export declare const getFunctionalHealthSummary: AdminCallableFunction;
export declare const triggerFunctionalCheck: AdminCallableFunction;
export declare const getThresholds: AdminCallableFunction;
export declare const updateThresholds: AdminCallableFunction;
export declare const createSilence: AdminCallableFunction;
export declare const listSilences: AdminCallableFunction;
export declare const endSilence: AdminCallableFunction;
export declare const sendTestNotification: AdminCallableFunction;

const ADMIN_EXPORTS: Record<AdminCallableName, Parameters<typeof adminCallable>[1]> = {
  getActiveAlerts: {},
  getAlert: {},
  acknowledgeAlert: {},
  getSystemHealthSummary: {},
  getPaymentAlerts: {},
  resolvePaymentAlert: {},
  getPaymentMetrics: {},
  getFunctionalMetrics: {},
  getFunctionalAlerts: {},
  resolveFunctionalAlert: {},
  getFunctionalHealthSummary: {},
  // Runs the functional job in the call: same timeout and secrets as the scheduled job.
  triggerFunctionalCheck: {
    sendsNotifications: true,
    timeoutSeconds: findJob('functional')?.timeoutSeconds ?? 540,
    secrets: findJob('functional')?.secrets ?? [],
  },
  getThresholds: {},
  updateThresholds: {},
  createSilence: {},
  listSilences: {},
  endSilence: {},
  sendTestNotification: { sendsNotifications: true },
};
for (const [name, options] of Object.entries(ADMIN_EXPORTS)) lazyExport(name, () => adminCallable(name as AdminCallableName, options));

// Acknowledge links of alert messages (ack/http.ts): GET shows the alert, the page's POST acknowledges it.
export declare const acknowledgeFromLink: import('firebase-functions/v2/https').HttpsFunction;
lazyExport('acknowledgeFromLink', () =>
  (require('firebase-functions/v2/https') as typeof import('firebase-functions/v2/https')).onRequest(
    { memory: '256MiB', secrets: [ACK_LINK_SECRET.param as (typeof NOTIFICATION_SECRETS)[number], SENTRY_DSN.param as (typeof NOTIFICATION_SECRETS)[number]] },
    async (req, res) => (await import('./ack/http')).handleAckLink(req, res),
  ),
);
