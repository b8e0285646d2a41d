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
import { CHANNEL_IMPLEMENTATIONS, type Channel } from './channels';
import { DeliveryError, isTimeout } from './channels/channel';
import { eventKind } from './format';
import { alertPathsOf, formGroups, groupMembers, prepareGroup, recordOnMembers, type GroupToSend, type MemberView } from './group';
import { maskPersonalData, redactSecrets } from './mask';

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
const MAX_BACKOFF_MINUTES = 360;
/** `skipped`: the channel or its recipients were missing; checked again until SKIP_RECHECK_HOURS. */
const DUE_STATUSES: DeliveryDoc['status'][] = ['pending', 'failed', 'ambiguous', 'sending', 'skipped'];
/** An attempt that timed out may have been delivered: its retry waits this many times longer than
 *  a plain failure's, so that a slow vendor has answered (or the message shows up) by then. */
export const AMBIGUOUS_BACKOFF_FACTOR = 3;
/** A message skipped for a missing channel or recipient is planned again while its alert is open,
 *  for this long after the first skip (first re-check after 15 minutes, then doubling, at most 6 h). */
export const SKIP_RECHECK_HOURS = 24;
const SKIP_RECHECK_FIRST_MINUTES = 15;

/** The signed acknowledge link of a message about an alert someone still has to acknowledge (ack/links.ts). */
function ackUrlFor(alert: AlertDoc, event: string, channel: ChannelName, now: Date): string | undefined {
  return ['resolved', 'test'].includes(eventKind(event)) || alert.acknowledged || alert.resolved ? undefined : ackLinkFor(alert.id, channel, now);
}

