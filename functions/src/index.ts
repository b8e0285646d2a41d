/**
 * Entry point: wires each trigger to its job. Nothing here loads an SDK; each handler imports what
 * it needs when it first runs, so a cold instance only pays for the function being invoked.
 */
import { setGlobalOptions } from 'firebase-functions/v2';
import { onCall, type CallableRequest } from 'firebase-functions/v2/https';
import { onSchedule, type ScheduledEvent } from 'firebase-functions/v2/scheduler';
import type { AdminCallableName } from './admin';
import { NOTIFICATION_SECRETS, SENTRY_DSN } from './config/params';
import { findJob } from './jobs/catalog';

export const REGION = 'europe-west1';
setGlobalOptions({ region: REGION, maxInstances: 5 });

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

// Scheduled jobs (see jobs/catalog.ts for schedules).
export const runFunctionalHealthCheck = scheduledJob('functional');
export const runCriticalFunctionalCheck = scheduledJob('functional-critical');

/**
 * Admin API (callable functions for the dashboard; see docs/admin-api.md). Access control, input
 * validation and error reporting are in admin/callable.ts; the module loads on the first call.
 */
function adminCallable(name: AdminCallableName, options: { sendsNotifications?: boolean; timeoutSeconds?: number; secrets?: typeof NOTIFICATION_SECRETS } = {}) {
  return onCall(
    {
      timeoutSeconds: options.timeoutSeconds ?? 60,
      memory: options.sendsNotifications ? '512MiB' : '256MiB',
      // Only what the call needs: Sentry for every call, the channel secrets where messages are sent.
      secrets: options.sendsNotifications ? [...NOTIFICATION_SECRETS, ...(options.secrets ?? [])] : [SENTRY_DSN.param as (typeof NOTIFICATION_SECRETS)[number]],
    },
    async (request: CallableRequest<unknown>) => {
      const { handleAdminCall } = await import('./admin');
      return handleAdminCall(name, request);
    },
  );
}

const functionalJob = findJob('functional');

export const getActiveAlerts = adminCallable('getActiveAlerts');
export const acknowledgeAlert = adminCallable('acknowledgeAlert');
export const getSystemHealthSummary = adminCallable('getSystemHealthSummary');
export const getPaymentAlerts = adminCallable('getPaymentAlerts');
export const resolvePaymentAlert = adminCallable('resolvePaymentAlert');
export const getPaymentMetrics = adminCallable('getPaymentMetrics');
export const getFunctionalAlerts = adminCallable('getFunctionalAlerts');
export const resolveFunctionalAlert = adminCallable('resolveFunctionalAlert');
export const getFunctionalHealthSummary = adminCallable('getFunctionalHealthSummary');
// Runs the functional job in the call: same timeout and secrets as the scheduled job.
export const triggerFunctionalCheck = adminCallable('triggerFunctionalCheck', {
  sendsNotifications: true,
  timeoutSeconds: functionalJob?.timeoutSeconds ?? 540,
  secrets: functionalJob?.secrets ?? [],
});
export const getThresholds = adminCallable('getThresholds');
export const updateThresholds = adminCallable('updateThresholds');
export const createSilence = adminCallable('createSilence');
export const listSilences = adminCallable('listSilences');
export const endSilence = adminCallable('endSilence');
export const sendTestNotification = adminCallable('sendTestNotification', { sendsNotifications: true });
