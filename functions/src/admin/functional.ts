/**
 * triggerFunctionalCheck: runs one set of the functional monitoring job now, through the same
 * pipeline as the scheduler (`runJob('functional', { trigger: 'callable', options: { check } })`).
 *
 * Two runs of the same set never overlap: the call first creates the lock document
 * `monitoring_locks/functional~<set>` (create-if-absent) with a lease as long as the function's
 * timeout plus a margin, and deletes it when the run ends. A second call while the lock is live is
 * refused with `already-exists`, naming who started the running check and until when the lease holds.
 * A lock whose holder died (lease expired) is taken over; the delete of the stale lock carries a
 * lastUpdateTime precondition so that, in production, two callers cannot both take it over (the
 * embedded emulator ignores that precondition; see functions/dev/emulator.ts).
 */
import { randomBytes } from 'node:crypto';
import type { DocumentReference, DocumentSnapshot, Firestore, Timestamp } from 'firebase-admin/firestore';
import { HttpsError } from 'firebase-functions/v2/https';
import { z } from 'zod';
import { COLLECTIONS } from '../alerts/model';
import { findJob } from '../jobs/catalog';
import { FUNCTIONAL_CHECK_SETS, type FunctionalCheckSet } from '../monitors/functional/sets';
import type { RunResult } from '../pipeline/run';
import { fs, isAlreadyExists } from '../platform/firestore';
import { describeError } from '../platform/logger';
import { defineCallable, type AdminContext } from './callable';
import { iso } from './schemas';

/** The job the dashboard starts; its `check` option takes the check sets (monitors/functional/sets.ts). */
export const FUNCTIONAL_JOB = 'functional';
export const FUNCTIONAL_CHECKS = FUNCTIONAL_CHECK_SETS;
export type FunctionalCheck = FunctionalCheckSet;
/** Scheduled functional jobs whose heartbeat the functional summary shows. */
export const FUNCTIONAL_JOBS = [FUNCTIONAL_JOB, 'functional-critical'] as const;

/** Timeout of triggerFunctionalCheck when the job does not declare one (seconds). */
export const DEFAULT_CHECK_TIMEOUT_SECONDS = 540;
/** Extra lease time beyond the function timeout, so a lock never expires under a live run. */
const LEASE_MARGIN_MS = 60_000;

interface LockDoc {
  job: string;
  check: string;
  /** Random id of the call holding the lock: only it releases it. */
  holder: string;
  requestedBy: string;
  acquiredAt: Timestamp;
  leaseUntil: Timestamp;
}

export interface LockView {
  check: string;
  requestedBy: string;
  startedAt: string | null;
  leaseUntil: string | null;
}

export function lockRef(db: Firestore, check: string): DocumentReference {
  return db.collection(COLLECTIONS.locks).doc(`${FUNCTIONAL_JOB}~${check}`);
}

/** The lock as the dashboard sees it, or null when there is none or its lease expired. */
export function lockView(snapshot: DocumentSnapshot, now: Date): LockView | null {
  const lock = snapshot.data() as LockDoc | undefined;
  if (!lock || lock.leaseUntil.toMillis() <= now.getTime()) return null;
  return { check: lock.check, requestedBy: lock.requestedBy, startedAt: iso(lock.acquiredAt), leaseUntil: iso(lock.leaseUntil) };
}

export function checkTimeoutSeconds(): number {
  return findJob(FUNCTIONAL_JOB)?.timeoutSeconds ?? DEFAULT_CHECK_TIMEOUT_SECONDS;
}

