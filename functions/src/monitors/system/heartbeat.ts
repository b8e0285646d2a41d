/**
 * Dead man's switch. Every scheduled job records a heartbeat at the end of each run
 * (monitoring_jobs/{job}: lastSuccessAt, consecutiveFailures...; see pipeline/run.ts). On each of its
 * runs, every scheduled job measures the heartbeats of the OTHER scheduled jobs:
 * - job_not_running: time since the last success as a percentage of the job's period (alerts past
 *   150 %, i.e. 1.5 periods);
 * - job_failing: consecutive failed runs.
 * A job never judges itself (it is running, and its own heartbeat is written after this check), so
 * a job that stopped is reported by the others: within 15 minutes by the watchdog, and by the daily
 * jobs if the watchdog itself stopped.
 *
 * A job with no success yet is measured from `watchSince`, the first instant a run noticed it without
 * a heartbeat (recorded here, create-if-absent): a fresh deployment does not page, and a job that is
 * deployed but never triggered still pages 1.5 periods later.
 */
import type { Timestamp } from 'firebase-admin/firestore';
import { COLLECTIONS } from '../../platform/collections';
import type { JobDefinition } from '../../jobs/catalog';
import { fs, isAlreadyExists } from '../../platform/firestore';
import type { MonitorContext } from '../types';

export interface HeartbeatDoc {
  job: string;
  exportName?: string;
  periodMinutes?: number;
  lastRunId?: string;
  lastRunAt?: Timestamp;
  lastOutcome?: 'success' | 'failed';
  lastError?: string | null;
  lastSuccessAt?: Timestamp;
  lastFailureAt?: Timestamp;
  consecutiveFailures?: number;
  /** First instant a run saw this job without a heartbeat: the reference until its first success. */
  watchSince?: Timestamp;
  /** Status of the job's own secrets in its deployed function (names only; see jobs/catalog.ts secretStatuses). */
  secrets?: Record<string, string>;
  secretsReportedAt?: Timestamp;
}

const round1 = (value: number) => Math.round(value * 10) / 10;
const iso = (value: Timestamp | undefined) => (value ? value.toDate().toISOString() : null);

export interface HeartbeatSummary {
  [job: string]: { percentOfPeriod: number; consecutiveFailures: number; lastSuccessAt: string | null };
}

export async function observeHeartbeats(ctx: MonitorContext, jobs: readonly JobDefinition[]): Promise<HeartbeatSummary> {
  const watched = jobs.filter((job) => job.name !== ctx.job && job.periodMinutes > 0);
  const summary: HeartbeatSummary = {};
  if (watched.length === 0) return summary;
  const db = ctx.db.db;
  const refs = watched.map((job) => db.collection(COLLECTIONS.jobs).doc(job.name));
  const snapshots = await ctx.db.getAll(refs);
  const { Timestamp } = fs();
  const nowMs = ctx.now.getTime();

  for (const [index, job] of watched.entries()) {
    const snapshot = snapshots[index];
    const heartbeat = snapshot.exists ? (snapshot.data() as HeartbeatDoc) : undefined;
    let watchSince = heartbeat?.watchSince;
    if (!heartbeat?.lastSuccessAt && !watchSince) {
      // First sight of a job that never succeeded: it has 1.5 periods from now.
      watchSince = Timestamp.fromDate(ctx.now);
      if (!ctx.dryRun) {
        try {
          if (snapshot.exists) await refs[index].set({ watchSince }, { merge: true });
          else await refs[index].create({ job: job.name, exportName: job.exportName, periodMinutes: job.periodMinutes, watchSince });
          ctx.db.noteWrites(1);
        } catch (error) {
          // Created meanwhile by the job's own first run, or by another job: nothing to do.
          if (!isAlreadyExists(error)) throw error;
        }
      }
    }
    const reference = heartbeat?.lastSuccessAt ?? watchSince!;
    const ageMs = Math.max(0, nowMs - reference.toMillis());
    const percent = round1((ageMs / (job.periodMinutes * 60_000)) * 100);
    const failures = heartbeat?.consecutiveFailures ?? 0;
    const lastError = heartbeat?.lastOutcome === 'failed' ? (heartbeat.lastError ?? null) : null;
    ctx.observe({
      ruleId: 'job_not_running',
      key: job.name,
      value: percent,
      details: {
        exportName: job.exportName,
        schedule: job.schedule,
        periodMinutes: job.periodMinutes,
        hoursSinceSuccess: round1(ageMs / 3_600_000),
        lastSuccessAt: iso(heartbeat?.lastSuccessAt),
        watchSince: iso(watchSince),
        lastRunAt: iso(heartbeat?.lastRunAt),
        lastRunId: heartbeat?.lastRunId ?? null,
        lastOutcome: heartbeat?.lastOutcome ?? null,
        lastError,
        consecutiveFailures: failures,
      },
    });
    ctx.observe({
      ruleId: 'job_failing',
      key: job.name,
      value: failures,
      details: {
        exportName: job.exportName,
        lastRunId: heartbeat?.lastRunId ?? null,
        lastFailureAt: iso(heartbeat?.lastFailureAt),
        lastSuccessAt: iso(heartbeat?.lastSuccessAt),
        lastError: heartbeat?.lastError ?? null,
      },
    });
    summary[job.name] = { percentOfPeriod: percent, consecutiveFailures: failures, lastSuccessAt: iso(heartbeat?.lastSuccessAt) };
  }
  return summary;
}
