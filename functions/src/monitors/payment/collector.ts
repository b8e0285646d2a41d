/**
 * Payment metrics collection (every 6 hours): a `payment_metrics` snapshot of the last 24 hours for the
 * dashboard's charts, and the learned success rates of the blocked rules (monitoring_baselines/blocked). Every figure is an aggregation query (counts, sums, averages); no document is
 * downloaded.
 */
import { fs } from '../../platform/firestore';
import { BLOCKED_HISTORY, CheckEnv } from '../functional/checks';
import { learnBlockedRates } from '../functional/learned';
import type { Monitor } from '../types';
import { NotMappedError, type SourceQuery } from '../../sources';
import { COLLECTED, PAYMENT_METRICS, PAYOUT_NOT_PAID } from './data';

const DAY_MS = 86_400_000;

export const metricsCollector: Monitor = {
  async run(ctx) {
    const { Timestamp, AggregateField } = fs();
    const toMs = ctx.now.getTime();
    const fromMs = toMs - DAY_MS;
    const to = Timestamp.fromMillis(toMs);
    const { sources } = ctx;
    // A figure whose data is not in the source mapping is null (the doctor and the rules say why).
    const count = (query: () => SourceQuery): Promise<number | null> => {
      try {
        return ctx.db.count(query().query);
      } catch (error) {
        if (error instanceof NotMappedError) return Promise.resolve(null);
        throw error;
      }
    };
    const payments = () => sources.from('payments');
    const payouts = () => sources.from('payouts');
    const sessions = () => sources.from('callSessions');

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
      count(() => payments().is('provider', 'stripe').inSpan('createdAt', fromMs, toMs)),
      count(() => payments().is('provider', 'paypal').inSpan('createdAt', fromMs, toMs)),
      count(() => payments().is('provider', 'stripe').is('status', 'failed').inSpan('failedAt', fromMs, toMs)),
      count(() => payments().is('provider', 'paypal').is('status', 'failed').inSpan('failedAt', fromMs, toMs)),
      count(() => payments().inSpan('authorizedAt', fromMs, toMs)),
      count(() =>
        payments()
          .is('status', ...COLLECTED)
          .inSpan('authorizedAt', fromMs, toMs),
      ),
      count(() => payouts().is('status', 'paid').inSpan('paidAt', fromMs, toMs)),
      count(() => payouts().is('status', 'failed')),
      count(() => payouts().is('status', ...PAYOUT_NOT_PAID)),
      count(() => sessions().is('status', 'completed').inSpan('endedAt', fromMs, toMs)),
      count(() => sessions().is('status', 'failed').inSpan('failedAt', fromMs, toMs)),
    ]);

    // Captured volume and average payment per configured currency (amounts in minor units).
    const volume: Record<string, { payments: number; amount: number; average: number | null }> = {};
    const capturedOf = (currency: string) =>
      payments()
        .is('status', ...COLLECTED)
        .equals('currency', currency)
        .inSpan('capturedAt', fromMs, toMs);
    // The captured volume needs every field it filters and sums on (unmapped: no volume figures).
    const mapped = sources.source('payments');
    const volumeMapped = mapped.collection !== null && ['status', 'currency', 'capturedAt', 'amount'].every((field) => mapped.fields[field]);
    for (const currency of volumeMapped ? ctx.config.metrics.currencies : []) {
      const query = capturedOf(currency);
      const amountPath = query.path('amount');
      const result = await ctx.db.aggregate(query.query, { amount: AggregateField.sum(amountPath), average: AggregateField.average(amountPath) });
      volume[currency] = { payments: result.count, amount: result.amount ?? 0, average: result.average };
    }

    // The blocked rules' usual success rates (monitors/functional/learned.ts), stored for the fast path.
    const blockedRates = await ctx.check('blocked_rates', () => learnBlockedRates(new CheckEnv(ctx), BLOCKED_HISTORY));

    const snapshot = {
      timestamp: to,
      source: ctx.job,
      runId: ctx.runId,
      period: '24h',
      stripe: {
        payments: stripeCreated,
        failed: stripeFailed,
        authorized,
        captured,
        captureRate: authorized && captured !== null ? (captured / authorized) * 100 : null,
        volume,
      },
      paypal: { payments: paypalCreated, failed: paypalFailed, payoutsPaid, payoutsFailed, payoutsPending },
      calls: { completed: callsCompleted, failed: callsFailed },
      blockedRates: blockedRates ?? null,
    };
    await ctx.write(PAYMENT_METRICS, `${ctx.job}-${ctx.tickMs}`, snapshot);
    return { stripe: snapshot.stripe, paypal: snapshot.paypal, calls: snapshot.calls, blockedRates: snapshot.blockedRates };
  },
};
