/**
 * Entry point: wires each trigger to its job. Nothing here loads an SDK; each handler imports what
 * it needs when it first runs, so a cold instance only pays for the function being invoked.
 */
// The options subpath: 'firebase-functions/v2' itself loads every provider, Firestore's SDK included.
import { setGlobalOptions } from 'firebase-functions/v2/options';
import { onSchedule, type ScheduledEvent } from 'firebase-functions/v2/scheduler';
import { NOTIFICATION_SECRETS } from './config/params';
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
export const runPaymentHealthCheck = scheduledJob('payment');
export const collectDailyPaymentMetrics = scheduledJob('metrics');
export const checkServiceBalances = scheduledJob('balances');
export const runFunctionalHealthCheck = scheduledJob('functional');
export const runCriticalFunctionalCheck = scheduledJob('functional-critical');
export const runSystemHealthCheck = scheduledJob('system');
export const runMonitoringWatchdog = scheduledJob('watchdog');
export const runMonitoringCleanup = scheduledJob('cleanup');

// Firestore trigger on new error_logs entries (critical ones raise an alert at once). Exported through
// a getter: firebase-functions/v2/firestore loads the Firestore SDK (~80 ms) when imported, which the
// scheduled functions' instances should not pay at cold start. Deployment discovery and the runtime
// read exports by name, so only the trigger's own instance evaluates the getter.
export declare const onErrorLogCreated: typeof import('./triggers/errorLogs').onErrorLogCreated;
Object.defineProperty(module.exports, 'onErrorLogCreated', {
  enumerable: true,
  get: () => (require('./triggers/errorLogs') as typeof import('./triggers/errorLogs')).onErrorLogCreated,
});
