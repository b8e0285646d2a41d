/**
 * Delivers alert messages. Each (alert event, channel) pair has a delivery document created by the
 * alert engine. Sending an attempt requires claiming it first: the claim is a document
 * `monitoring_deliveries/{id}/attempts/{n}` created if absent, so two runs never send the same
 * attempt. Channels are sent in parallel, each bounded by a hard timeout; a failure is recorded on
 * the delivery and on the alert and retried on later runs with exponential backoff.
 *
 * If a process dies between sending and recording, the claim's lease expires and the message is sent
 * again: delivery is at least once in that case, exactly once otherwise.
 */
import type { DocumentReference, DocumentSnapshot, Timestamp } from 'firebase-admin/firestore';
import { ackLinkFor } from '../ack/links';
import { COLLECTIONS, type AlertDoc, type DeliveryDoc, type NotificationRecord } from '../alerts/model';
import { MONITORING_ENVIRONMENT, readParam } from '../config/params';
import type { ChannelName, MonitoringConfig } from '../config/schema';
import { fs, isAlreadyExists, type Meter } from '../platform/firestore';
import { describeError, type Logger } from '../platform/logger';
import { CHANNEL_IMPLEMENTATIONS, type Channel, type SendOptions } from './channels';
import { DeliveryError, isTimeout, POSSIBLE_REPEAT_NOTE } from './channels/channel';
import { decideDelivery, decideRetry, DUE_STATUSES, leaseMs, reasonText } from './decide';
import { eventKind, type MessageContext } from './format';
import { alertPathsOf, formGroups, groupMembers, recordDropped, recordOnMembers, splitMembers, type GroupToSend, type MemberView } from './group';
import { recordOnAlert } from './record';
import { maskPersonalData, redactSecrets } from '../platform/mask';

export interface DispatchContext {
  meter: Meter;
  config: MonitoringConfig;
  runId: string;
  log: Logger;
  clock?: () => Date;
  /** Channel implementations (tests replace none of them; the benchmark may). */
  channels?: Record<string, Channel>;
  /** Also pick up older deliveries that are due (retries, expired leases). Default true; the admin
   *  API's test notification sends only its own message. */
  sweep?: boolean;
}

export type DeliveryOutcomeStatus = 'sent' | 'failed' | 'ambiguous' | 'dead' | 'skipped' | 'cancelled' | 'busy';

export interface DeliveryOutcome {
  deliveryId: string;
  alertId: string;
  channel: string;
  event: string;
  status: DeliveryOutcomeStatus;
  attempt: number;
  error: string | null;
  durationMs: number;
}

/** How many due deliveries one run picks up (oldest first). */
export const SWEEP_LIMIT = 50;
export { AMBIGUOUS_BACKOFF_FACTOR, backoffMinutes, SKIP_RECHECK_HOURS } from './decide';

/** The signed acknowledge link of a message about an alert someone still has to acknowledge (ack/links.ts). */
function ackUrlFor(alert: AlertDoc, event: string, channel: ChannelName, now: Date): string | undefined {
  return ['resolved', 'test'].includes(eventKind(event)) || alert.acknowledged || alert.resolved ? undefined : ackLinkFor(alert.id, channel, now);
}

export function cleanError(error: unknown): string {
  return maskPersonalData(redactSecrets(describeError(error))).slice(0, 500);
}

