/**
 * Reconciles a run's evaluations with the alerts already recorded.
 *
 * Guarantees (the scheduler delivers at least once, possibly concurrently):
 * - one open alert per (rule, subject): alert ids are `<stateId>-n<incident>` and are created with a
 *   create-if-absent precondition, so two runs racing to open the same incident create one document;
 * - one message per event and channel: delivery ids are deterministic and created if absent in the
 *   same commit as the alert change, and the dispatcher claims each attempt with a create-if-absent
 *   document before sending;
 * - a tick is applied once: the state document and the alert record the evaluation instant of the
 *   last run applied, and a run for the same or an older instant leaves them untouched.
 * Only `exists` preconditions are used: they are what both production Firestore and the embedded
 * emulator enforce.
 */
import type { DocumentReference, DocumentSnapshot, Firestore, Timestamp } from 'firebase-admin/firestore';
import type { ChannelName, MonitoringConfig } from '../config/schema';
import { fs, isAlreadyExists, type Meter } from '../platform/firestore';
import type { Logger } from '../platform/logger';
import { ALERT_COLLECTIONS, channelsFor, getRule, hasRule, severityRank, SEVERITIES, type RuleDefinition, type Severity } from '../rules';
import type { Evaluation } from './evaluate';
import {
  alertIdFor,
  COLLECTIONS,
  newDelivery,
  tickLabel,
  type AlertDoc,
  type AlertState,
} from './model';
import { silenceFor, type ActiveSilence } from './silences';

export interface EngineContext {
  meter: Meter;
  /** Evaluation instant (the scheduler tick, or --now). */
  now: Date;
  tickMs: number;
  runId: string;
  job: string;
  config: MonitoringConfig;
  silences: ActiveSilence[];
  log: Logger;
  /** Wall clock, for delivery scheduling. */
  clock?: () => Date;
}

export type ChangeAction = 'opened' | 'updated' | 'resolved' | 'pending' | 'unchanged' | 'skipped';

export interface AlertChange {
  action: ChangeAction;
  ruleId: string;
  key: string | null;
  stateId: string;
  collection: string;
  alertId: string | null;
  severity: Severity | null;
  value: number | null;
  /** Notification events decided by this change (opened, escalated-..., repeat-..., resolved). */
  events: string[];
  /** Why nothing happened, or why notifications were muted. */
  note: string | null;
}

export interface ReconcileResult {
  changes: AlertChange[];
  /** Deliveries created by this run, for the dispatcher. */
  deliveryIds: string[];
}

interface PlannedEvent {
  event: string;
  severity: Severity;
  channels: ChannelName[];
}

const MAX_ATTEMPTS_PER_STATE = 4;

function stateRef(db: Firestore, stateId: string): DocumentReference {
  return db.collection(COLLECTIONS.state).doc(stateId);
}

function toMillis(value: Timestamp | null | undefined): number | null {
  return value ? value.toMillis() : null;
}

export async function reconcile(ctx: EngineContext, evaluations: Evaluation[]): Promise<ReconcileResult> {
  const result: ReconcileResult = { changes: [], deliveryIds: [] };
  const decidable = evaluations.filter((evaluation) => evaluation.status !== 'unknown');
  for (const evaluation of evaluations) {
    if (evaluation.status === 'unknown') {
      result.changes.push(change('unchanged', evaluation, null, null, [], evaluation.reason));
    }
  }
  if (decidable.length === 0) return result;

  // One batched read for every state, one for every open alert they point to.
  const db = ctx.meter.db;
  const states = await ctx.meter.getAll(decidable.map((evaluation) => stateRef(db, evaluation.stateId)));
  const openRefs = new Map<string, DocumentReference>();
  states.forEach((snapshot, index) => {
    const state = snapshot.data() as AlertState | undefined;
    if (state?.openAlertId) {
      openRefs.set(decidable[index].stateId, db.collection(state.collection).doc(state.openAlertId));
    }
  });
  const openSnapshots = await ctx.meter.getAll([...openRefs.values()]);
  const openByState = new Map<string, DocumentSnapshot>();
  [...openRefs.keys()].forEach((stateId, index) => openByState.set(stateId, openSnapshots[index]));

  for (let index = 0; index < decidable.length; index += 1) {
    const evaluation = decidable[index];
    let state = states[index].exists ? (states[index].data() as AlertState) : null;
    let alertSnapshot = openByState.get(evaluation.stateId) ?? null;
    for (let attempt = 1; ; attempt += 1) {
      try {
        const outcome = await apply(ctx, evaluation, state, alertSnapshot);
        result.changes.push(outcome.change);
        result.deliveryIds.push(...outcome.deliveryIds);
        break;
      } catch (error) {
        // Another run changed this pair at the same time: read again and decide again.
        if (!isAlreadyExists(error) || attempt >= MAX_ATTEMPTS_PER_STATE) throw error;
        ctx.log.info('Concurrent update of an alert, re-reading', { stateId: evaluation.stateId, attempt });
        const snapshot = await ctx.meter.get(stateRef(db, evaluation.stateId));
        state = snapshot.exists ? (snapshot.data() as AlertState) : null;
        alertSnapshot = state?.openAlertId ? await ctx.meter.get(db.collection(state.collection).doc(state.openAlertId)) : null;
      }
    }
  }
  return result;
}

