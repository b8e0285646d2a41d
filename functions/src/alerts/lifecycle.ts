/**
 * The alert lifecycle as pure decisions: no Firestore, no clock, no I/O. Given what is recorded
 * (the rule's state document, its open alert), this run's evaluation, the settings, the silence in
 * force and the evaluation instant, `decide` says what the state and the alert become and which
 * messages to plan; `decideFollowUp` does the same for an open alert seen by any job (a first message
 * deferred by a silence, an escalation deferred by a silence, a reminder nobody acknowledged).
 * alerts/engine.ts reads the inputs and writes the outputs (one batch per alert, with the
 * preconditions that make it exactly-once). Timestamps are values here (`now` is given), never read.
 *
 * Rules of the lifecycle:
 * - an alert opens after `consecutiveRuns` breaching runs; one open alert per (rule, subject);
 * - the first message ("opened") goes out when the alert opens, or at the first run (of any job)
 *   after the silence that muted it ends; until then no reminder or escalation is sent;
 * - a rise in severity is told once ("escalated-<severity>-<tick>"), also when it happened during a
 *   silence (told after it);
 * - an unacknowledged critical/emergency alert is re-notified once per severity, counted from the
 *   first message at that severity (not from when it opened under a silence);
 * - a still-open unacknowledged alert is repeated after `repeatIntervalMinutes` (not before its first message);
 * - it resolves when the value is back past the recovery threshold (or the rule is disabled); the
 *   "resolved" message goes to the channels that were told, unless a silence is in force.
 */
import type { Timestamp } from 'firebase-admin/firestore';
import type { ChannelName, MonitoringConfig } from '../config/schema';
import { channelsFor, SEVERITIES, severityRank, type RuleDefinition, type Severity } from '../rules';
import type { Evaluation } from './evaluate';
import { alertIdFor, tickLabel, type AlertDoc, type AlertState } from './model';
import type { ActiveSilence } from './silences';

export type ChangeAction = 'opened' | 'updated' | 'resolved' | 'pending' | 'unchanged' | 'skipped';

/** One message about one alert event, to the given channels (one delivery per channel). */
export interface PlannedMessage {
  event: string;
  severity: Severity;
  channels: ChannelName[];
}

/** The state document fields a decision sets (merged over the bookkeeping fields the write step adds). */
export type StatePatch = Partial<Pick<AlertState, 'streak' | 'openAlertId' | 'incidentSeq' | 'lastTickMs'>>;

export type AlertWrite =
  /** Create-if-absent: the first write of the batch. */
  | { kind: 'create'; alert: AlertDoc }
  /** Field updates (dotted paths allowed) of an existing alert. */
  | { kind: 'update'; alertId: string; fields: Record<string, unknown> };

export interface Decision {
  action: ChangeAction;
  alertId: string | null;
  severity: Severity | null;
  /** Why nothing happened, or why notifications were muted. */
  note: string | null;
  /** null: nothing to write (the tick was already applied, or nothing changed). */
  state: StatePatch | null;
  alert: AlertWrite | null;
  messages: PlannedMessage[];
}

export interface LifecycleSettings {
  routing: MonitoringConfig['routing'];
  notifications: Pick<MonitoringConfig['notifications'], 'repeatIntervalMinutes'>;
}

export interface LifecycleInput {
  evaluation: Evaluation;
  state: AlertState | null;
  /** The alert the state points to, as read (possibly resolved), or null. */
  alert: AlertDoc | null;
  silence: ActiveSilence | null;
  /** The open alert that explains this one (alerts/inhibit.ts): recorded, not notified, like a silence. */
  inhibitor?: { id: string } | null;
  settings: LifecycleSettings;
  tickMs: number;
  /** The evaluation instant, as a timestamp value (written on the alert). */
  now: Timestamp;
  runId: string;
  job: string;
}

/** The highest severity a message was planned at (older alerts: their severity once notified). */
export function toldSeverity(alert: Pick<AlertDoc, 'notifiedSeverity' | 'lastNotifiedAt' | 'severity'>): Severity | null {
  if (alert.notifiedSeverity !== undefined) return alert.notifiedSeverity;
  return alert.lastNotifiedAt ? alert.severity : null;
}

