/** Firestore layout of the alert pipeline. */
import type { Timestamp } from 'firebase-admin/firestore';
import type { ChannelName } from '../config/schema';
import type { Domain, Locale, Severity, Unit } from '../rules';
import type { AlertTexts } from './evaluate';

// On the floor (config, monitors and every stage read them): platform/collections.ts.
export { COLLECTIONS, tickLabel } from '../platform/collections';

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

/**
 * `ambiguous`: the last attempt timed out, the vendor may have delivered it (retried later than `failed`).
 * `grouped`: folded into a group delivery (`groupId`), which is sent and retried in its place.
 */
export type DeliveryStatus = 'pending' | 'sending' | 'sent' | 'failed' | 'ambiguous' | 'dead' | 'skipped' | 'cancelled' | 'grouped';

/** One attempt to deliver one message to one channel, as recorded on the alert. */
export interface NotificationRecord {
  channel: ChannelName;
  event: string;
  attempt: number;
  at: Timestamp;
  status: 'sent' | 'failed' | 'ambiguous' | 'dead' | 'skipped' | 'cancelled';
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
  /** Language of title, message, impact, suggestedAction and window (absent on alerts written before it existed: English). */
  locale?: Locale;
  /** The same texts in every language, for readers in another one (dashboard, acknowledge page). */
  i18n?: Record<Locale, AlertTexts>;
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
  /** Highest severity a message was planned at ("opened", "escalated-..."); null while the first
   *  message is deferred by a silence (absent on older alerts: see lifecycle.toldSeverity). */
  notifiedSeverity?: Severity | null;
  /** true while the first message is deferred (opened under a silence): what every run looks for. */
  awaitingNotice?: boolean;
  /** When that message was planned: the unacknowledged-alert delay counts from it. */
  notifiedSeverityAt?: Timestamp | null;
  /** Severities at which the "still unacknowledged" re-notification was already sent, with its time. */
  unacknowledgedNotified?: Partial<Record<Severity, Timestamp>>;
  /** Channels that received at least one message about this alert. */
  notifiedChannels: ChannelName[];
  notifications: NotificationRecord[];
  silencedBy: string | null;
  /** The open alert whose inhibition mutes this one (alerts/inhibit.ts); null or absent when none. */
  inhibitedBy?: string | null;
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
  /** First attempt that timed out (the message may have been delivered then). */
  ambiguousSince?: Timestamp | null;
  /** SMS only: recipients texted without the duplicate check, the text marked as a possible repeat. */
  possibleRepeatTo?: string[];
  /** First time the channel or its recipients were found missing (status `skipped`, re-checked). */
  skippedSince?: Timestamp | null;
  /** How many times the channel was found missing for this message. */
  skipChecks?: number;
  /** Grouping (notifications/group.ts), on a member: the group delivery that carries it. */
  groupId?: string;
  /** Grouping, on a group delivery: the member deliveries it carries (alertId... above: its first member). */
  group?: DeliveryGroup;
  /** On a group delivery: members dropped before a send (alert resolved, acknowledged or deleted). */
  droppedMembers?: string[];
}

/** One alert message carried by a group delivery. */
export interface GroupMember {
  deliveryId: string;
  alertId: string;
  alertCollection: string;
  ruleId: string;
  event: string;
}

export interface DeliveryGroup {
  /** `grouping.by` when the group was formed, and the shared value (`*` for `all`). */
  by: string;
  key: string;
  members: GroupMember[];
}

export const WEEKDAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** A weekly window in local time (like an Alertmanager time_interval): on each of `days`, from
 *  `start` to `end` (`HH:MM`, 24 h) in the IANA `timeZone`. An `end` at or before `start` ends the
 *  next day. Wall-clock times: a window keeps its local hours across daylight-saving changes. */
export interface WeeklyRecurrence {
  days: Weekday[];
  start: string;
  end: string;
  timeZone: string;
}

export interface SilenceDoc {
  /** In force from startsAt to endsAt; with a recurrence, only inside its weekly windows. */
  startsAt: Timestamp;
  endsAt: Timestamp;
  recurrence?: WeeklyRecurrence | null;
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
