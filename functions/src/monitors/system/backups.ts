/**
 * Backup freshness from backup_logs (one document per backup attempt, written by the backup job; the
 * contract and a wiring example are in docs/data-model.md). Two reads: the newest success and the
 * newest attempt of any status.
 */
import type { Timestamp } from 'firebase-admin/firestore';
import type { MonitorContext } from '../types';
import { SYSTEM_DATA, type BackupLogDoc } from './data';
import { safeExcerpt } from './errors';

/** Value reported when no successful backup was ever recorded (the message says so in words). */
export const NO_BACKUP_HOURS = 9999;

const iso = (value: Timestamp | undefined) => (value?.toDate ? value.toDate().toISOString() : null);

export async function measureBackups(ctx: MonitorContext): Promise<{ hoursSinceSuccess: number | null }> {
  const logs = ctx.db.db.collection(SYSTEM_DATA.backupLogs);
  const [successDocs, latestDocs] = await Promise.all([
    ctx.db.docs(logs.where('status', '==', 'success').orderBy('finishedAt', 'desc').limit(1)),
    ctx.db.docs(logs.orderBy('finishedAt', 'desc').limit(1)),
  ]);
  const success = successDocs[0]?.data() as BackupLogDoc | undefined;
  const latest = latestDocs[0]?.data() as BackupLogDoc | undefined;
  const failure = latest && latest.status !== 'success' ? latest : undefined;
  const hours = success ? Math.max(0, Math.round(((ctx.now.getTime() - success.finishedAt.toMillis()) / 3_600_000) * 10) / 10) : null;
  ctx.observe({
    ruleId: 'backup_stale',
    value: hours ?? NO_BACKUP_HOURS,
    details: {
      neverSucceeded: !success,
      lastSuccessAt: iso(success?.finishedAt),
      lastSuccessKind: success?.kind ?? null,
      lastSuccessDestination: safeExcerpt(success?.destination, 200),
      lastFailureAt: iso(failure?.finishedAt),
      lastFailureError: safeExcerpt(failure?.error),
    },
  });
  return { hoursSinceSuccess: hours };
}