function mutedNote(silence: ActiveSilence | null, inhibitor?: { id: string } | null): string | null {
  if (silence) return `notifications muted by silence ${silence.id} (${silence.reason})`;
  return inhibitor ? `notifications inhibited by open alert ${inhibitor.id}` : null;
}

/** Fields recording that messages were planned (a new severity told, channels or not). */
function toldFields(messages: PlannedMessage[], severity: Severity, now: Timestamp, previous: Severity | null): Record<string, unknown> {
  if (messages.length === 0) return {};
  const notifying = messages.some((item) => item.channels.length > 0);
  const newSeverity = previous === null || severityRank(severity) > severityRank(previous) || messages.some((item) => item.event === 'opened');
  return {
    ...(notifying ? { lastNotifiedAt: now } : {}),
    ...(newSeverity ? { notifiedSeverity: severity, notifiedSeverityAt: now, awaitingNotice: false } : {}),
  };
}

export function decide(input: LifecycleInput): Decision {
  const { evaluation, state, silence, settings, tickMs, now, runId, job } = input;
  const inhibitor = input.inhibitor ?? null;
  const base = { alertId: null, severity: null, note: null, state: null, alert: null, messages: [] };
  if (evaluation.status === 'unknown') return { ...base, action: 'unchanged', note: evaluation.reason };
  if (state && state.lastTickMs > tickMs) return { ...base, action: 'skipped', note: 'a later run already evaluated this rule' };
  const open = input.alert && !input.alert.resolved ? input.alert : null;
  if (open && open.metadata.lastTickMs >= tickMs) return { ...base, action: 'skipped', note: 'already applied for this run' };
  if (!open && state && state.lastTickMs === tickMs) return { ...base, action: 'skipped', note: 'already applied for this run' };

  const candidate = evaluation.candidate;
  const muted = mutedNote(silence, inhibitor);
  const channels = (severity: Severity) => channelsFor(evaluation.rule, severity, evaluation.key, settings.routing);
  const tickFields = { 'metadata.lastRunId': runId, 'metadata.lastTickMs': tickMs };

  // The condition is gone (or the rule was disabled): resolve the open alert.
  if (evaluation.status === 'disabled' || (evaluation.status === 'ok' && evaluation.recovered)) {
    if (!open) {
      const dirty = state && (state.streak > 0 || state.openAlertId);
      return { ...base, action: 'unchanged', state: dirty ? { streak: 0, openAlertId: null, incidentSeq: state.incidentSeq } : null };
    }
    const resolution =
      evaluation.status === 'disabled'
        ? 'Rule disabled in configuration.'
        : `Condition cleared: ${candidate!.value} (threshold ${candidate!.threshold}, recovery at ${evaluation.settings.recoveryThreshold}).`;
    const messages: PlannedMessage[] =
      silence || open.notifiedChannels.length === 0 ? [] : [{ event: 'resolved', severity: open.severity, channels: open.notifiedChannels }];
    return {
      action: 'resolved',
      alertId: open.id,
      severity: open.severity,
      note: muted,
      state: { streak: 0, openAlertId: null, incidentSeq: state?.incidentSeq ?? open.metadata.incident },
      alert: {
        kind: 'update',
        alertId: open.id,
        fields: {
          resolved: true,
          resolvedAt: now,
          resolvedBy: 'system',
          resolution,
          ...(candidate ? { value: candidate.value, lastSeenAt: now } : {}),
          'metadata.resolvedByRunId': runId,
          ...tickFields,
        },
      },
      messages,
    };
  }

  // Between the threshold and the recovery point: keep the alert open, refresh its value.
  if (evaluation.status === 'ok') {
    if (!open) return { ...base, action: 'unchanged', state: state && state.streak > 0 ? { streak: 0 } : null };
    return {
      ...base,
      action: 'updated',
      alertId: open.id,
      severity: open.severity,
      note: 'below threshold, waiting for the recovery point',
      state: { streak: 0 },
      alert: { kind: 'update', alertId: open.id, fields: { value: candidate!.value, lastSeenAt: now, ...tickFields } },
    };
  }

  // Breach.
  const current = candidate!;
  const nowMs = now.toMillis();
  if (open) {
    const messages: PlannedMessage[] = [];
    const told = toldSeverity(open);
    const rose = severityRank(current.severity) > severityRank(open.severity) || (told !== null && severityRank(current.severity) > severityRank(told));
    const lastNotified = open.lastNotifiedAt ? open.lastNotifiedAt.toMillis() : null;
    const repeatMinutes = settings.notifications.repeatIntervalMinutes[current.severity];
    if (!silence && !inhibitor) {
      if (told === null) {
        // Never told (opened under a silence): the first message, deferred until now.
        if (!open.acknowledged) messages.push({ event: 'opened', severity: current.severity, channels: channels(current.severity) });
      } else if (rose) {
        messages.push({ event: `escalated-${current.severity}-${tickLabel(tickMs)}`, severity: current.severity, channels: channels(current.severity) });
      } else if (!open.acknowledged && lastNotified !== null && repeatMinutes > 0 && nowMs - lastNotified >= repeatMinutes * 60_000) {
        messages.push({ event: `repeat-${tickLabel(tickMs)}`, severity: current.severity, channels: channels(current.severity) });
      }
    }
    const note = muted ?? (open.acknowledged && !rose ? 'acknowledged: not notified again until it escalates' : null);
    return {
      action: 'updated',
      alertId: open.id,
      severity: current.severity,
      note,
      state: { streak: (state?.streak ?? 0) + 1, openAlertId: open.id },
      alert: {
        kind: 'update',
        alertId: open.id,
        fields: {
          severity: current.severity,
          title: current.title,
          message: current.message,
          locale: current.locale,
          i18n: current.i18n,
          value: current.value,
          threshold: current.threshold,
          window: current.window,
          lastSeenAt: now,
          occurrences: open.occurrences + 1,
          silencedBy: silence?.id ?? null,
          // Under a silence, a severity nobody was told yet waits for any run after it ends.
          ...((silence || inhibitor) && (told === null || severityRank(current.severity) > severityRank(told)) ? { awaitingNotice: true } : {}),
          // Inhibition (alerts/inhibit.ts): which open alert mutes this one, cleared when none does.
          ...(inhibitor || open.inhibitedBy ? { inhibitedBy: inhibitor?.id ?? null } : {}),
          ...toldFields(messages, current.severity, now, told),
          // The alert reached a new severity now.
          ...(current.severity !== open.severity ? { severitySince: now } : {}),
          ...tickFields,
          'metadata.sample': current.sample,
          'metadata.details': current.details,
        },
      },
      messages,
    };
  }

  const streak = (state?.streak ?? 0) + 1;
  if (streak < evaluation.settings.consecutiveRuns) {
    return {
      ...base,
      action: 'pending',
      severity: current.severity,
      note: `condition held on ${streak} of ${evaluation.settings.consecutiveRuns} consecutive runs`,
      state: { streak, openAlertId: null, incidentSeq: state?.incidentSeq ?? 0 },
    };
  }

  const incident = (state?.incidentSeq ?? 0) + 1;
  const alertId = alertIdFor(evaluation.stateId, incident);
  const messages: PlannedMessage[] = silence || inhibitor ? [] : [{ event: 'opened', severity: current.severity, channels: channels(current.severity) }];
  const told = toldFields(messages, current.severity, now, null);
  const alert: AlertDoc = {
    id: alertId,
    ruleId: current.ruleId,
    key: current.key,
    domain: current.domain,
    category: current.category,
    severity: current.severity,
    title: current.title,
    message: current.message,
    locale: current.locale,
    i18n: current.i18n,
    impact: current.impact,
    suggestedAction: current.suggestedAction,
    runbookUrl: current.runbookUrl,
    value: current.value,
    threshold: current.threshold,
    direction: current.direction,
    unit: current.unit,
    window: current.window,
    createdAt: now,
    lastSeenAt: now,
    occurrences: 1,
    acknowledged: false,
    acknowledgedBy: null,
    acknowledgedAt: null,
    resolved: false,
    resolvedAt: null,
    resolvedBy: null,
    resolution: null,
    lastNotifiedAt: (told.lastNotifiedAt as Timestamp | undefined) ?? null,
    severitySince: now,
    notifiedSeverity: (told.notifiedSeverity as Severity | undefined) ?? null,
    notifiedSeverityAt: (told.notifiedSeverityAt as Timestamp | undefined) ?? null,
    awaitingNotice: messages.length === 0,
    unacknowledgedNotified: {},
    notifiedChannels: [],
    notifications: [],
    silencedBy: silence?.id ?? null,
    ...(inhibitor ? { inhibitedBy: inhibitor.id } : {}),
    metadata: {
      job,
      stateId: evaluation.stateId,
      incident,
      openedByRunId: runId,
      lastRunId: runId,
      resolvedByRunId: null,
      lastTickMs: tickMs,
      sample: current.sample,
      details: current.details,
    },
  };
  return {
    action: 'opened',
    alertId,
    severity: current.severity,
    note: muted,
    state: { streak, openAlertId: alertId, incidentSeq: incident },
    alert: { kind: 'create', alert },
    messages,
  };
}

