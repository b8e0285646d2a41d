/**
 * Grouping: the stage between planning and delivery. The engine still plans one delivery per
 * (alert event, channel); before sending, the dispatcher folds the fresh deliveries that share a
 * channel, a severity, an event kind (opened, escalated, repeat, unacknowledged, resolved) and a group
 * key (`grouping.by`: all, domain, category; none: no grouping) into ONE group delivery, sent, retried
 * and recorded like any other:
 *
 * - the group delivery is `monitoring_deliveries/group~<channel>~<severity>~<kind>~<hash of member ids>`,
 *   created if absent, listing its members; each member is marked `grouped` with its `groupId`;
 * - a member is taken by claiming its first attempt (`attempts/1`, created if absent, the same claim a
 *   send takes), so a delivery is carried by one group or sent alone, never both, even when runs
 *   overlap; a run that dies after claiming leaves a claim whose lease expires, and the member is then
 *   sent alone (at least once, as for any send interrupted by a crash);
 * - a member whose alert resolved (for a non-"resolved" message), was acknowledged (for a reminder) or
 *   was deleted is dropped from the group at send time and recorded `cancelled` on its alert; each other
 *   member's alert records the group delivery id in its `notifications`;
 * - group wait: a bucket is sent once its oldest member has waited `grouping.waitSeconds`; until then
 *   its members stay pending and the next run of any job looks again.
 * `planGroups` is pure (tested as a table); `formGroups` does the claims and writes.
 */
import { createHash } from 'node:crypto';
import type { DocumentReference, DocumentSnapshot, Timestamp } from 'firebase-admin/firestore';
import { COLLECTIONS, type AlertDoc, type DeliveryDoc, type GroupMember, type NotificationRecord } from '../alerts/model';
import type { GroupingSettings, MonitoringConfig } from '../config/schema';
import { fs, isAlreadyExists, type Meter } from '../platform/firestore';
import { describeError, type Logger } from '../platform/logger';
import { leaseMs, worthSending } from './decide';
import { eventKind } from './format';
import { recordOnAlert } from './record';

export { worthSending };

/** What grouping needs to know about one due delivery. */
export interface GroupCandidate {
  deliveryId: string;
  channel: string;
  severity: string;
  event: string;
  status: DeliveryDoc['status'];
  attempts: number;
  createdAtMs: number;
  grouped: boolean;
  /** The alert, or null when it no longer exists. */
  alert: Pick<AlertDoc, 'domain' | 'category' | 'resolved' | 'acknowledged'> | null;
}

export interface PlannedGroup {
  /** channel|severity|kind|group value */
  bucket: string;
  key: string;
  members: string[];
}

export interface GroupPlan {
  groups: PlannedGroup[];
  /** Deliveries held for the group wait: not sent by this run. */
  held: string[];
}

function groupValue(by: GroupingSettings['by'], alert: Pick<AlertDoc, 'domain' | 'category'>): string {
  if (by === 'domain') return alert.domain;
  if (by === 'category') return `${alert.domain}/${alert.category}`;
  return '*';
}

/**
 * Which due deliveries are folded together, and which wait. Only fresh messages (pending, never
 * attempted, not a group, not a test, still worth sending) take part; the rest is sent as before.
 */
export function planGroups(candidates: readonly GroupCandidate[], settings: GroupingSettings, nowMs: number): GroupPlan {
  if (settings.by === 'none') return { groups: [], held: [] };
  const buckets = new Map<string, GroupCandidate[]>();
  for (const item of candidates) {
    const kind = eventKind(item.event);
    if (item.status !== 'pending' || item.attempts > 0 || item.grouped || kind === 'test' || !worthSending(item.event, item.alert)) continue;
    const bucket = `${item.channel}|${item.severity}|${kind}|${groupValue(settings.by, item.alert!)}`;
    buckets.set(bucket, [...(buckets.get(bucket) ?? []), item]);
  }
  const plan: GroupPlan = { groups: [], held: [] };
  for (const [bucket, items] of buckets) {
    const ordered = [...items].sort((a, b) => a.createdAtMs - b.createdAtMs || a.deliveryId.localeCompare(b.deliveryId));
    if (nowMs - ordered[0].createdAtMs < settings.waitSeconds * 1000) {
      plan.held.push(...ordered.map((item) => item.deliveryId));
      continue;
    }
    if (ordered.length > 1) plan.groups.push({ bucket, key: bucket.split('|')[3], members: ordered.map((item) => item.deliveryId) });
  }
  return plan;
}

/** Deterministic id of the group delivery carrying exactly these members. */
export function groupIdFor(channel: string, severity: string, kind: string, memberIds: readonly string[]): string {
  const hash = createHash('sha256')
    .update([...memberIds].sort().join('\n'))
    .digest('hex')
    .slice(0, 20);
  return `group~${channel}~${severity}~${kind}~${hash}`;
}

