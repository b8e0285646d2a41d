/**
 * Collections the system checks read, written by the app or its backup job (contracts in
 * docs/data-model.md, "System health data").
 */
import type { Timestamp } from 'firebase-admin/firestore';

export const SYSTEM_DATA = {
  /** Written by the app (backend and frontend loggers); expires through a TTL policy on expireAt. */
  errorLogs: 'error_logs',
  /** Written by the backup job, one document per backup attempt. */
  backupLogs: 'backup_logs',
} as const;

export const ERROR_SEVERITIES = ['info', 'low', 'medium', 'high', 'critical'] as const;
export type ErrorSeverity = (typeof ERROR_SEVERITIES)[number];

/** How long error_logs entries are kept (their expireAt is timestamp + this). */
export const ERROR_LOG_RETENTION_DAYS = 30;

export interface ErrorLogDoc {
  timestamp: Timestamp;
  severity: ErrorSeverity;
  message: string;
  /** The function, service or page that logged it; critical errors are grouped by it. */
  source: string;
  correlationId?: string;
  /** TTL: the entry is deleted by Firestore after this instant (timestamp + 30 days). */
  expireAt: Timestamp;
  context?: Record<string, unknown>;
}

export interface BackupLogDoc {
  status: 'success' | 'failed';
  startedAt: Timestamp;
  finishedAt: Timestamp;
  /** What was backed up and how: "firestore-export", "storage-sync"... */
  kind: string;
  /** Where the backup went (a gs:// URI), without credentials. */
  destination?: string;
  error?: string | null;
}