export function backoffMinutes(attempt: number, baseMinutes: number): number {
  return Math.min(MAX_BACKOFF_MINUTES, baseMinutes * 2 ** (attempt - 1));
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

async function deliverOne(
  ctx: DispatchContext,
  ref: DocumentReference,
  delivery: DeliveryDoc,
  alert: AlertDoc | null,
  clock: () => Date,
  members: MemberView[] | null = null,
): Promise<DeliveryOutcome> {
  const { Timestamp, FieldValue } = fs();
  const started = Date.now();
  const timeoutMs = ctx.config.notifications.channelTimeoutMs;
  const outcome = (status: DeliveryOutcomeStatus, attempt: number, error: string | null): DeliveryOutcome => ({
    deliveryId: delivery.deliveryId,
    alertId: delivery.alertId,
    channel: delivery.channel,
    event: delivery.event,
    status,
    attempt,
    error,
    durationMs: Date.now() - started,
  });
  const alertRef = ref.firestore.collection(delivery.alertCollection).doc(delivery.alertId);
  // Grouping hook: a group delivery records each attempt on the alerts of the members it carries.
  let group: GroupToSend | null = null;
  const record = async (status: NotificationRecord['status'], attempt: number, error: string | null) => {
    if (group)
      return recordOnMembers(
        ref,
        delivery,
        group.live,
        { channel: delivery.channel, attempt, at: Timestamp.fromDate(clock()), status, error, deliveryId: delivery.deliveryId },
        ctx.meter,
      );
    const entry: NotificationRecord = {
      channel: delivery.channel,
      event: delivery.event,
      attempt,
      at: Timestamp.fromDate(clock()),
      status,
      error,
      deliveryId: delivery.deliveryId,
    };
    if (!alert) return;
    await alertRef.update({ notifications: FieldValue.arrayUnion(entry) });
    // A separate write: one array transform per write keeps the embedded emulator correct too.
    if (status === 'sent') await alertRef.update({ notifiedChannels: FieldValue.arrayUnion(delivery.channel) });
    ctx.meter.noteWrites(status === 'sent' ? 2 : 1);
  };
  const finish = async (fields: Partial<DeliveryDoc>) => {
    await ref.update(fields);
    ctx.meter.noteWrites(1);
  };

  if (!DUE_STATUSES.includes(delivery.status)) return outcome('busy', delivery.attempts, `already ${delivery.status}`);
  if (delivery.status === 'sending' && delivery.nextAttemptAt.toMillis() > clock().getTime()) {
    return outcome('busy', delivery.attempts, 'another run is sending it');
  }
  // Grouping hook: members no longer worth sending are dropped (recorded on their alerts); none left: cancelled.
  if (members) {
    group = await prepareGroup(ref, delivery, members, ctx.meter, Timestamp.fromDate(clock()));
    if (group.live.length === 0) {
      await finish({ status: 'cancelled', lastError: 'every alert of the group resolved or was acknowledged before it could be sent' });
      return outcome('cancelled', delivery.attempts, 'every alert of the group resolved or was acknowledged before it could be sent');
    }
    alert = group.live[0].alert;
  }
  // A message about a state that no longer holds is not worth sending late.
  if (!alert || (alert.resolved && eventKind(delivery.event) !== 'resolved' && eventKind(delivery.event) !== 'test')) {
    const reason = alert ? 'alert resolved before this message could be sent' : 'alert no longer exists';
    await finish({ status: 'cancelled', lastError: reason });
    await record('cancelled', delivery.attempts, reason);
    return outcome('cancelled', delivery.attempts, reason);
  }
  // A reminder that nobody acknowledged the alert is pointless once someone has.
  if (eventKind(delivery.event) === 'unacknowledged' && alert.acknowledged) {
    const reason = 'alert acknowledged before the reminder could be sent';
    await finish({ status: 'cancelled', lastError: reason });
    await record('cancelled', delivery.attempts, reason);
    return outcome('cancelled', delivery.attempts, reason);
  }
  const channel = (ctx.channels ?? CHANNEL_IMPLEMENTATIONS)[delivery.channel];
  const unavailable = channel ? channel.unavailable(ctx.config) : `unknown channel ${delivery.channel}`;
  if (unavailable) {
    const now = clock().getTime();
    const since = delivery.skippedSince?.toMillis() ?? now;
    const checks = (delivery.skipChecks ?? 0) + 1;
    if (eventKind(delivery.event) === 'test') {
      // A test message is worth nothing later: not re-checked.
      await finish({ status: 'cancelled', lastError: unavailable });
      await record('skipped', delivery.attempts, unavailable);
      return outcome('skipped', delivery.attempts, unavailable);
    }
    if (now - since >= SKIP_RECHECK_HOURS * 3_600_000) {
      const reason = `not sent: ${unavailable} for ${SKIP_RECHECK_HOURS} h`;
      ctx.log.warn('Channel still not configured, message given up', { channel: delivery.channel, reason: unavailable, alertId: delivery.alertId });
      await finish({ status: 'cancelled', lastError: reason, skipChecks: checks });
      await record('cancelled', delivery.attempts, reason);
      return outcome('cancelled', delivery.attempts, reason);
    }
    ctx.log.warn('Channel not configured, message not sent yet', { channel: delivery.channel, reason: unavailable, alertId: delivery.alertId });
    await finish({
      status: 'skipped',
      lastError: unavailable,
      skippedSince: Timestamp.fromMillis(since),
      skipChecks: checks,
      nextAttemptAt: Timestamp.fromMillis(now + backoffMinutes(checks, SKIP_RECHECK_FIRST_MINUTES) * 60_000),
    });
    // Recorded on the alert once, not at every re-check.
    if (delivery.status !== 'skipped') await record('skipped', delivery.attempts, unavailable);
    return outcome('skipped', delivery.attempts, unavailable);
  }

  const attempt = await claimAttempt(ref, delivery, clock, timeoutMs, ctx.runId);
  if (attempt === null) return outcome('busy', delivery.attempts, 'another run claimed this attempt');
  ctx.meter.noteWrites(2);
  const attemptRef = ref.collection('attempts').doc(String(attempt));

  try {
    await withTimeout(
      channel.send(
        {
          alert,
          event: group?.live[0].member.event ?? delivery.event,
          severity: delivery.severity,
          environment: readParam(MONITORING_ENVIRONMENT) ?? 'production',
          // Only messages about an alert someone still has to acknowledge carry the link. Dated from the
          // delivery, not the attempt: every attempt sends the same text (the SMS ambiguity check
          // compares bodies; mail clients merge retries by Message-ID).
          ackUrl: ackUrlFor(alert, delivery.event, delivery.channel, delivery.createdAt.toDate()),
          // Grouping hook: the alerts a group message lists (format.ts renders two or more as one message), each with its own link.
          ...(group
            ? {
                group: group.live.map((item) => ({
                  alert: item.alert,
                  event: item.member.event,
                  ackUrl: ackUrlFor(item.alert, item.member.event, delivery.channel, delivery.createdAt.toDate()),
                })),
              }
            : {}),
        },
        {
          config: ctx.config,
          timeoutMs,
          deliveryId: delivery.deliveryId,
          ambiguousSince: delivery.ambiguousSince ? delivery.ambiguousSince.toDate() : null,
          alreadySent: delivery.sentTo ?? [],
          markSent: async (recipient) => {
            await ref.update({ sentTo: FieldValue.arrayUnion(recipient) });
            ctx.meter.noteWrites(1);
          },
        },
      ),
      timeoutMs,
      delivery.channel,
    );
  } catch (error) {
    // Every recorded error names its channel (and, from the channels, the HTTP status or SMTP code and the vendor code).
    const named = error instanceof DeliveryError ? error : new DeliveryError(delivery.channel, { timedOut: isTimeout(error) }, describeError(error));
    const message = cleanError(named);
    // No answer in time: the vendor may have taken the message. Retried later than a refusal, and
    // recorded as such (the channel makes its retry harmless where it can: see docs/architecture.md).
    const ambiguous = isTimeout(named);
    const dead = attempt >= ctx.config.notifications.maxAttempts;
    const delayMinutes = backoffMinutes(attempt, ctx.config.notifications.retryBackoffMinutes) * (ambiguous ? AMBIGUOUS_BACKOFF_FACTOR : 1);
    const retryAt = new Date(clock().getTime() + delayMinutes * 60_000);
    const status = dead ? 'dead' : ambiguous ? 'ambiguous' : 'failed';
    ctx.log.warn('Delivery failed', { channel: delivery.channel, alertId: delivery.alertId, attempt, error: message, ambiguous, willRetry: !dead });
    await finish({
      status,
      lastError: message,
      nextAttemptAt: Timestamp.fromDate(dead ? clock() : retryAt),
      ...(ambiguous && !delivery.ambiguousSince ? { ambiguousSince: Timestamp.fromDate(clock()) } : {}),
    });
    await attemptRef.update({ outcome: status, error: message, finishedAt: Timestamp.fromDate(clock()) });
    await record(status, attempt, message);
    return outcome(status, attempt, message);
  }
  await finish({ status: 'sent', sentAt: Timestamp.fromDate(clock()), lastError: null });
  await attemptRef.update({ outcome: 'sent', finishedAt: Timestamp.fromDate(clock()) });
  await record('sent', attempt, null);
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
  const leaseMs = 2 * timeoutMs + 30_000;
  for (let attempt = delivery.attempts + 1; attempt <= delivery.attempts + 3; attempt += 1) {
    const attemptRef = ref.collection('attempts').doc(String(attempt));
    const now = clock();
    const leaseUntil = Timestamp.fromMillis(now.getTime() + leaseMs);
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
