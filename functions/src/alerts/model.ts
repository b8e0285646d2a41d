/** Firestore layout of the alert pipeline. */
import type { Timestamp } from 'firebase-admin/firestore';
import type { ChannelName } from '../config/schema';
import type { Domain, Severity, Unit } from '../rules';

/** Internal collections of the monitoring system (alert collections are in rules/types.ts). */
export const COLLECTIONS = {
  config: 'monitoring_config',
  state: 'monitoring_alert_state',
  deliveries: 'monitoring_deliveries',
  silences: 'monitoring_silences',
  runs: 'monitoring_runs',
  jobs: 'monitoring_jobs',
  /** One document per (error source, minute) claimed by the error_logs trigger: see monitors/system/errorTrigger.ts. */
  triggerClaims: 'monitoring_trigger_claims',
  /** Create-if-absent leases that keep two runs of the same manual check from overlapping. */
  locks: 'monitoring_locks',
  /** One document per admin acknowledgement or resolution: makes both idempotent (created if absent). */
  adminActions: 'monitoring_admin_actions',
  /** The alert-shaped documents behind test notifications sent from the admin API. */
  testNotifications: 'monitoring_test_notifications',
} as const;

/** Per (rule, subject) bookkeeping: which alert is open, how many runs in a row it has fired. */
export interface AlertState {
  ruleId: string;
  key: string | null;
  collection: string;
  /** Consecutive runs the condition held (reset when it does not). */
  streak: number;
  /** Evaluation instant of the last run that changed this state (ms since epoch). */
  lastTickMs: number;
  lastJob: string;
  openAlertId: string | null;
  /** Number of alerts ever opened for this pair; the next alert id uses incidentSeq + 1. */
  incidentSeq: number;
  lastValue: number | null;
  updatedAt: Timestamp;
}

export type DeliveryStatus = 'pending' | 'sending' | 'sent' | 'failed' | 'dead' | 'skipped' | 'cancelled';

/** One attempt to deliver one message to one channel, as recorded on the alert. */
export interface NotificationRecord {
  channel: ChannelName;
  event: string;
  attempt: number;
  at: Timestamp;
  status: 'sent' | 'failed' | 'dead' | 'skipped' | 'cancelled';
  error: string | null;
  deliveryId: string;
}

/** Field names follow the specification (severity, category, title, message, metadata, createdAt,
 *  acknowledged*, resolved*, impact, suggestedAction); the rest supports deduplication and delivery. */
export interface AlertDoc {
  id: string;
  ruleId: string;
  key: string | null;
  domain: Domain;
  category: string;
  severity: Severity;
  title: string;
  message: string;
  impact: string;
  suggestedAction: string;
  runbookUrl: string;
  value: number;
  threshold: number;
  direction: 'above' | 'below';
  unit: Unit;
  window: string | null;
  createdAt: Timestamp;
  lastSeenAt: Timestamp;
  occurrences: number;
  acknowledged: boolean;
  acknowledgedBy: string | null;
  acknowledgedAt: Timestamp | null;
  /** Set by the admin API: `link` when acknowledged from a message's link, with that message's channel. */
  acknowledgedVia?: 'dashboard' | 'link';
  acknowledgedChannel?: string | null;
  resolved: boolean;
  resolvedAt: Timestamp | null;
  resolvedBy: string | null;
  resolution: string | null;
  lastNotifiedAt: Timestamp | null;
  /** When the alert reached its current severity (absent on alerts written before it existed: use createdAt). */
  severitySince?: Timestamp;
  /** Severities at which the "still unacknowledged" re-notification was already sent, with its time. */
  unacknowledgedNotified?: Partial<Record<Severity, Timestamp>>;
  /** Channels that received at least one message about this alert. */
  notifiedChannels: ChannelName[];
  notifications: NotificationRecord[];
  silencedBy: string | null;
  metadata: {
    job: string;
    stateId: string;
    incident: number;
    openedByRunId: string;
    lastRunId: string;
    resolvedByRunId: string | null;
    /** Run that sent the last "unacknowledged" re-notification. */
    lastEscalationRunId?: string;
    lastTickMs: number;
    sample: number | null;
    details: Record<string, unknown>;
  };
}

export interface DeliveryDoc {
  deliveryId: string;
  alertId: string;
  alertCollection: string;
  ruleId: string;
  event: string;
  channel: ChannelName;
  /** Severity the message is sent at (for routing and display). */
  severity: Severity;
  status: DeliveryStatus;
  attempts: number;
  /** When the sweeper may pick it up: creation, next retry, or the end of a sending lease. */
  nextAttemptAt: Timestamp;
  createdAt: Timestamp;
  runId: string;
  lastError: string | null;
  sentAt: Timestamp | null;
  /** SMS only: recipients already sent to, so a retry never texts them twice. */
  sentTo: string[];
}

export interface SilenceDoc {
  startsAt: Timestamp;
  endsAt: Timestamp;
  /** Restrictions; a silence without any mutes everything. */
  ruleId?: string | null;
  category?: string | null;
  domain?: Domain | null;
  reason: string;
  createdBy: string;
  createdAt: Timestamp;
  endedAt?: Timestamp | null;
  /** Who ended it early (admin uid). */
  endedBy?: string | null;
}

export function alertIdFor(stateId: string, incident: number): string {
  return `${stateId}-n${incident}`;
}

/** Compact, sortable form of an evaluation instant, used in event ids. */
export function tickLabel(tickMs: number): string {
  return new Date(tickMs).toISOString().replace(/[-:]/g, '').replace('.', '');
}

export function deliveryIdFor(alertId: string, event: string, channel: ChannelName): string {
  return `${alertId}~${event}~${channel}`;
}

/** A new delivery: one message about one alert event, for one channel, due now. */
export function newDelivery(
  fields: Pick<DeliveryDoc, 'alertId' | 'alertCollection' | 'ruleId' | 'event' | 'channel' | 'severity' | 'runId'> & { now: Timestamp },
): DeliveryDoc {
  const { now, ...rest } = fields;
  return {
    deliveryId: deliveryIdFor(fields.alertId, fields.event, fields.channel),
    ...rest,
    status: 'pending',
    attempts: 0,
    nextAttemptAt: now,
    createdAt: now,
    lastError: null,
    sentAt: null,
    sentTo: [],
  };
}
