/**
 * Reconciles a run's evaluations with the alerts already recorded: reads, asks the pure lifecycle
 * (alerts/lifecycle.ts) what changes, and writes it.
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
import type { DocumentReference, DocumentSnapshot, Firestore, QueryDocumentSnapshot, Timestamp, WriteBatch } from 'firebase-admin/firestore';
import type { ChannelName, MonitoringConfig } from '../config/schema';
import { fs, isAlreadyExists, type Meter } from '../platform/firestore';
import type { Logger } from '../platform/logger';
import { ALERT_COLLECTIONS, getRule, hasRule, type Severity } from '../rules';
import type { Evaluation } from './evaluate';
import { activeInhibitions, inhibitionView, labelsOf, sourcesFirst, type InhibitionView } from './inhibit';
import { decide, decideFollowUp, escalationTarget, type ChangeAction, type Decision, type FollowUpKind, type PlannedMessage } from './lifecycle';
import { COLLECTIONS, newDelivery, type AlertDoc, type AlertState } from './model';
import { silenceFor, type ActiveSilence } from './silences';

export { escalationTarget, type ChangeAction };

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

const MAX_ATTEMPTS_PER_STATE = 4;

function stateRef(db: Firestore, stateId: string): DocumentReference {
  return db.collection(COLLECTIONS.state).doc(stateId);
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
  // Inhibition hook (alerts/inhibit.ts): sources decided before their targets; open sources read once.
  const inhibition = await inhibitionView(
    ctx,
    decidable.map((evaluation) => evaluation.rule.id),
  );
  if (inhibition) sourcesFirst(decidable, activeInhibitions(ctx.config));

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
        const outcome = await apply(ctx, evaluation, state, alertSnapshot, inhibition);
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

/** Deliveries of planned messages, created if absent (deterministic ids). */
function addDeliveries(
  ctx: EngineContext,
  batch: WriteBatch,
  alert: { id: string; collection: string; ruleId: string },
  messages: PlannedMessage[],
  wallNow: Timestamp,
): string[] {
  const ids: string[] = [];
  for (const item of messages) {
    for (const channel of item.channels) {
      const delivery = newDelivery({
        alertId: alert.id,
        alertCollection: alert.collection,
        ruleId: alert.ruleId,
        event: item.event,
        channel,
        severity: item.severity,
        runId: ctx.runId,
        now: wallNow,
      });
      batch.create(ctx.meter.db.collection(COLLECTIONS.deliveries).doc(delivery.deliveryId), delivery);
      ids.push(delivery.deliveryId);
    }
  }
  return ids;
}

/** Decides (pure) and writes the decision in one batch. */
async function apply(
  ctx: EngineContext,
  evaluation: Evaluation,
  state: AlertState | null,
  alertSnapshot: DocumentSnapshot | null,
  inhibition: InhibitionView | null = null,
): Promise<ApplyOutcome> {
  const { Timestamp } = fs();
  const collection = evaluation.candidate?.collection ?? state?.collection ?? '';
  const alert = alertSnapshot?.exists ? (alertSnapshot.data() as AlertDoc) : null;
  const { rule } = evaluation;
  const labels = { id: alert?.id ?? evaluation.stateId, ruleId: rule.id, key: evaluation.key, domain: rule.domain, category: rule.category };
  const decision = decide({
    evaluation,
    state,
    alert,
    silence: silenceFor(ctx.silences, evaluation.rule),
    inhibitor: inhibition?.inhibitorFor(labels) ?? null,
    settings: ctx.config,
    tickMs: ctx.tickMs,
    now: Timestamp.fromDate(ctx.now),
    runId: ctx.runId,
    job: ctx.job,
  });
  const deliveryIds = await persist(ctx, evaluation, collection, state, decision);
  if (decision.alertId && ['opened', 'updated', 'resolved'].includes(decision.action))
    inhibition?.note({ ...labels, id: decision.alertId }, decision.action !== 'resolved');
  return {
    change: {
      ...change(
        decision.action,
        evaluation,
        decision.alertId,
        decision.severity,
        decision.messages.map((item) => item.event),
        decision.note,
      ),
      collection,
    },
    deliveryIds,
  };
}

/**
 * Writes one decision: the alert change first (a create-if-absent precondition when it opens one),
 * its deliveries (create-if-absent), then the state document, in one commit.
 */
async function persist(ctx: EngineContext, evaluation: Evaluation, collection: string, state: AlertState | null, decision: Decision): Promise<string[]> {
  if (!decision.state && !decision.alert) return [];
  const db = ctx.meter.db;
  const { Timestamp } = fs();
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
  let deliveryIds: string[] = [];
  const write = decision.alert;
  if (write?.kind === 'create') {
    // The create-if-absent write comes first: if another run opened this incident, nothing below applies.
    batch.create(db.collection(collection).doc(write.alert.id), write.alert);
    writes += 1;
  } else if (write?.kind === 'update') {
    batch.update(db.collection(collection).doc(write.alertId), write.fields);
    writes += 1;
  }
  if (write) {
    const alertId = write.kind === 'create' ? write.alert.id : write.alertId;
    deliveryIds = addDeliveries(ctx, batch, { id: alertId, collection, ruleId: evaluation.rule.id }, decision.messages, wallNow);
    writes += deliveryIds.length;
  }
  if (decision.state) {
    batch.set(sRef, { ...baseState, ...decision.state }, { merge: true });
    writes += 1;
  }
  try {
    await batch.commit();
    ctx.meter.noteWrites(writes);
  } catch (error) {
    if (!isAlreadyExists(error) || write?.kind !== 'create') throw error;
    // Either a concurrent run opened this incident (it is open: update it on the retry), or the state
    // lost track of an older incident with this number (it is resolved: move past it).
    const alertRef = db.collection(collection).doc(write.alert.id);
    const incident = write.alert.metadata.incident;
    const existing = await ctx.meter.get(alertRef);
    const data = existing.data() as AlertDoc | undefined;
    if (data?.resolved) {
      await sRef.set({ ...baseState, lastTickMs: state?.lastTickMs ?? 0, incidentSeq: incident, openAlertId: null }, { merge: true });
      ctx.meter.noteWrites(1);
    } else if (data) {
      await sRef.set({ openAlertId: write.alert.id, incidentSeq: incident }, { merge: true });
      ctx.meter.noteWrites(1);
    }
    throw error;
  }
  return deliveryIds;
}