function change(
  action: ChangeAction,
  evaluation: Evaluation,
  alertId: string | null,
  severity: Severity | null,
  events: string[],
  note: string | null,
): AlertChange {
  return {
    action,
    ruleId: evaluation.rule.id,
    key: evaluation.key,
    stateId: evaluation.stateId,
    collection: evaluation.candidate?.collection ?? '',
    alertId,
    severity,
    value: evaluation.candidate?.value ?? null,
    events,
    note,
  };
}

interface ApplyOutcome {
  change: AlertChange;
  deliveryIds: string[];
}

async function apply(
  ctx: EngineContext,
  evaluation: Evaluation,
  state: AlertState | null,
  alertSnapshot: DocumentSnapshot | null,
): Promise<ApplyOutcome> {
  const db = ctx.meter.db;
  const { Timestamp } = fs();
  const collection = evaluation.candidate?.collection ?? state?.collection ?? '';
  const outcome = (
    action: ChangeAction,
    alertId: string | null,
    severity: Severity | null,
    events: string[],
    note: string | null,
    deliveryIds: string[] = [],
  ): ApplyOutcome => ({ change: { ...change(action, evaluation, alertId, severity, events, note), collection }, deliveryIds });
  const nothing = (note: string) => outcome('skipped', null, null, [], note);

  if (state && state.lastTickMs > ctx.tickMs) return nothing('a later run already evaluated this rule');
  const open = alertSnapshot?.exists ? (alertSnapshot.data() as AlertDoc) : null;
  const openAlert = open && !open.resolved ? open : null;
  if (openAlert && openAlert.metadata.lastTickMs >= ctx.tickMs) return nothing('already applied for this run');
  if (!openAlert && state && state.lastTickMs === ctx.tickMs) return nothing('already applied for this run');

  const silence = silenceFor(ctx.silences, evaluation.rule);
  const now = Timestamp.fromDate(ctx.now);
  const wallNow = Timestamp.fromDate(ctx.clock ? ctx.clock() : new Date());
  const sRef = stateRef(db, evaluation.stateId);
  const baseState = {
    ruleId: evaluation.rule.id,
    key: evaluation.key,
    collection,
    lastTickMs: ctx.tickMs,
    lastJob: ctx.job,
    lastValue: evaluation.candidate?.value ?? null,
    updatedAt: wallNow,
  };
  const batch = db.batch();
  let writes = 0;
  const deliveryIds: string[] = [];
  const addDeliveries = (alertId: string, planned: PlannedEvent[]) => {
    for (const item of planned) {
      for (const channel of item.channels) {
        const delivery = newDelivery({ alertId, alertCollection: collection, ruleId: evaluation.rule.id, event: item.event, channel, severity: item.severity, runId: ctx.runId, now: wallNow });
        const { deliveryId } = delivery;
        batch.create(db.collection(COLLECTIONS.deliveries).doc(deliveryId), delivery);
        writes += 1;
        deliveryIds.push(deliveryId);
      }
    }
  };
  const commit = async () => {
    await batch.commit();
    ctx.meter.noteWrites(writes);
  };
  const muted = silence ? `notifications muted by silence ${silence.id} (${silence.reason})` : null;
  const candidate = evaluation.candidate;

  // The condition is gone (or the rule was disabled): resolve the open alert.
  if (evaluation.status === 'disabled' || (evaluation.status === 'ok' && evaluation.recovered)) {
    if (!openAlert) {
      if (state && (state.streak > 0 || state.openAlertId)) {
        batch.set(sRef, { ...baseState, streak: 0, openAlertId: null, incidentSeq: state.incidentSeq }, { merge: true });
        writes += 1;
        await commit();
      }
      return outcome('unchanged', null, null, [], null);
    }
    const resolution =
      evaluation.status === 'disabled'
        ? 'Rule disabled in configuration.'
        : `Condition cleared: ${candidate!.value} (threshold ${candidate!.threshold}, recovery at ${evaluation.settings.recoveryThreshold}).`;
    const planned: PlannedEvent[] =
      silence || openAlert.notifiedChannels.length === 0
        ? []
        : [{ event: 'resolved', severity: openAlert.severity, channels: openAlert.notifiedChannels }];
    const alertRef = db.collection(collection).doc(openAlert.id);
    batch.update(alertRef, {
      resolved: true,
      resolvedAt: now,
      resolvedBy: 'system',
      resolution,
      ...(candidate ? { value: candidate.value, lastSeenAt: now } : {}),
      'metadata.resolvedByRunId': ctx.runId,
      'metadata.lastRunId': ctx.runId,
      'metadata.lastTickMs': ctx.tickMs,
    });
    writes += 1;
    addDeliveries(openAlert.id, planned);
    batch.set(sRef, { ...baseState, streak: 0, openAlertId: null, incidentSeq: state?.incidentSeq ?? openAlert.metadata.incident }, { merge: true });
    writes += 1;
    await commit();
    return outcome('resolved', openAlert.id, openAlert.severity, planned.map((p) => p.event), muted, deliveryIds);
  }

  // Between the threshold and the recovery point: keep the alert open, refresh its value.
  if (evaluation.status === 'ok') {
    if (!openAlert) {
      if (state && state.streak > 0) {
        batch.set(sRef, { ...baseState, streak: 0 }, { merge: true });
        writes += 1;
        await commit();
      }
      return outcome('unchanged', null, null, [], null);
    }
    batch.update(db.collection(collection).doc(openAlert.id), {
      value: candidate!.value,
      lastSeenAt: now,
      'metadata.lastRunId': ctx.runId,
      'metadata.lastTickMs': ctx.tickMs,
    });
    batch.set(sRef, { ...baseState, streak: 0 }, { merge: true });
    writes += 2;
    await commit();
    return outcome('updated', openAlert.id, openAlert.severity, [], 'below threshold, waiting for the recovery point');
  }

  // Breach.
  const current = candidate!;
  const routing = ctx.config.routing;
  const channels = (severity: Severity) => channelsFor(evaluation.rule, severity, current.key, routing);
  if (openAlert) {
    const planned: PlannedEvent[] = [];
    const rose = severityRank(current.severity) > severityRank(openAlert.severity);
    const lastNotified = toMillis(openAlert.lastNotifiedAt);
    const repeatMinutes = ctx.config.notifications.repeatIntervalMinutes[current.severity];
    if (!silence) {
      if (rose) {
        planned.push({ event: `escalated-${current.severity}-${tickLabel(ctx.tickMs)}`, severity: current.severity, channels: channels(current.severity) });
      } else if (!openAlert.acknowledged) {
        if (lastNotified === null) {
          planned.push({ event: 'opened', severity: current.severity, channels: channels(current.severity) });
        } else if (repeatMinutes > 0 && ctx.now.getTime() - lastNotified >= repeatMinutes * 60_000) {
          planned.push({ event: `repeat-${tickLabel(ctx.tickMs)}`, severity: current.severity, channels: channels(current.severity) });
        }
      }
    }
    const notifying = planned.some((item) => item.channels.length > 0);
    batch.update(db.collection(collection).doc(openAlert.id), {
      severity: current.severity,
      title: current.title,
      message: current.message,
      value: current.value,
      threshold: current.threshold,
      window: current.window,
      lastSeenAt: now,
      occurrences: openAlert.occurrences + 1,
      silencedBy: silence?.id ?? null,
      ...(notifying ? { lastNotifiedAt: now } : {}),
      // The unacknowledged-alert delay counts from the moment the alert reached its severity.
      ...(current.severity !== openAlert.severity ? { severitySince: now } : {}),
      'metadata.lastRunId': ctx.runId,
      'metadata.lastTickMs': ctx.tickMs,
      'metadata.sample': current.sample,
      'metadata.details': current.details,
    });
    writes += 1;
    addDeliveries(openAlert.id, planned);
    batch.set(sRef, { ...baseState, streak: (state?.streak ?? 0) + 1, openAlertId: openAlert.id }, { merge: true });
    writes += 1;
    await commit();
    const note = muted ?? (openAlert.acknowledged && !rose ? 'acknowledged: not notified again until it escalates' : null);
    return outcome('updated', openAlert.id, current.severity, planned.map((p) => p.event), note, deliveryIds);
  }

  const streak = (state?.streak ?? 0) + 1;
  if (streak < evaluation.settings.consecutiveRuns) {
    batch.set(sRef, { ...baseState, streak, openAlertId: null, incidentSeq: state?.incidentSeq ?? 0 }, { merge: true });
    writes += 1;
    await commit();
    return outcome('pending', null, current.severity, [], `condition held on ${streak} of ${evaluation.settings.consecutiveRuns} consecutive runs`);
  }

  const incident = (state?.incidentSeq ?? 0) + 1;
  const alertId = alertIdFor(evaluation.stateId, incident);
  const alertRef = db.collection(collection).doc(alertId);
  const planned: PlannedEvent[] = silence ? [] : [{ event: 'opened', severity: current.severity, channels: channels(current.severity) }];
  const notifying = planned.some((item) => item.channels.length > 0);
  const alert: AlertDoc = {
    id: alertId,
    ruleId: current.ruleId,
    key: current.key,
    domain: current.domain,
    category: current.category,
    severity: current.severity,
    title: current.title,
    message: current.message,
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
    lastNotifiedAt: notifying ? now : null,
    severitySince: now,
    unacknowledgedNotified: {},
    notifiedChannels: [],
    notifications: [],
    silencedBy: silence?.id ?? null,
    metadata: {
      job: ctx.job,
      stateId: evaluation.stateId,
      incident,
      openedByRunId: ctx.runId,
      lastRunId: ctx.runId,
      resolvedByRunId: null,
      lastTickMs: ctx.tickMs,
      sample: current.sample,
      details: current.details,
    },
  };
  // The create-if-absent write comes first: if another run opened this incident, nothing below applies.
  batch.create(alertRef, alert);
  writes += 1;
  addDeliveries(alertId, planned);
  batch.set(sRef, { ...baseState, streak, openAlertId: alertId, incidentSeq: incident }, { merge: true });
  writes += 1;
  try {
    await commit();
  } catch (error) {
    if (!isAlreadyExists(error)) throw error;
    // Either a concurrent run opened this incident (it is open: update it on the retry), or the state
    // lost track of an older incident with this number (it is resolved: move past it).
    const existing = await ctx.meter.get(alertRef);
    const data = existing.data() as AlertDoc | undefined;
    if (data?.resolved) {
      await stateRef(db, evaluation.stateId).set({ ...baseState, lastTickMs: state?.lastTickMs ?? 0, incidentSeq: incident, openAlertId: null }, { merge: true });
      ctx.meter.noteWrites(1);
    } else if (data) {
      await stateRef(db, evaluation.stateId).set({ openAlertId: alertId, incidentSeq: incident }, { merge: true });
      ctx.meter.noteWrites(1);
    }
    throw error;
  }
  return outcome('opened', alertId, current.severity, planned.map((p) => p.event), muted, deliveryIds);
}