async function acquireLock(ctx: AdminContext, check: FunctionalCheck): Promise<{ ref: DocumentReference; holder: string }> {
  const { Timestamp } = fs();
  const ref = lockRef(ctx.meter.db, check);
  const holder = randomBytes(8).toString('hex');
  for (let attempt = 1; attempt <= 3; attempt += 1) {
    const now = Date.now();
    const lock: LockDoc = {
      job: FUNCTIONAL_JOB,
      check,
      holder,
      requestedBy: ctx.uid,
      acquiredAt: Timestamp.fromMillis(now),
      leaseUntil: Timestamp.fromMillis(now + checkTimeoutSeconds() * 1_000 + LEASE_MARGIN_MS),
    };
    try {
      await ref.create(lock);
      ctx.meter.noteWrites(1);
      return { ref, holder };
    } catch (error) {
      if (!isAlreadyExists(error)) throw error;
    }
    const snapshot = await ctx.meter.get(ref);
    const current = lockView(snapshot, new Date(now));
    if (current) {
      throw new HttpsError(
        'already-exists',
        `A "${check}" functional check is already running (started ${current.startedAt} by ${current.requestedBy}); wait until it finishes, at the latest ${current.leaseUntil}.`,
        { running: current },
      );
    }
    if (snapshot.exists) {
      ctx.log.warn('Taking over an expired functional check lock', { check, lock: snapshot.data() });
      await ref.delete({ lastUpdateTime: snapshot.updateTime! }).catch((error: unknown) => {
        ctx.log.info('Expired lock changed before it could be removed', { check, error: describeError(error) });
      });
    }
  }
  throw new HttpsError('already-exists', `Another "${check}" functional check started at the same moment; try again once it finishes.`);
}

async function releaseLock(ctx: AdminContext, ref: DocumentReference, holder: string): Promise<void> {
  try {
    const snapshot = await ctx.meter.get(ref);
    if ((snapshot.data() as LockDoc | undefined)?.holder !== holder) return;
    await ref.delete({ lastUpdateTime: snapshot.updateTime! });
    ctx.meter.noteWrites(1);
  } catch (error) {
    // The lease expires on its own; a stuck lock delays the next manual check at most that long.
    ctx.log.error('Could not release the functional check lock', { lock: ref.id, error: describeError(error) });
  }
}

export interface FunctionalCheckResult {
  runId: string;
  job: string;
  check: FunctionalCheck;
  outcome: 'success' | 'failed';
  startedAt: string;
  durationMs: number;
  alerts: { opened: number; updated: number; resolved: number };
  deliveries: Record<string, number>;
  skippedChecks: Array<{ check: string; reason: string }>;
  /** Why the run failed (already reported to Sentry and recorded in monitoring_runs). */
  error: string | null;
}

function summarize(check: FunctionalCheck, result: RunResult): FunctionalCheckResult {
  const deliveries: Record<string, number> = {};
  for (const delivery of result.deliveries) deliveries[delivery.status] = (deliveries[delivery.status] ?? 0) + 1;
  return {
    runId: result.runId,
    job: result.job,
    check,
    outcome: result.outcome,
    startedAt: result.startedAt,
    durationMs: result.durationMs,
    alerts: { opened: result.alerts.opened.length, updated: result.alerts.updated.length, resolved: result.alerts.resolved.length },
    deliveries,
    skippedChecks: result.skippedChecks,
    error: result.error,
  };
}

export const triggerFunctionalCheck = defineCallable({
  input: z.strictObject({ checkType: z.enum(FUNCTIONAL_CHECKS) }),
  mutates: true,
  errors: ['failed-precondition', 'already-exists'],
  async handler({ checkType }, ctx): Promise<FunctionalCheckResult> {
    const job = findJob(FUNCTIONAL_JOB);
    if (!job) {
      throw new HttpsError('failed-precondition', `The functional monitoring job ("${FUNCTIONAL_JOB}") is not part of this deployment; nothing was started.`);
    }
    const offered = job.options?.find((option) => option.name === 'check')?.values ?? [];
    if (!offered.includes(checkType)) {
      throw new HttpsError(
        'failed-precondition',
        `The functional job does not offer the check set "${checkType}" (it offers: ${offered.join(', ') || 'no check sets'}); nothing was started.`,
      );
    }
    const { runJob, JobFailedError, UsageError } = await import('../pipeline/run');
    const lock = await acquireLock(ctx, checkType);
    try {
      const result = await runJob(FUNCTIONAL_JOB, { trigger: 'callable', options: { check: checkType }, requestedBy: ctx.uid });
      return summarize(checkType, result);
    } catch (error) {
      // A failed run is recorded and reported by the pipeline: the dashboard gets its outcome.
      if (error instanceof JobFailedError) return summarize(checkType, error.result);
      if (error instanceof UsageError) throw new HttpsError('failed-precondition', `${error.message}; nothing was started.`);
      throw error;
    } finally {
      await releaseLock(ctx, lock.ref, lock.holder);
    }
  },
});
