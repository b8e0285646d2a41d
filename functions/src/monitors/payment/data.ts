/**
 * Measurements on the app's own data (`payments`, `payouts`, `call_sessions`), documented in
 * docs/data-model.md. Counts are aggregation queries; documents are read only to explain an alert
 * that fires (top failure codes, from a sample of at most EXPLAIN_SAMPLE documents, one field).
 */
import type { Query } from 'firebase-admin/firestore';
import { fs } from '../../platform/firestore';
import type { MonitorContext } from '../types';

export const PAYMENTS = 'payments';
export const PAYOUTS = 'payouts';
export const CALL_SESSIONS = 'call_sessions';
/** Written by the payment and metrics jobs, read by the dashboard. */
export const PAYMENT_METRICS = 'payment_metrics';

/** Statuses of a payment that mean the money was collected. */
export const CAPTURED_STATUSES = ['captured', 'refunded'];
export const PENDING_PAYOUT_STATUSES = ['pending', 'processing'];
export const OPEN_SESSION_STATUSES = ['pending', 'scheduled'];

const ago = (now: Date, minutes: number) => fs().Timestamp.fromMillis(now.getTime() - minutes * 60_000);

/** Documents read to explain a firing failure rule: enough to see the dominant codes, and bounded. */
export const EXPLAIN_SAMPLE = 20;

/** "card_declined ×4, expired_card ×1" from the given field of a sample of matching documents. */
async function topValues(ctx: MonitorContext, query: Query, field: string): Promise<string | undefined> {
  const docs = await ctx.db.docs(query.select(field).limit(EXPLAIN_SAMPLE));
  const counts = new Map<string, number>();
  for (const doc of docs) {
    const value = doc.get(field);
    const label = typeof value === 'string' && value ? value : 'unknown';
    counts.set(label, (counts.get(label) ?? 0) + 1);
  }
  const top = [...counts.entries()].sort((a, b) => b[1] - a[1]).slice(0, 3);
  return top.length ? top.map(([label, count]) => `${label} ×${count}`).join(', ') : undefined;
}

export interface PaymentHealth {
  stripe: { failures: number; uncaptured: number; authorized: number; captured: number; captureRate: number | null };
  paypal: { failures: number };
  payouts: { pendingTooLong: number; failed: number };
  calls: { failed: number; orphaned: number };
}

/** Measures every app-data rule of the payment job and reports the observations. */
export async function measurePaymentHealth(ctx: MonitorContext): Promise<PaymentHealth> {
  const db = ctx.db.db;
  const now = ctx.now;
  const payments = db.collection(PAYMENTS);
  const payouts = db.collection(PAYOUTS);
  const sessions = db.collection(CALL_SESSIONS);
  const nowTs = fs().Timestamp.fromDate(now);

  const failedPayments = (provider: string, windowMinutes: number) =>
    payments.where('provider', '==', provider).where('status', '==', 'failed').where('failedAt', '>', ago(now, windowMinutes)).where('failedAt', '<=', nowTs);

  const stripeFailures = failedPayments('stripe', ctx.settings('stripe_payment_failures').params.windowMinutes);
  const paypalFailures = failedPayments('paypal', ctx.settings('paypal_payment_failures').params.windowMinutes);
  const uncaptured = payments.where('status', '==', 'requires_capture').where('authorizedAt', '<=', ago(now, ctx.settings('uncaptured_payments').params.olderThanHours * 60));
  const rate = ctx.settings('capture_rate').params;
  const authorizedFrom = ago(now, rate.windowHours * 60);
  const authorizedTo = ago(now, rate.graceHours * 60);
  const authorized = payments.where('authorizedAt', '>', authorizedFrom).where('authorizedAt', '<=', authorizedTo);
  const captured = payments.where('status', 'in', CAPTURED_STATUSES).where('authorizedAt', '>', authorizedFrom).where('authorizedAt', '<=', authorizedTo);
  const latePayouts = payouts.where('status', 'in', PENDING_PAYOUT_STATUSES).where('createdAt', '<=', ago(now, ctx.settings('payouts_pending_too_long').params.olderThanHours * 60));
  const failedPayouts = payouts.where('status', '==', 'failed');
  const failedCalls = sessions.where('status', '==', 'failed').where('failedAt', '>', ago(now, ctx.settings('failed_calls').params.windowMinutes)).where('failedAt', '<=', nowTs);
  const orphans = sessions.where('status', 'in', OPEN_SESSION_STATUSES).where('expectedEndAt', '<=', ago(now, ctx.settings('orphaned_call_sessions').params.graceMinutes));

  const [stripeCount, paypalCount, uncapturedCount, authorizedCount, capturedCount, lateCount, failedPayoutCount, failedCallCount, orphanCount] = await Promise.all(
    [stripeFailures, paypalFailures, uncaptured, authorized, captured, latePayouts, failedPayouts, failedCalls, orphans].map((query) => ctx.db.count(query)),
  );

  // Explain the failures only when they will be alerted on.
  const explain = async (count: number, ruleId: string, query: Query, field: string, label: string) =>
    count > ctx.settings(ruleId).threshold ? { [label]: await topValues(ctx, query, field) } : {};

  ctx.observe({ ruleId: 'stripe_payment_failures', value: stripeCount, details: await explain(stripeCount, 'stripe_payment_failures', stripeFailures, 'failureCode', 'topCodes') });
  ctx.observe({ ruleId: 'paypal_payment_failures', value: paypalCount, details: await explain(paypalCount, 'paypal_payment_failures', paypalFailures, 'failureCode', 'topCodes') });
  ctx.observe({ ruleId: 'uncaptured_payments', value: uncapturedCount });
  const captureRate = authorizedCount === 0 ? null : (capturedCount / authorizedCount) * 100;
  ctx.observe({ ruleId: 'capture_rate', value: captureRate ?? 100, sample: authorizedCount, details: { captured: capturedCount, authorized: authorizedCount } });
  ctx.observe({ ruleId: 'payouts_pending_too_long', value: lateCount });
  ctx.observe({ ruleId: 'failed_payouts', value: failedPayoutCount });
  ctx.observe({ ruleId: 'failed_calls', value: failedCallCount, details: await explain(failedCallCount, 'failed_calls', failedCalls, 'failureReason', 'topReasons') });
  ctx.observe({ ruleId: 'orphaned_call_sessions', value: orphanCount });

  return {
    stripe: { failures: stripeCount, uncaptured: uncapturedCount, authorized: authorizedCount, captured: capturedCount, captureRate },
    paypal: { failures: paypalCount },
    payouts: { pendingTooLong: lateCount, failed: failedPayoutCount },
    calls: { failed: failedCallCount, orphaned: orphanCount },
  };
}
