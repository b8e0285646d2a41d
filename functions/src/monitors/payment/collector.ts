/**
 * Payment metrics collection (every 6 hours): a `payment_metrics` snapshot of the last 24 hours for the
 * dashboard's charts. Every figure is an aggregation query (counts, sums, averages); no document is
 * downloaded.
 */
import { fs } from '../../platform/firestore';
import type { Monitor } from '../types';
import { CALL_SESSIONS, CAPTURED_STATUSES, PAYMENT_METRICS, PAYMENTS, PAYOUTS } from './data';

const DAY_MS = 86_400_000;

export const metricsCollector: Monitor = {
  async run(ctx) {
    const { Timestamp, AggregateField } = fs();
    const db = ctx.db.db;
    const from = Timestamp.fromMillis(ctx.now.getTime() - DAY_MS);
    const to = Timestamp.fromDate(ctx.now);
    const payments = db.collection(PAYMENTS);
    const created = payments.where('createdAt', '>', from).where('createdAt', '<=', to);
    const count = (query: FirebaseFirestore.Query) => ctx.db.count(query);

    const [
      stripeCreated,
      paypalCreated,
      stripeFailed,
      paypalFailed,
      authorized,
      captured,
      payoutsPaid,
      payoutsFailed,
      payoutsPending,
      callsCompleted,
      callsFailed,
    ] = await Promise.all([
      count(created.where('provider', '==', 'stripe')),
      count(created.where('provider', '==', 'paypal')),
      count(payments.where('provider', '==', 'stripe').where('status', '==', 'failed').where('failedAt', '>', from).where('failedAt', '<=', to)),
      count(payments.where('provider', '==', 'paypal').where('status', '==', 'failed').where('failedAt', '>', from).where('failedAt', '<=', to)),
      count(payments.where('authorizedAt', '>', from).where('authorizedAt', '<=', to)),
      count(payments.where('status', 'in', CAPTURED_STATUSES).where('authorizedAt', '>', from).where('authorizedAt', '<=', to)),
      count(db.collection(PAYOUTS).where('status', '==', 'paid').where('paidAt', '>', from).where('paidAt', '<=', to)),
      count(db.collection(PAYOUTS).where('status', '==', 'failed')),
      count(db.collection(PAYOUTS).where('status', 'in', ['pending', 'processing'])),
      count(db.collection(CALL_SESSIONS).where('status', '==', 'completed').where('endedAt', '>', from).where('endedAt', '<=', to)),
      count(db.collection(CALL_SESSIONS).where('status', '==', 'failed').where('failedAt', '>', from).where('failedAt', '<=', to)),
    ]);

    // Captured volume and average payment per configured currency (amounts in minor units).
    const volume: Record<string, { payments: number; amount: number; average: number | null }> = {};
    for (const currency of ctx.config.metrics.currencies) {
      const result = await ctx.db.aggregate(
        payments.where('status', 'in', CAPTURED_STATUSES).where('currency', '==', currency).where('capturedAt', '>', from).where('capturedAt', '<=', to),
        { amount: AggregateField.sum('amount'), average: AggregateField.average('amount') },
      );
      volume[currency] = { payments: result.count, amount: result.amount ?? 0, average: result.average };
    }

    const snapshot = {
      timestamp: to,
      source: ctx.job,
      runId: ctx.runId,
      period: '24h',
      stripe: { payments: stripeCreated, failed: stripeFailed, authorized, captured, captureRate: authorized ? (captured / authorized) * 100 : null, volume },
      paypal: { payments: paypalCreated, failed: paypalFailed, payoutsPaid, payoutsFailed, payoutsPending },
      calls: { completed: callsCompleted, failed: callsFailed },
    };
    await ctx.write(PAYMENT_METRICS, `${ctx.job}-${ctx.tickMs}`, snapshot);
    return { stripe: snapshot.stripe, paypal: snapshot.paypal, calls: snapshot.calls };
  },
};
