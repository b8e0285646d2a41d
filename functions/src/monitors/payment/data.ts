/**
 * Measurements on the app's own data (`payments`, `payouts`, `call_sessions`), documented in
 * docs/data-model.md. Counts are aggregation queries; documents are read only to explain an alert
 * that fires (top failure codes, from a sample of at most EXPLAIN_SAMPLE documents, one field).
 */
import type { Query } from 'firebase-admin/firestore';
import { SourceReader, type SourceQuery } from '../../sources';
import { unlessBlind } from '../blind';
import { measureSliding } from '../coverage';
import type { MonitorContext } from '../types';

/** Written by the payment and metrics jobs, read by the dashboard. */
export const PAYMENT_METRICS = 'payment_metrics';

/** Meanings of a payment status that say the money was collected. */
export const COLLECTED = ['captured', 'refunded'];
/** Meanings of a payout status that say it is not paid yet. */
export const PAYOUT_NOT_PAID = ['pending', 'processing'];
/** Meanings of a call session status that say it is still open. */
export const SESSION_OPEN = ['pending', 'scheduled'];

/** Documents read to explain a firing failure rule: enough to see the dominant codes, and bounded. */
export const EXPLAIN_SAMPLE = 20;

/** "card_declined ×4, expired_card ×1" from the given field of a sample of matching documents. */
async function topValues(ctx: MonitorContext, query: SourceQuery, field: string): Promise<string | undefined> {
  if (!query.source.fields[field]) return undefined;
  const docs = await ctx.db.docs(query.select(field).limit(EXPLAIN_SAMPLE).query);
  const read = new SourceReader(query.source);
  const counts = new Map<string, number>();
  for (const doc of docs) {
    const value = read.raw(doc, field);
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

/** Rules measured here from the app's own data (the vendor cross-checks are in vendorChecks.ts). */
export const PAYMENT_DATA_RULES = [
  'stripe_payment_failures',
  'paypal_payment_failures',
  'uncaptured_payments',
  'capture_rate',
  'payouts_pending_too_long',
  'failed_payouts',
  'failed_calls',
  'orphaned_call_sessions',
] as const;
export type PaymentDataRule = (typeof PAYMENT_DATA_RULES)[number];

/**
 * Measures the app-data rules of the payment job (all of them, or `only` those: the fast path) and
 * reports the observations. The failure counts cover every window since the rule's previous
 * scheduled evaluation (monitors/coverage.ts); the others are states or long windows.
 */
export async function measurePaymentHealth(ctx: MonitorContext, only: ReadonlySet<string> = new Set(PAYMENT_DATA_RULES)): Promise<PaymentHealth> {
  const nowMs = ctx.now.getTime();
  const ago = (minutes: number) => nowMs - minutes * 60_000;
  // Rules whose data is not mapped are off (recorded as skipped), never counted as zero.
  const seeing = new Set(
    unlessBlind(
      ctx,
      PAYMENT_DATA_RULES.filter((ruleId) => only.has(ruleId)),
    ),
  );
  const wanted = (ruleId: PaymentDataRule) => seeing.has(ruleId);
  const skipped = Promise.resolve(0);
  const count = (ruleId: PaymentDataRule, query: () => Query) => (wanted(ruleId) ? ctx.db.count(query()) : skipped);
  const payments = () => ctx.sources.from('payments');
  const payouts = () => ctx.sources.from('payouts');
  const sessions = () => ctx.sources.from('callSessions');

  const failedPayments = (provider: 'stripe' | 'paypal') => (startMs: number, endMs: number) =>
    payments().is('provider', provider).is('status', 'failed').inSpan('failedAt', startMs, endMs);
  const failedCallsIn = (startMs: number, endMs: number) => sessions().is('status', 'failed').inSpan('failedAt', startMs, endMs);
  /** Worst window of a failure count, with the query of that window (to explain it). */
  const sliding = async (ruleId: PaymentDataRule, query: (startMs: number, endMs: number) => SourceQuery) => {
    if (!wanted(ruleId)) return null;
    const result = await measureSliding(ctx, ruleId, ctx.settings(ruleId).params.windowMinutes, 'above', async (startMs, endMs) => ({
      value: await ctx.db.count(query(startMs, endMs).query),
    }));
    return { ...result, query: query(result.startMs, result.endMs) };
  };

  const uncaptured = () =>
    payments()
      .is('status', 'awaitingCapture')
      .atOrBefore('authorizedAt', ago(ctx.settings('uncaptured_payments').params.olderThanHours * 60)).query;
  const rate = ctx.settings('capture_rate').params;
  const authorizedSpan = (query: SourceQuery) => query.inSpan('authorizedAt', ago(rate.windowHours * 60), ago(rate.graceHours * 60));
  const authorized = () => authorizedSpan(payments()).query;
  const captured = () => authorizedSpan(payments().is('status', ...COLLECTED)).query;
  const latePayouts = () =>
    payouts()
      .is('status', ...PAYOUT_NOT_PAID)
      .atOrBefore('createdAt', ago(ctx.settings('payouts_pending_too_long').params.olderThanHours * 60)).query;
  const failedPayouts = () => payouts().is('status', 'failed').query;
  const orphans = () =>
    sessions()
      .is('status', ...SESSION_OPEN)
      .atOrBefore('expectedEndAt', ago(ctx.settings('orphaned_call_sessions').params.graceMinutes)).query;

  const [stripe, paypal, calls, uncapturedCount, authorizedCount, capturedCount, lateCount, failedPayoutCount, orphanCount] = await Promise.all([
    sliding('stripe_payment_failures', failedPayments('stripe')),
    sliding('paypal_payment_failures', failedPayments('paypal')),
    sliding('failed_calls', failedCallsIn),
    count('uncaptured_payments', uncaptured),
    count('capture_rate', authorized),
    count('capture_rate', captured),
    count('payouts_pending_too_long', latePayouts),
    count('failed_payouts', failedPayouts),
    count('orphaned_call_sessions', orphans),
  ]);

  // Explain the failures only when they will be alerted on (documents of the worst window).
  const explain = async (result: Awaited<ReturnType<typeof sliding>>, ruleId: PaymentDataRule, field: string, label: string) => {
    if (!result) return {};
    const why = result.value > ctx.settings(ruleId).threshold ? { [label]: await topValues(ctx, result.query, field) } : {};
    return { ...result.coverageDetails, ...why };
  };
  const observeSliding = async (ruleId: PaymentDataRule, result: Awaited<ReturnType<typeof sliding>>, field: string, label: string) => {
    if (result) ctx.observe({ ruleId, value: result.value, details: await explain(result, ruleId, field, label) });
  };

  await observeSliding('stripe_payment_failures', stripe, 'failureCode', 'topCodes');
  await observeSliding('paypal_payment_failures', paypal, 'failureCode', 'topCodes');
  if (wanted('uncaptured_payments')) ctx.observe({ ruleId: 'uncaptured_payments', value: uncapturedCount });
  const captureRate = authorizedCount === 0 ? null : (capturedCount / authorizedCount) * 100;
  if (wanted('capture_rate')) {
    ctx.observe({
      ruleId: 'capture_rate',
      value: captureRate ?? 100,
      sample: authorizedCount,
      details: { captured: capturedCount, authorized: authorizedCount },
    });
  }
  if (wanted('payouts_pending_too_long')) ctx.observe({ ruleId: 'payouts_pending_too_long', value: lateCount });
  if (wanted('failed_payouts')) ctx.observe({ ruleId: 'failed_payouts', value: failedPayoutCount });
  await observeSliding('failed_calls', calls, 'failureReason', 'topReasons');
  if (wanted('orphaned_call_sessions')) ctx.observe({ ruleId: 'orphaned_call_sessions', value: orphanCount });

  return {
    stripe: { failures: stripe?.value ?? 0, uncaptured: uncapturedCount, authorized: authorizedCount, captured: capturedCount, captureRate },
    paypal: { failures: paypal?.value ?? 0 },
    payouts: { pendingTooLong: lateCount, failed: failedPayoutCount },
    calls: { failed: calls?.value ?? 0, orphaned: orphanCount },
  };
}