export interface EscalationChange {
  alertId: string;
  collection: string;
  ruleId: string;
  key: string | null;
  /** Severity of the alert (the message is sent at this level). */
  severity: Severity;
  /** `unacknowledged-<severity>`. */
  event: string;
  /** Channels the reminder goes to: those of the next severity (emergency: its own). */
  channels: ChannelName[];
  /** Minutes the alert had been unacknowledged at this severity. */
  unacknowledgedMinutes: number;
  note: string | null;
}

export interface EscalationResult {
  changes: EscalationChange[];
  deliveryIds: string[];
}

/** How many open alerts per collection one run looks at (oldest incidents are few; this bounds reads). */
export const ESCALATION_SCAN_LIMIT = 100;

/** The severity whose channels receive the reminder of an unacknowledged alert. */
export function escalationTarget(severity: Severity): Severity {
  const next = SEVERITIES[severityRank(severity) + 1];
  return next ?? severity;
}

/**
 * Escalation of unacknowledged alerts: an open critical or emergency alert that nobody acknowledged
 * within `escalation.afterMinutes[severity]` of reaching that severity is notified once more, with
 * the event `unacknowledged-<severity>`, at the channels of the next severity (critical -> the
 * emergency channels; emergency has no next level and is re-sent to its own channels). Once per
 * alert and severity: the delivery ids are deterministic and created if absent, and the alert records
 * `unacknowledgedNotified.<severity>` in the same commit. Alerts never notified (empty routing) and
 * alerts under a silence are left alone. Runs in every job run, so the delay is honoured to within
 * the period of the most frequent job (the watchdog: 15 minutes).
 */
