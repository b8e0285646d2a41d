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
import type { MonitoringConfig } from '../config/schema';
import { fs, isAlreadyExists, type Meter } from '../platform/firestore';
import { describeError, type Logger } from '../platform/logger';
import { CHANNEL_IMPLEMENTATIONS, type Channel } from './channels';
import { eventKind } from './format';
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

export type DeliveryOutcomeStatus = 'sent' | 'failed' | 'dead' | 'skipped' | 'cancelled' | 'busy';

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
const DUE_STATUSES: DeliveryDoc['status'][] = ['pending', 'failed', 'sending'];

export function backoffMinutes(attempt: number, baseMinutes: number): number {
  return Math.min(MAX_BACKOFF_MINUTES, baseMinutes * 2 ** (attempt - 1));
}

export function cleanError(error: unknown): string {
  return maskPersonalData(redactSecrets(describeError(error))).slice(0, 500);
}

function withTimeout<T>(promise: Promise<T>, timeoutMs: number, label: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${label} timed out after ${timeoutMs} ms`)), timeoutMs);
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
          deliveries
            .where('status', 'in', DUE_STATUSES)
            .where('nextAttemptAt', '<=', Timestamp.fromDate(clock()))
            .orderBy('nextAttemptAt')
            .limit(SWEEP_LIMIT),
        );
  const byId = new Map<string, DocumentSnapshot>();
  for (const snapshot of [...fresh, ...due]) if (snapshot.exists) byId.set(snapshot.id, snapshot);
  if (byId.size === 0) return [];

  const alertRefs = new Map<string, DocumentReference>();
  for (const snapshot of byId.values()) {
    const delivery = snapshot.data() as DeliveryDoc;
    alertRefs.set(`${delivery.alertCollection}/${delivery.alertId}`, db.collection(delivery.alertCollection).doc(delivery.alertId));
  }
  const alertSnapshots = await ctx.meter.getAll([...alertRefs.values()]);
  const alerts = new Map<string, AlertDoc | null>();
  [...alertRefs.keys()].forEach((path, index) => alerts.set(path, alertSnapshots[index].exists ? (alertSnapshots[index].data() as AlertDoc) : null));

  const settled = await Promise.allSettled(
    [...byId.values()].map((snapshot) => {
      const delivery = snapshot.data() as DeliveryDoc;
      return deliverOne(ctx, snapshot.ref, delivery, alerts.get(`${delivery.alertCollection}/${delivery.alertId}`) ?? null, clock);
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
  const record = async (status: NotificationRecord['status'], attempt: number, error: string | null) => {
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
    ctx.log.warn('Channel not configured, message not sent', { channel: delivery.channel, reason: unavailable, alertId: delivery.alertId });
    await finish({ status: 'skipped', lastError: unavailable });
    await record('skipped', delivery.attempts, unavailable);
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
          event: delivery.event,
          severity: delivery.severity,
          environment: readParam(MONITORING_ENVIRONMENT) ?? 'production',
          // Only messages about an alert someone still has to acknowledge carry the link.
          ackUrl: ['resolved', 'test'].includes(eventKind(delivery.event)) || alert.acknowledged || alert.resolved ? undefined : ackLinkFor(alert.id, delivery.channel, clock()),
        },
        {
          config: ctx.config,
          timeoutMs,
          alreadySent: delivery.sentTo ?? [],
          markSent: async (recipient) => {
            await ref.update({ sentTo: FieldValue.arrayUnion(recipient) });
            ctx.meter.noteWrites(1);
          },
        },
      ),
      timeoutMs,
      `${delivery.channel} delivery`,
    );
  } catch (error) {
    const message = cleanError(error);
    const dead = attempt >= ctx.config.notifications.maxAttempts;
    const retryAt = new Date(clock().getTime() + backoffMinutes(attempt, ctx.config.notifications.retryBackoffMinutes) * 60_000);
    ctx.log.warn('Delivery failed', { channel: delivery.channel, alertId: delivery.alertId, attempt, error: message, willRetry: !dead });
    await finish({
      status: dead ? 'dead' : 'failed',
      lastError: message,
      nextAttemptAt: Timestamp.fromDate(dead ? clock() : retryAt),
    });
    await attemptRef.update({ outcome: dead ? 'dead' : 'failed', error: message, finishedAt: Timestamp.fromDate(clock()) });
    await record(dead ? 'dead' : 'failed', attempt, message);
    return outcome(dead ? 'dead' : 'failed', attempt, message);
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
async function claimAttempt(
  ref: DocumentReference,
  delivery: DeliveryDoc,
  clock: () => Date,
  timeoutMs: number,
  runId: string,
): Promise<number | null> {
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