export interface GroupingContext {
  meter: Meter;
  config: MonitoringConfig;
  runId: string;
  log: Logger;
}

/**
 * Folds the due deliveries of `byId` (id -> snapshot, changed in place): members of a group formed now
 * are replaced by the group delivery, held ones are removed (a later run sends them).
 */
export async function formGroups(
  ctx: GroupingContext,
  byId: Map<string, DocumentSnapshot>,
  alerts: Map<string, AlertDoc | null>,
  clock: () => Date,
): Promise<void> {
  const grouping = ctx.config.grouping;
  if (!grouping || grouping.by === 'none') return;
  const deliveries = [...byId.values()].map((snapshot) => snapshot.data() as DeliveryDoc);
  const byDelivery = new Map(deliveries.map((delivery) => [delivery.deliveryId, delivery]));
  const candidates: GroupCandidate[] = deliveries.map((delivery) => ({
    deliveryId: delivery.deliveryId,
    channel: delivery.channel,
    severity: delivery.severity,
    event: delivery.event,
    status: delivery.status,
    attempts: delivery.attempts,
    createdAtMs: delivery.createdAt.toMillis(),
    grouped: Boolean(delivery.group || delivery.groupId),
    alert: alerts.get(`${delivery.alertCollection}/${delivery.alertId}`) ?? null,
  }));
  const plan = planGroups(candidates, grouping, clock().getTime());
  for (const id of plan.held) byId.delete(id);
  for (const planned of plan.groups) {
    try {
      await formGroup(ctx, planned, byId, byDelivery, clock, grouping.by);
    } catch (error) {
      // Members claimed here are sent alone by a later run once their claims' leases expire.
      ctx.log.error('Grouping failed; its messages are sent alone later', { members: planned.members, error: describeError(error) });
      for (const id of planned.members) byId.delete(id);
    }
  }
}

async function formGroup(
  ctx: GroupingContext,
  planned: PlannedGroup,
  byId: Map<string, DocumentSnapshot>,
  byDelivery: Map<string, DeliveryDoc>,
  clock: () => Date,
  by: GroupingSettings['by'],
): Promise<void> {
  const { Timestamp } = fs();
  const db = ctx.meter.db;
  const claimed = await claimMembers(ctx, planned.members, byDelivery, clock);
  const claimRefs = claimed.map((delivery) => db.collection(COLLECTIONS.deliveries).doc(delivery.deliveryId).collection('attempts').doc('1'));
  if (claimed.length < 2) {
    // Nothing to fold: release the claim so that the message is sent alone, as usual.
    await Promise.all(claimRefs.map((ref) => ref.delete()));
    return;
  }
  const wallNow = Timestamp.fromDate(clock());
  const group = groupDeliveryOf(claimed, { by, key: planned.key }, ctx.runId, wallNow);
  const groupRef = db.collection(COLLECTIONS.deliveries).doc(group.deliveryId);
  const batch = db.batch();
  // The create-if-absent write comes first (the embedded emulator applies a batch in order).
  batch.create(groupRef, group);
  claimed.forEach((delivery, index) => {
    batch.update(db.collection(COLLECTIONS.deliveries).doc(delivery.deliveryId), {
      status: 'grouped',
      groupId: group.deliveryId,
      attempts: 1,
      nextAttemptAt: wallNow,
    });
    batch.update(claimRefs[index], { outcome: 'grouped', groupId: group.deliveryId, finishedAt: wallNow });
  });
  try {
    await batch.commit();
    ctx.meter.noteWrites(1 + 2 * claimed.length);
  } catch (error) {
    // The claims expire and the members are sent alone by a later run.
    ctx.log.warn('Could not record a group delivery', { groupId: group.deliveryId, error: describeError(error) });
    for (const delivery of claimed) byId.delete(delivery.deliveryId);
    return;
  }
  for (const delivery of claimed) byId.delete(delivery.deliveryId);
  byId.set(group.deliveryId, await ctx.meter.get(groupRef));
}

/** Takes each member by claiming its first attempt: whoever holds it sends that message. Returns those taken. */
async function claimMembers(ctx: GroupingContext, ids: readonly string[], byDelivery: Map<string, DeliveryDoc>, clock: () => Date): Promise<DeliveryDoc[]> {
  const { Timestamp } = fs();
  const lease = leaseMs(ctx.config.notifications.channelTimeoutMs);
  const claimed: DeliveryDoc[] = [];
  for (const id of ids) {
    const claimRef = ctx.meter.db.collection(COLLECTIONS.deliveries).doc(id).collection('attempts').doc('1');
    const now = clock();
    try {
      await claimRef.create({ claimedAt: Timestamp.fromDate(now), leaseUntil: Timestamp.fromMillis(now.getTime() + lease), runId: ctx.runId, outcome: null });
      ctx.meter.noteWrites(1);
      claimed.push(byDelivery.get(id)!);
    } catch (error) {
      // Claimed already: another run holds it (alone or in its group), or a dead run left a claim whose
      // lease expires. Left to the usual send path, whose own claim tells which (busy, or the next attempt).
      if (!isAlreadyExists(error)) ctx.log.warn('Could not claim a message for its group', { deliveryId: id, error: describeError(error) });
    }
  }
  return claimed;
}