function withTimeout<T>(promise: Promise<T>, timeoutMs: number, channel: ChannelName): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeliveryError(channel, { timedOut: true }, `no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Sends the deliveries created by this run and every older one that is due (retries, expired
 * leases). Never throws for a channel failure: outcomes are returned and recorded.
 */
export async function dispatch(ctx: DispatchContext, createdIds: string[]): Promise<DeliveryOutcome[]> {
  const db = ctx.meter.db;
  const { Timestamp } = fs();
  const clock = ctx.clock ?? (() => new Date());
  const deliveries = db.collection(COLLECTIONS.deliveries);

  const fresh = await ctx.meter.getAll(createdIds.map((id) => deliveries.doc(id)));
  const due =
    ctx.sweep === false
      ? []
      : await ctx.meter.docs(
          deliveries.where('status', 'in', DUE_STATUSES).where('nextAttemptAt', '<=', Timestamp.fromDate(clock())).orderBy('nextAttemptAt').limit(SWEEP_LIMIT),
        );
  const byId = new Map<string, DocumentSnapshot>();
  for (const snapshot of [...fresh, ...due]) if (snapshot.exists) byId.set(snapshot.id, snapshot);
  if (byId.size === 0) return [];

  const alertRefs = new Map<string, DocumentReference>();
  for (const snapshot of byId.values()) {
    const delivery = snapshot.data() as DeliveryDoc;
    // Grouping hook: a group delivery also needs its members' alerts (notifications/group.ts).
    for (const item of alertPathsOf(delivery)) alertRefs.set(item.path, db.collection(item.collection).doc(item.id));
  }
  const alertSnapshots = await ctx.meter.getAll([...alertRefs.values()]);
  const alerts = new Map<string, AlertDoc | null>();
  [...alertRefs.keys()].forEach((path, index) => alerts.set(path, alertSnapshots[index].exists ? (alertSnapshots[index].data() as AlertDoc) : null));
  // Grouping hook (notifications/group.ts): fresh messages of the same channel, severity, event kind
  // and group key become one group delivery; messages held for the group wait are left for a later run.
  // Whether or not older deliveries were swept in: a run's own fresh messages are folded too (a test
  // notification is never grouped: see planGroups).
  await formGroups(ctx, byId, alerts, clock);

  const settled = await Promise.allSettled(
    [...byId.values()].map((snapshot) => {
      const delivery = snapshot.data() as DeliveryDoc;
      return deliverOne(
        ctx,
        snapshot.ref,
        delivery,
        alerts.get(`${delivery.alertCollection}/${delivery.alertId}`) ?? null,
        clock,
        groupMembers(delivery, alerts),
      );
    }),
  );
  return settled.map((item, index) => {
    if (item.status === 'fulfilled') return item.value;
    const delivery = [...byId.values()][index].data() as DeliveryDoc;
    ctx.log.error('Delivery bookkeeping failed', { deliveryId: delivery.deliveryId, error: describeError(item.reason) });
    return {
      deliveryId: delivery.deliveryId,
      alertId: delivery.alertId,
      channel: delivery.channel,
      event: delivery.event,
      status: 'failed' as const,
      attempt: delivery.attempts,
      error: cleanError(item.reason),
      durationMs: 0,
    };
  });
}

type Outcome = (status: DeliveryOutcomeStatus, attempt: number, error: string | null) => DeliveryOutcome;

/** One delivery: the decision (./decide.ts) on what this run read, then the writes and the send it asks for. */
async function deliverOne(
  ctx: DispatchContext,
  ref: DocumentReference,
  delivery: DeliveryDoc,
  lone: AlertDoc | null,
  clock: () => Date,
  members: MemberView[] | null = null,
): Promise<DeliveryOutcome> {
  const { Timestamp } = fs();
  const started = Date.now();
  const outcome: Outcome = (status, attempt, error) => ({ ...outcomeBase(delivery), status, attempt, error, durationMs: Date.now() - started });
  // Grouping hook: a group carries the members still worth sending; the others are dropped (recorded on their alerts).
  const group = members ? splitMembers(delivery, members) : null;
  const alert = group ? (group.live[0]?.alert ?? null) : lone;
  const channel = (ctx.channels ?? CHANNEL_IMPLEMENTATIONS)[delivery.channel];
  const unavailable = channel ? channel.unavailable(ctx.config) : `unknown channel ${delivery.channel}`;
  const decision = decideDelivery({
    delivery: {
      status: delivery.status,
      event: delivery.event,
      skipChecks: delivery.skipChecks,
      nextAttemptAtMs: delivery.nextAttemptAt.toMillis(),
      skippedSinceMs: delivery.skippedSince?.toMillis() ?? null,
    },
    alert,
    liveMembers: group ? group.live.length : null,
    unavailable,
    nowMs: clock().getTime(),
  });
  if (decision.action === 'busy') return outcome('busy', delivery.attempts, reasonText(decision, { status: delivery.status, unavailable }));
  if (group?.dropped.length) await recordDropped(ref, delivery, group.dropped, ctx.meter, Timestamp.fromDate(clock()));
  const record = recorder(ctx, ref, delivery, lone, group, clock);
  const finish = async (fields: Partial<DeliveryDoc>) => {
    await ref.update(fields);
    ctx.meter.noteWrites(1);
  };
  if (decision.action === 'send') return sendAttempt(ctx, ref, delivery, { alert: alert!, group, channel: channel!, clock, record, finish, outcome });
  const reason = reasonText(decision, { status: delivery.status, unavailable });
  if (decision.action === 'cancel') {
    if (decision.reason === 'channel-unavailable-too-long')
      ctx.log.warn('Channel still not configured, message given up', { channel: delivery.channel, reason: unavailable, alertId: delivery.alertId });
    await finish({ status: 'cancelled', lastError: reason, ...(decision.skipChecks ? { skipChecks: decision.skipChecks } : {}) });
    if (decision.record) await record(decision.record, delivery.attempts, reason);
    return outcome(decision.outcome, delivery.attempts, reason);
  }
  ctx.log.warn('Channel not configured, message not sent yet', { channel: delivery.channel, reason: unavailable, alertId: delivery.alertId });
  await finish({
    status: 'skipped',
    lastError: reason,
    skippedSince: Timestamp.fromMillis(decision.skippedSinceMs),
    skipChecks: decision.skipChecks,
    nextAttemptAt: Timestamp.fromMillis(decision.nextAttemptAtMs),
  });
  // Recorded on the alert once, not at every re-check.
  if (decision.record) await record('skipped', delivery.attempts, reason);
  return outcome('skipped', delivery.attempts, reason);
}

function outcomeBase(delivery: DeliveryDoc): Pick<DeliveryOutcome, 'deliveryId' | 'alertId' | 'channel' | 'event'> {
  return { deliveryId: delivery.deliveryId, alertId: delivery.alertId, channel: delivery.channel, event: delivery.event };
}

type RecordAttempt = (status: NotificationRecord['status'], attempt: number, error: string | null) => Promise<void>;

/** Records an attempt on the alert (record.ts); a group delivery records it on each live member's alert. */
function recorder(
  ctx: DispatchContext,
  ref: DocumentReference,
  delivery: DeliveryDoc,
  lone: AlertDoc | null,
  group: GroupToSend | null,
  clock: () => Date,
): RecordAttempt {
  const { Timestamp } = fs();
  return async (status, attempt, error) => {
    const entry = { channel: delivery.channel, attempt, at: Timestamp.fromDate(clock()), status, error, deliveryId: delivery.deliveryId };
    if (group) return recordOnMembers(ref, group.live, entry, ctx.meter);
    if (!lone) return;
    await recordOnAlert(ref.firestore.collection(delivery.alertCollection).doc(delivery.alertId), { ...entry, event: delivery.event }, ctx.meter);
  };
}

/** The message a delivery sends: its alert (or a group's live members), each with its acknowledge link. */
function messageOf(delivery: DeliveryDoc, alert: AlertDoc, group: GroupToSend | null): MessageContext {
  // Only messages about an alert someone still has to acknowledge carry the link. Dated from the
  // delivery, not the attempt: every attempt sends the same text (the SMS ambiguity check compares
  // bodies; mail clients merge retries by Message-ID).
  const issued = delivery.createdAt.toDate();
  return {
    alert,
    event: group?.live[0].member.event ?? delivery.event,
    severity: delivery.severity,
    environment: readParam(MONITORING_ENVIRONMENT) ?? 'production',
    ackUrl: ackUrlFor(alert, delivery.event, delivery.channel, issued),
    // Grouping hook: the alerts a group message lists (each channel renders two or more as one message), each with its own link.
    ...(group
      ? {
          group: group.live.map((item) => ({
            alert: item.alert,
            event: item.member.event,
            ackUrl: ackUrlFor(item.alert, item.member.event, delivery.channel, issued),
          })),
        }
      : {}),
  };
}

interface Attempt {
  alert: AlertDoc;
  group: GroupToSend | null;
  channel: Channel;
  clock: () => Date;
  record: RecordAttempt;
  finish: (fields: Partial<DeliveryDoc>) => Promise<void>;
  outcome: Outcome;
}

/** Claims the next attempt, sends it under the channel timeout, and records what happened. */
async function sendAttempt(ctx: DispatchContext, ref: DocumentReference, delivery: DeliveryDoc, at: Attempt): Promise<DeliveryOutcome> {
  const { Timestamp, FieldValue } = fs();
  const { clock, record, finish, outcome } = at;
  const timeoutMs = ctx.config.notifications.channelTimeoutMs;
  const attempt = await claimAttempt(ref, delivery, clock, timeoutMs, ctx.runId);
  if (attempt === null) return outcome('busy', delivery.attempts, 'another run claimed this attempt');
  ctx.meter.noteWrites(2);
  const attemptRef = ref.collection('attempts').doc(String(attempt));
  const possibleRepeats: string[] = [];
  const repeatFields = () => (possibleRepeats.length ? { possibleRepeatTo: [...new Set([...(delivery.possibleRepeatTo ?? []), ...possibleRepeats])] } : {});
  const options: SendOptions = {
    config: ctx.config,
    timeoutMs,
    deliveryId: delivery.deliveryId,
    ambiguousSince: delivery.ambiguousSince ? delivery.ambiguousSince.toDate() : null,
    alreadySent: delivery.sentTo ?? [],
    markSent: async (recipient) => {
      await ref.update({ sentTo: FieldValue.arrayUnion(recipient) });
      ctx.meter.noteWrites(1);
    },
    // Written with the attempt's outcome (below), success or not.
    notePossibleRepeat: async (recipient) => void possibleRepeats.push(recipient),
  };
  try {
    await withTimeout(at.channel.send(messageOf(delivery, at.alert, at.group), options), timeoutMs, delivery.channel);
  } catch (error) {
    // Every recorded error names its channel (and, from the channels, the HTTP status or SMTP code and the vendor code).
    const named = error instanceof DeliveryError ? error : new DeliveryError(delivery.channel, { timedOut: isTimeout(error) }, describeError(error));
    const message = cleanError(named);
    const retry = decideRetry({
      attempt,
      timedOut: isTimeout(named),
      alreadyAmbiguous: Boolean(delivery.ambiguousSince),
      settings: ctx.config.notifications,
      nowMs: clock().getTime(),
    });
    ctx.log.warn('Delivery failed', {
      channel: delivery.channel,
      alertId: delivery.alertId,
      attempt,
      error: message,
      ambiguous: isTimeout(named),
      willRetry: retry.status !== 'dead',
    });
    await finish({
      status: retry.status,
      lastError: message,
      nextAttemptAt: Timestamp.fromMillis(retry.nextAttemptAtMs),
      ...(retry.markAmbiguousSince ? { ambiguousSince: Timestamp.fromDate(clock()) } : {}),
      ...repeatFields(),
    });
    await attemptRef.update({ outcome: retry.status, error: message, finishedAt: Timestamp.fromDate(clock()) });
    await record(retry.status, attempt, message);
    return outcome(retry.status, attempt, message);
  }
  await finish({ status: 'sent', sentAt: Timestamp.fromDate(clock()), lastError: null, ...repeatFields() });
  await attemptRef.update({ outcome: 'sent', finishedAt: Timestamp.fromDate(clock()), ...(possibleRepeats.length ? { possibleRepeat: true } : {}) });
  // The alert's notification history (the dashboard's table) says when a text may have gone out twice.
  await record('sent', attempt, possibleRepeats.length ? POSSIBLE_REPEAT_NOTE : null);
  ctx.log.info('Delivered', { channel: delivery.channel, alertId: delivery.alertId, event: delivery.event, attempt });
  return outcome('sent', attempt, null);
}

/**
 * Claims the next attempt number with a create-if-absent document. Returns null when another run
 * holds a live claim. A claim whose lease expired without an outcome (a crashed sender) is skipped
 * over by claiming the next number.
 */
async function claimAttempt(ref: DocumentReference, delivery: DeliveryDoc, clock: () => Date, timeoutMs: number, runId: string): Promise<number | null> {
  const { Timestamp } = fs();
  const lease = leaseMs(timeoutMs);
  for (let attempt = delivery.attempts + 1; attempt <= delivery.attempts + 3; attempt += 1) {
    const attemptRef = ref.collection('attempts').doc(String(attempt));
    const now = clock();
    const leaseUntil = Timestamp.fromMillis(now.getTime() + lease);
    try {
      await attemptRef.create({ claimedAt: Timestamp.fromDate(now), leaseUntil, runId, outcome: null });
    } catch (error) {
      if (!isAlreadyExists(error)) throw error;
      const existing = (await attemptRef.get()).data() as { leaseUntil: Timestamp; outcome: string | null } | undefined;
      if (existing && existing.outcome === null && existing.leaseUntil.toMillis() > now.getTime()) return null;
      if (existing && existing.outcome !== null) return null; // finished by another run; its result is recorded
      continue;
    }
    await ref.update({ status: 'sending', attempts: attempt, nextAttemptAt: leaseUntil });
    return attempt;
  }
  return null;
}
