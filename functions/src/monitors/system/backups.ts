/**
 * Backup freshness from backup_logs (one document per backup attempt, written by the backup job; the
 * contract and a wiring example are in docs/data-model.md). Two reads: the newest success and the
 * newest attempt of any status.
 */
import type { DocumentSnapshot } from 'firebase-admin/firestore';
import type { MonitorContext } from '../types';
import { safeExcerpt } from './errors';

/** Value reported when no successful backup was ever recorded (the message says so in words). */
export const NO_BACKUP_HOURS = 9999;

const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());

export async function measureBackups(ctx: MonitorContext): Promise<{ hoursSinceSuccess: number | null }> {
  const logs = ctx.sources.from('backupLogs');
  const read = ctx.sources.reader('backupLogs');
  const [successDocs, latestDocs] = await Promise.all([
    ctx.db.docs(logs.is('status', 'success').orderBy('finishedAt', 'desc').limit(1).query),
    ctx.db.docs(logs.orderBy('finishedAt', 'desc').limit(1).query),
  ]);
  const success: DocumentSnapshot | undefined = successDocs[0];
  const latest: DocumentSnapshot | undefined = latestDocs[0];
  const failure = latest && !read.is(latest, 'status', 'success') ? latest : undefined;
  const successMs = success ? read.millis(success, 'finishedAt') : undefined;
  const hours = successMs !== undefined ? Math.max(0, Math.round(((ctx.now.getTime() - successMs) / 3_600_000) * 10) / 10) : null;
  ctx.observe({
    ruleId: 'backup_stale',
    value: hours ?? NO_BACKUP_HOURS,
    details: {
      neverSucceeded: successMs === undefined,
      lastSuccessAt: iso(successMs),
      lastSuccessKind: (success && read.string(success, 'kind')) ?? null,
      lastSuccessDestination: safeExcerpt(success && read.raw(success, 'destination'), 200),
      lastFailureAt: iso(failure && read.millis(failure, 'finishedAt')),
      lastFailureError: safeExcerpt(failure && read.raw(failure, 'error')),
    },
  });
  return { hoursSinceSuccess: hours };
}
