/**
 * Retention job (`cleanup`, daily). Deletes, oldest rules first:
 * - resolved alerts (payment_alerts, functional_alerts, system_alerts) resolved more than
 *   `retention.resolvedAlertsDays` ago (open alerts are never deleted, however old);
 * - payment_metrics and functional_metrics documents whose `timestamp` is older than
 *   `retention.metricsDays`;
 * - run records (monitoring_runs, by startedAt), delivery records (monitoring_deliveries with their
 *   attempts/{n} subcollection, by createdAt) and trigger claims older than `retention.runRecordsDays`.
 * error_logs are not touched: they expire through the TTL policy on `expireAt` (firestore.indexes.json).
 *
 * Bounded work: deletes go in WriteBatch commits of at most `retention.batchSize` (<= 500) writes; a
 * page is read with a range filter and a limit (deleted documents drop out of the next page, so no
 * cursor is needed). Before each page the job checks its time budget (`retention.timeBudgetSeconds`,
 * under the function's 540 s timeout) and stops early when the next page might not fit: the rest is
 * deleted by the next day's run. A dry run only counts what would be deleted.
 */
import type { DocumentReference, Query, QueryDocumentSnapshot } from 'firebase-admin/firestore';
import { COLLECTIONS } from '../../platform/collections';
import type { RetentionSettings } from '../../config/schema';
import { fs, type Meter } from '../../platform/firestore';
import { ALERT_COLLECTIONS } from '../../rules';
import type { Monitor, MonitorContext } from '../types';

/** Metric collections of the payment and functional domains; documents carry a `timestamp`. */
export const METRIC_COLLECTIONS = ['payment_metrics', 'functional_metrics'] as const;

export interface PurgeTarget {
  /** Label in the run metrics, for example "system_alerts (resolved)". */
  name: string;
  /** Documents to delete, oldest condition first; the purge adds the limit. */
  query: Query;
  /** Delivery records: their attempts subcollection goes with them (no recursive delete here). */
  withAttempts?: boolean;
}

export interface PurgeOptions {
  batchSize: number;
  /** Milliseconds (on `clock`) after which no new page is started. */
  deadlineMs: number;
  clock?: () => number;
  dryRun?: boolean;
}

export interface PurgeReport {
  deleted: Record<string, number>;
  /** Dry run: what would be deleted. */
  wouldDelete: Record<string, number>;
  batches: number;
  writes: number;
  /** False when the time budget stopped the job before everything old was gone. */
  complete: boolean;
  stoppedAt: string | null;
  longestPageMs: number;
}

/** Deletes in WriteBatch commits of at most `size` writes. */
class BatchDeleter {
  private batch;
  private pending = 0;
  batches = 0;
  writes = 0;

  constructor(
    private readonly meter: Meter,
    private readonly size: number,
  ) {
    this.batch = meter.db.batch();
  }

  async delete(ref: DocumentReference): Promise<void> {
    this.batch.delete(ref);
    this.pending += 1;
    if (this.pending >= this.size) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.pending === 0) return;
    await this.batch.commit();
    this.meter.noteWrites(this.pending);
    this.writes += this.pending;
    this.batches += 1;
    this.pending = 0;
    this.batch = this.meter.db.batch();
  }
}

/** Runs the targets in order within the deadline. Exported for tests (an injectable clock). */
export async function purge(meter: Meter, targets: PurgeTarget[], options: PurgeOptions): Promise<PurgeReport> {
  const clock = options.clock ?? Date.now;
  const size = Math.max(1, Math.min(500, Math.floor(options.batchSize)));
  const report: PurgeReport = { deleted: {}, wouldDelete: {}, batches: 0, writes: 0, complete: true, stoppedAt: null, longestPageMs: 0 };
  if (options.dryRun) {
    for (const target of targets) report.wouldDelete[target.name] = await meter.count(target.query);
    return report;
  }
  const deleter = new BatchDeleter(meter, size);
  for (const target of targets) {
    report.deleted[target.name] = 0;
    for (;;) {
      const started = clock();
      // Stop before a page that might not finish in time (estimate: the longest page so far).
      if (started + report.longestPageMs >= options.deadlineMs) {
        report.complete = false;
        report.stoppedAt = target.name;
        break;
      }
      const page: QueryDocumentSnapshot[] = await meter.docs(target.query.limit(size));
      for (const doc of page) {
        if (target.withAttempts) {
          const attempts = await meter.docs(doc.ref.collection('attempts').limit(50));
          for (const attempt of attempts) await deleter.delete(attempt.ref);
        }
        await deleter.delete(doc.ref);
      }
      await deleter.flush();
      report.deleted[target.name] += page.length;
      report.longestPageMs = Math.max(report.longestPageMs, clock() - started);
      if (page.length < size) break;
    }
    if (!report.complete) break;
  }
  report.batches = deleter.batches;
  report.writes = deleter.writes;
  return report;
}

/** What the cleanup job deletes, oldest-first conditions, from the retention settings. */
export function retentionTargets(meter: Meter, now: Date, retention: RetentionSettings): PurgeTarget[] {
  const { Timestamp } = fs();
  const db = meter.db;
  const before = (days: number) => Timestamp.fromMillis(now.getTime() - days * 86_400_000);
  const alertCutoff = before(retention.resolvedAlertsDays);
  const metricCutoff = before(retention.metricsDays);
  const recordCutoff = before(retention.runRecordsDays);
  return [
    ...[...new Set(Object.values(ALERT_COLLECTIONS))].map((collection) => ({
      name: `${collection} (resolved)`,
      query: db.collection(collection).where('resolved', '==', true).where('resolvedAt', '<', alertCutoff),
    })),
    ...METRIC_COLLECTIONS.map((collection) => ({ name: collection, query: db.collection(collection).where('timestamp', '<', metricCutoff) })),
    { name: COLLECTIONS.runs, query: db.collection(COLLECTIONS.runs).where('startedAt', '<', recordCutoff) },
    { name: COLLECTIONS.deliveries, query: db.collection(COLLECTIONS.deliveries).where('createdAt', '<', recordCutoff), withAttempts: true },
    { name: COLLECTIONS.triggerClaims, query: db.collection(COLLECTIONS.triggerClaims).where('createdAt', '<', recordCutoff) },
  ];
}

export async function runCleanup(ctx: MonitorContext): Promise<PurgeReport> {
  const retention = ctx.config.retention;
  const started = Date.now();
  const report = await purge(ctx.db, retentionTargets(ctx.db, ctx.now, retention), {
    batchSize: retention.batchSize,
    deadlineMs: started + retention.timeBudgetSeconds * 1000,
    dryRun: ctx.dryRun,
  });
  if (!report.complete) {
    ctx.log.warn('Cleanup stopped at its time budget; the rest is deleted on the next run', {
      stoppedAt: report.stoppedAt,
      deleted: report.deleted,
      timeBudgetSeconds: retention.timeBudgetSeconds,
    });
  }
  return report;
}

export const cleanupMonitor: Monitor = {
  async run(ctx) {
    const report = await runCleanup(ctx);
    return { ...report };
  },
};