export interface FollowUpSettings extends LifecycleSettings {
  escalation: MonitoringConfig['escalation'];
}

export interface FollowUpInput {
  alert: AlertDoc;
  /** The rule of the alert (null when it left the catalogue: default routing). */
  rule: Pick<RuleDefinition, 'channels'> | null;
  silence: ActiveSilence | null;
  /** The open alert that mutes this one, if any: nothing is sent while it is open. */
  inhibitor?: { id: string } | null;
  settings: FollowUpSettings;
  now: Timestamp;
}

export type FollowUpKind = 'deferred-first' | 'deferred-escalation' | 'unacknowledged';

export interface FollowUp {
  kind: FollowUpKind;
  messages: PlannedMessage[];
  /** Field updates of the alert (written in the same commit as the deliveries). */
  fields: Record<string, unknown>;
  /** For reminders: minutes the alert waited unacknowledged since its first message at this severity. */
  waitedMinutes: number | null;
}

/** The severity whose channels receive the reminder of an unacknowledged alert. */
export function escalationTarget(severity: Severity): Severity {
  return SEVERITIES[severityRank(severity) + 1] ?? severity;
}

/**
 * What any job run does about an open alert beyond its own rules: a message deferred by a silence
 * that has ended (first message, or a rise in severity), or the reminder of an alert nobody
 * acknowledged in time. At most one per run; null when nothing is due.
 */