export async function escalateUnacknowledged(ctx: EngineContext): Promise<EscalationResult> {
  const result: EscalationResult = { changes: [], deliveryIds: [] };
  const settings = ctx.config.escalation;
  if (!settings.enabled) return result;
  const db = ctx.meter.db;
  const { Timestamp } = fs();
  const collections = [...new Set(Object.values(ALERT_COLLECTIONS))];
  const snapshots = await Promise.all(
    collections.map((collection) =>
      ctx.meter.docs(
        db
          .collection(collection)
          .where('resolved', '==', false)
          .where('acknowledged', '==', false)
          .where('severity', 'in', ['critical', 'emergency'])
          .limit(ESCALATION_SCAN_LIMIT),
      ),
    ),
  );
  const now = Timestamp.fromDate(ctx.now);
  const wallNow = Timestamp.fromDate(ctx.clock ? ctx.clock() : new Date());
  for (const snapshot of snapshots.flat()) {
    const alert = snapshot.data() as AlertDoc;
    const severity = alert.severity;
    if (severity !== 'critical' && severity !== 'emergency') continue;
    if (alert.unacknowledgedNotified?.[severity]) continue;
    if (alert.lastNotifiedAt === null) continue; // nobody was told in the first place
    const since = (alert.severitySince ?? alert.createdAt).toMillis();
    const waited = ctx.now.getTime() - since;
    if (waited < settings.afterMinutes[severity] * 60_000) continue;
    const rule: RuleDefinition | null = hasRule(alert.ruleId) ? getRule(alert.ruleId) : null;
    const silence = silenceFor(ctx.silences, rule ?? { id: alert.ruleId, category: alert.category, domain: alert.domain });
    if (silence) continue; // notified when the silence is over, like any muted alert
    const target = escalationTarget(severity);
    const channels = channelsFor(rule, target, alert.key, ctx.config.routing);
    const event = `unacknowledged-${severity}`;
    const collection = snapshot.ref.parent.id;
    const batch = db.batch();
    const ids: string[] = [];
    // Deliveries first: their create-if-absent preconditions make a concurrent run's commit fail
    // before it changes anything.
    for (const channel of channels) {
      const delivery = newDelivery({ alertId: alert.id, alertCollection: collection, ruleId: alert.ruleId, event, channel, severity, runId: ctx.runId, now: wallNow });
      const { deliveryId } = delivery;
      batch.create(db.collection(COLLECTIONS.deliveries).doc(deliveryId), delivery);
      ids.push(deliveryId);
    }
    batch.update(snapshot.ref, {
      [`unacknowledgedNotified.${severity}`]: now,
      ...(channels.length > 0 ? { lastNotifiedAt: now } : {}),
      'metadata.lastEscalationRunId': ctx.runId,
    });
    try {
      await batch.commit();
      ctx.meter.noteWrites(ids.length + 1);
    } catch (error) {
      if (!isAlreadyExists(error)) throw error;
      ctx.log.info('Unacknowledged alert already re-notified by a concurrent run', { alertId: alert.id, event });
      continue;
    }
    result.deliveryIds.push(...ids);
    result.changes.push({
      alertId: alert.id,
      collection,
      ruleId: alert.ruleId,
      key: alert.key,
      severity,
      event,
      channels,
      unacknowledgedMinutes: Math.round(waited / 60_000),
      note: channels.length === 0 ? `no channel routed for ${target}` : null,
    });
  }
  return result;
}
