/**
 * Channel health from the delivery records (monitoring_deliveries). For each channel: the newest
 * delivery sent, then the failed and dead deliveries created after it (or within the lookback when
 * nothing was ever sent), summed by attempts with an aggregation query. Three to four billed reads
 * per channel, whatever the volume.
 */
import type { Timestamp } from 'firebase-admin/firestore';
import type { DeliveryDoc } from '../../alerts/model';
import { COLLECTIONS } from '../../platform/collections';
import { CHANNELS, type ChannelName } from '../../config/schema';
import { fs } from '../../platform/firestore';
import type { MonitorContext } from '../types';
import { safeExcerpt } from './errors';

/** Attempts that timed out count as failures of the channel too. */
const FAILED: DeliveryDoc['status'][] = ['failed', 'ambiguous', 'dead'];
const iso = (value: Timestamp | null | undefined) => (value?.toDate ? value.toDate().toISOString() : null);

export async function measureChannel(ctx: MonitorContext, channel: ChannelName): Promise<number> {
  const { Timestamp, AggregateField } = fs();
  const lookbackHours = ctx.settings('channel_failing').params.lookbackHours;
  const lookbackStart = ctx.now.getTime() - lookbackHours * 3_600_000;
  const deliveries = ctx.db.db.collection(COLLECTIONS.deliveries).where('channel', '==', channel);

  const [lastSentDoc] = await ctx.db.docs(deliveries.where('status', '==', 'sent').orderBy('sentAt', 'desc').limit(1));
  const lastSent = lastSentDoc?.data() as DeliveryDoc | undefined;
  const boundaryMs = Math.max(lookbackStart, lastSent?.sentAt?.toMillis() ?? 0);
  const failing = deliveries.where('status', 'in', FAILED).where('createdAt', '>', Timestamp.fromMillis(boundaryMs));
  const totals = await ctx.db.aggregate(failing, { attempts: AggregateField.sum('attempts') });
  const failedAttempts = totals.attempts ?? 0;
  let latest: DeliveryDoc | undefined;
  if (totals.count > 0) {
    const [doc] = await ctx.db.docs(failing.orderBy('createdAt', 'desc').limit(1));
    latest = doc?.data() as DeliveryDoc | undefined;
  }
  ctx.observe({
    ruleId: 'channel_failing',
    key: channel,
    value: failedAttempts,
    details: {
      failedDeliveries: totals.count,
      lastSentAt: iso(lastSent?.sentAt),
      lastError: safeExcerpt(latest?.lastError),
      lastFailedAlertId: latest?.alertId ?? null,
      lookbackHours,
    },
  });
  return failedAttempts;
}

export async function measureChannelHealth(ctx: MonitorContext): Promise<Record<ChannelName, number>> {
  const values = await Promise.all(CHANNELS.map((channel) => measureChannel(ctx, channel)));
  return Object.fromEntries(CHANNELS.map((channel, index) => [channel, values[index]])) as Record<ChannelName, number>;
}