/** The group delivery carrying `claimed` (its first member leads: alert, event, channel, severity). */
function groupDeliveryOf(claimed: readonly DeliveryDoc[], group: { by: GroupingSettings['by']; key: string }, runId: string, now: Timestamp): DeliveryDoc {
  const [leader] = claimed;
  const members: GroupMember[] = claimed.map((delivery) => ({
    deliveryId: delivery.deliveryId,
    alertId: delivery.alertId,
    alertCollection: delivery.alertCollection,
    ruleId: delivery.ruleId,
    event: delivery.event,
  }));
  const groupId = groupIdFor(
    leader.channel,
    leader.severity,
    eventKind(leader.event),
    claimed.map((delivery) => delivery.deliveryId),
  );
  return {
    deliveryId: groupId,
    alertId: leader.alertId,
    alertCollection: leader.alertCollection,
    ruleId: leader.ruleId,
    event: leader.event,
    channel: leader.channel,
    severity: leader.severity,
    status: 'pending',
    attempts: 0,
    nextAttemptAt: now,
    createdAt: now,
    runId,
    lastError: null,
    sentAt: null,
    sentTo: [],
    group: { ...group, members },
    droppedMembers: [],
  };
}

/** The alert documents a delivery needs: its own, and every member's for a group. */
export function alertPathsOf(delivery: DeliveryDoc): Array<{ path: string; collection: string; id: string }> {
  const own = [{ collection: delivery.alertCollection, id: delivery.alertId }];
  const members = delivery.group?.members.map((member) => ({ collection: member.alertCollection, id: member.alertId })) ?? [];
  return [...own, ...members].map((item) => ({ ...item, path: `${item.collection}/${item.id}` }));
}

export interface MemberView {
  member: GroupMember;
  alert: AlertDoc | null;
}

/** A group delivery's members with their alerts as read by this run; null for a lone delivery. */
export function groupMembers(delivery: DeliveryDoc, alerts: Map<string, AlertDoc | null>): MemberView[] | null {
  if (!delivery.group) return null;
  return delivery.group.members.map((member) => ({ member, alert: alerts.get(`${member.alertCollection}/${member.alertId}`) ?? null }));
}

export interface GroupToSend {
  /** Members still worth sending (their alert with the member's event). */
  live: Array<{ member: GroupMember; alert: AlertDoc }>;
  /** Members no longer worth sending and not yet recorded as dropped. */
  dropped: MemberView[];
}

/** Which members of a group delivery are still worth sending, and which are newly dropped. Pure. */
export function splitMembers(delivery: Pick<DeliveryDoc, 'droppedMembers'>, members: readonly MemberView[]): GroupToSend {
  const alreadyDropped = new Set(delivery.droppedMembers ?? []);
  const split: GroupToSend = { live: [], dropped: [] };
  for (const view of members) {
    if (worthSending(view.member.event, view.alert)) split.live.push({ member: view.member, alert: view.alert! });
    else if (!alreadyDropped.has(view.member.deliveryId)) split.dropped.push(view);
  }
  return split;
}

/** Records the newly dropped members: on the group delivery (once) and `cancelled` on their alerts. */
export async function recordDropped(ref: DocumentReference, delivery: DeliveryDoc, dropped: readonly MemberView[], meter: Meter, at: Timestamp): Promise<void> {
  const { FieldValue } = fs();
  for (const view of dropped) {
    const reason = view.alert ? 'alert resolved or acknowledged before its group message could be sent' : 'alert no longer exists';
    await ref.update({ droppedMembers: FieldValue.arrayUnion(view.member.deliveryId) });
    meter.noteWrites(1);
    if (view.alert) {
      const entry = {
        channel: delivery.channel,
        event: view.member.event,
        attempt: delivery.attempts,
        at,
        status: 'cancelled' as const,
        error: reason,
        deliveryId: delivery.deliveryId,
      };
      await recordOnAlert(ref.firestore.collection(view.member.alertCollection).doc(view.member.alertId), entry, meter);
    }
  }
}

/** Records one attempt of a group delivery on every member alert it carried. */
export async function recordOnMembers(
  ref: DocumentReference,
  live: GroupToSend['live'],
  entry: Omit<NotificationRecord, 'event'>,
  meter: Meter,
): Promise<void> {
  for (const { member } of live) {
    await recordOnAlert(ref.firestore.collection(member.alertCollection).doc(member.alertId), { ...entry, event: member.event }, meter);
  }
}