export interface EscalationChange {
  alertId: string;
  collection: string;
  ruleId: string;
  key: string | null;
  /** Severity of the alert (the message is sent at this level). */
  severity: Severity;
  /** `unacknowledged-<severity>`, or `opened` / `escalated-...` for a message deferred by a silence. */
  event: string;
  /** What this follow-up is: a reminder, or a message a silence deferred. */
  kind: FollowUpKind;
  /** Channels the message goes to (a reminder: those of the next severity; emergency: its own). */
  channels: ChannelName[];
  /** Minutes the alert had been unacknowledged since its first message at this severity (reminders). */
  unacknowledgedMinutes: number | null;
  note: string | null;
}

export interface EscalationResult {
  changes: EscalationChange[];
  deliveryIds: string[];
}

/** How many open alerts per collection and query one run looks at (this bounds reads). */
export const ESCALATION_SCAN_LIMIT = 100;

/**
 * Follow-up of open alerts, in every job run whatever its rules (so within the period of the most
 * frequent job, the watchdog: 15 minutes):
 * - the first message of an alert opened under a silence, once the silence is over (and a rise in
 *   severity that happened under it), found by `awaitingNotice == true` (the embedded emulator has no `== null` in a composite filter);
 * - the reminder of a critical or emergency alert nobody acknowledged within
 *   `escalation.afterMinutes[severity]` of its first message at that severity, with the event
 *   `unacknowledged-<severity>`, at the channels of the next severity (emergency: its own). Once
 *   per alert and severity.
 * Decisions are lifecycle.decideFollowUp; deliveries are created if absent before the alert update
 * in the same commit, so a concurrent run's commit fails before it changes anything.
 */
export async function escalateUnacknowledged(ctx: EngineContext): Promise<EscalationResult> {
  const result: EscalationResult = { changes: [], deliveryIds: [] };
  const db = ctx.meter.db;
  const { Timestamp } = fs();
  const collections = [...new Set(Object.values(ALERT_COLLECTIONS))];
  const queries = collections.flatMap((collection) => {
    const open = db.collection(collection).where('resolved', '==', false);
    return [
      open.where('awaitingNotice', '==', true).limit(ESCALATION_SCAN_LIMIT),
      ...(ctx.config.escalation.enabled
        ? [open.where('acknowledged', '==', false).where('severity', 'in', ['critical', 'emergency']).limit(ESCALATION_SCAN_LIMIT)]
        : []),
    ];
  });
  const snapshots = (await Promise.all(queries.map((query) => ctx.meter.docs(query)))).flat();
  const unique = new Map<string, QueryDocumentSnapshot>();
  for (const snapshot of snapshots) unique.set(snapshot.ref.path, snapshot);
  const now = Timestamp.fromDate(ctx.now);
  const wallNow = Timestamp.fromDate(ctx.clock ? ctx.clock() : new Date());
  // Inhibition hook (alerts/inhibit.ts): an alert muted by an open source waits for its resolution.
  const inhibition = await inhibitionView(
    ctx,
    [...unique.values()].map((snapshot) => (snapshot.data() as AlertDoc).ruleId),
  );
  for (const snapshot of unique.values()) {
    const alert = snapshot.data() as AlertDoc;
    const rule = hasRule(alert.ruleId) ? getRule(alert.ruleId) : null;
    const silence = silenceFor(ctx.silences, rule ?? { id: alert.ruleId, category: alert.category, domain: alert.domain });
    const inhibitor = inhibition?.inhibitorFor(labelsOf(alert)) ?? null;
    const followUp = decideFollowUp({ alert, rule, silence, inhibitor, settings: ctx.config, now });
    if (!followUp) continue;
    const collection = snapshot.ref.parent.id;
    const batch = db.batch();
    const ids = addDeliveries(ctx, batch, { id: alert.id, collection, ruleId: alert.ruleId }, followUp.messages, wallNow);
    batch.update(snapshot.ref, { ...followUp.fields, 'metadata.lastEscalationRunId': ctx.runId });
    try {
      await batch.commit();
      ctx.meter.noteWrites(ids.length + 1);
    } catch (error) {
      if (!isAlreadyExists(error)) throw error;
      ctx.log.info('Follow-up of an alert already planned by a concurrent run', { alertId: alert.id, kind: followUp.kind });
      continue;
    }
    const [message] = followUp.messages;
    result.deliveryIds.push(...ids);
    result.changes.push({
      alertId: alert.id,
      collection,
      ruleId: alert.ruleId,
      key: alert.key,
      severity: message.severity,
      event: message.event,
      kind: followUp.kind,
      channels: message.channels,
      unacknowledgedMinutes: followUp.waitedMinutes,
      note:
        message.channels.length === 0
          ? `no channel routed for ${followUp.kind === 'unacknowledged' ? escalationTarget(message.severity) : message.severity}`
          : null,
    });
  }
  return result;
}