export function decideFollowUp(input: FollowUpInput): FollowUp | null {
  const { alert, rule, silence, settings, now } = input;
  if (alert.resolved || silence || input.inhibitor) return null;
  // The deferred message also ends an inhibition recorded on the alert.
  const uninhibited = alert.inhibitedBy ? { inhibitedBy: null } : {};
  const channels = (severity: Severity) => channelsFor(rule, severity, alert.key, settings.routing);
  const told = toldSeverity(alert);
  if (told === null) {
    if (alert.acknowledged) return null;
    const messages = [{ event: 'opened', severity: alert.severity, channels: channels(alert.severity) }];
    return {
      kind: 'deferred-first',
      messages,
      fields: { ...toldFields(messages, alert.severity, now, null), silencedBy: null, ...uninhibited },
      waitedMinutes: null,
    };
  }
  if (severityRank(alert.severity) > severityRank(told)) {
    const messages = [{ event: `escalated-${alert.severity}-${tickLabel(now.toMillis())}`, severity: alert.severity, channels: channels(alert.severity) }];
    return {
      kind: 'deferred-escalation',
      messages,
      fields: { ...toldFields(messages, alert.severity, now, told), silencedBy: null, ...uninhibited },
      waitedMinutes: null,
    };
  }
  const severity = alert.severity;
  if (!settings.escalation.enabled || alert.acknowledged) return null;
  if (severity !== 'critical' && severity !== 'emergency') return null;
  if (alert.unacknowledgedNotified?.[severity]) return null;
  if (alert.lastNotifiedAt === null) return null; // nobody was told in the first place (no channel routed)
  // Counted from the first message at this severity (an alert opened under a silence waits from the
  // deferred first message, not from its creation).
  const since = Math.max((alert.severitySince ?? alert.createdAt).toMillis(), alert.notifiedSeverityAt?.toMillis() ?? 0);
  const waited = now.toMillis() - since;
  if (waited < settings.escalation.afterMinutes[severity] * 60_000) return null;
  const target = escalationTarget(severity);
  const messages = [{ event: `unacknowledged-${severity}`, severity, channels: channels(target) }];
  return {
    kind: 'unacknowledged',
    messages,
    fields: { [`unacknowledgedNotified.${severity}`]: now, ...(messages[0].channels.length > 0 ? { lastNotifiedAt: now } : {}) },
    waitedMinutes: Math.round(waited / 60_000),
  };
}
