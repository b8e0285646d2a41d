import type { Firestore } from 'firebase-admin/firestore';
import { Timestamp } from 'firebase-admin/firestore';
import { handleErrorLogCreated, type ErrorTriggerOutcome } from '../../src/triggers/errorTrigger';
import { daysAgo, hoursAgo, minutesAgo, writeAll, type ScenarioPart } from './types';
import { targetCollection } from './render';

const BURST_SIZE = 500;
const BURST_MINUTES = 3;

/**
 * What the Firestore trigger would do for each new error_logs document (the embedded emulator has no
 * triggers): call the same handler with the document snapshot and its write time. In production the
 * invocations overlap; here they run 50 at a time, in write order.
 */
async function deliverTriggerEvents(db: Firestore, ids: string[], times: Date[]): Promise<ErrorTriggerOutcome[]> {
  const outcomes: ErrorTriggerOutcome[] = [];
  for (let start = 0; start < ids.length; start += 50) {
    const chunk = ids.slice(start, start + 50);
    const snapshots = await db.getAll(...chunk.map((id) => db.collection(targetCollection('error_logs')!).doc(id)));
    outcomes.push(
      ...(await Promise.all(
        snapshots.map((snapshot, index) => handleErrorLogCreated({ id: `demo-${snapshot.id}`, time: times[start + index].toISOString(), data: snapshot })),
      )),
    );
  }
  return outcomes;
}

/** System health: a dead job, a storm of critical errors, an old backup, a broken SMS channel. */
export const systemScenario: ScenarioPart = {
  name: 'system',
  story: [],
  async seed({ db, now }) {
    const story = systemScenario.story;
    story.length = 0;

    // The cleanup job last succeeded three days ago and failed on its last four runs.
    await db
      .collection('monitoring_jobs')
      .doc('cleanup')
      .set({
        job: 'cleanup',
        exportName: 'runMonitoringCleanup',
        periodMinutes: 1440,
        lastRunId: 'cleanup-20261119T023000000Z-demo',
        lastRunAt: Timestamp.fromDate(hoursAgo(now, 5)),
        lastOutcome: 'failed',
        lastError: 'DEADLINE_EXCEEDED: 4 DEADLINE_EXCEEDED: Deadline exceeded after 539.981s',
        lastSuccessAt: Timestamp.fromDate(daysAgo(now, 3)),
        lastFailureAt: Timestamp.fromDate(hoursAgo(now, 5)),
        consecutiveFailures: 4,
      });
    story.push(
      'Heartbeats: cleanup last succeeded 3 days ago and failed its last 4 runs (its own run below succeeds: the next watchdog run resolves its alerts); ' +
        'watchdog never ran yet (a first deploy: watched from now, no page).',
    );

    // The nightly export stopped after a permission change.
    await writeAll(db, 'backup_logs', [
      {
        status: 'success',
        kind: 'firestore-export',
        startedAt: Timestamp.fromDate(hoursAgo(now, 30.5)),
        finishedAt: Timestamp.fromDate(hoursAgo(now, 30)),
        destination: `gs://demo-monitoring-backups/${hoursAgo(now, 30.5).toISOString().slice(0, 10)}`,
      },
      {
        status: 'failed',
        kind: 'firestore-export',
        startedAt: Timestamp.fromDate(hoursAgo(now, 6.5)),
        finishedAt: Timestamp.fromDate(hoursAgo(now, 6)),
        error: 'PERMISSION_DENIED: The caller does not have permission (datastore.databases.export)',
      },
    ]);
    story.push('Backups: last successful export 30 h ago; the attempt 6 h ago failed on a permission error.');

    // Three SMS abandoned after five attempts each: the Twilio token was rotated.
    await writeAll(
      db,
      'monitoring_deliveries',
      [9, 7, 2].map((hours, index) => ({
        id: `demo-old-sms-${index}`,
        deliveryId: `demo-old-sms-${index}`,
        alertId: `payment-demo-${index}`,
        alertCollection: 'payment_alerts',
        ruleId: 'demo',
        event: 'opened',
        channel: 'sms',
        severity: 'emergency',
        status: 'dead',
        attempts: 5,
        createdAt: Timestamp.fromDate(hoursAgo(now, hours)),
        nextAttemptAt: Timestamp.fromDate(hoursAgo(now, hours - 1)),
        runId: 'demo',
        lastError: 'Authenticate (Twilio error 20003)',
        sentAt: null,
        sentTo: [],
      })),
    );
    story.push('SMS channel: the last 3 messages were abandoned after 5 attempts each (Twilio rejected the credentials).');

    // A storm of identical critical errors from the checkout API over the last three minutes.
    const ids: string[] = [];
    const times: Date[] = [];
    const docs = Array.from({ length: BURST_SIZE }, (_, index) => {
      const at = new Date(minutesAgo(now, BURST_MINUTES).getTime() + Math.floor((index * BURST_MINUTES * 60_000) / BURST_SIZE));
      const id = `demo-err-${String(index).padStart(4, '0')}`;
      ids.push(id);
      times.push(at);
      return {
        id,
        timestamp: Timestamp.fromDate(at),
        expireAt: Timestamp.fromMillis(at.getTime() + 30 * 86_400_000),
        severity: 'critical',
        source: 'checkout-api',
        message: 'Payment intent creation failed: Stripe API key expired',
        correlationId: `req-${index}`,
      };
    });
    await writeAll(db, 'error_logs', docs);
    const started = Date.now();
    const outcomes = await deliverTriggerEvents(db, ids, times);
    const evaluated = outcomes.filter((outcome) => outcome.outcome === 'evaluated').length;
    const reads = outcomes.reduce((sum, outcome) => sum + outcome.reads, 0);
    const writes = outcomes.reduce((sum, outcome) => sum + outcome.writes, 0);
    story.push(
      `Errors: ${BURST_SIZE} identical critical errors from checkout-api in ${BURST_MINUTES} min, each handled by the error_logs trigger: ` +
        `${evaluated} evaluations (one per minute), ${outcomes.length - evaluated} grouped, ~${reads} billed reads and ${writes} writes in total, ${Date.now() - started} ms.`,
    );
  },
};
