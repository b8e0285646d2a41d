/**
 * Payment monitoring (every 4 hours): Stripe and PayPal failures, uncaptured payments, late and
 * failed payouts, failed and orphaned call sessions, capture rate; cross-checks with Stripe, PayPal
 * and Twilio; a `payment_metrics` snapshot.
 */
import { fs } from '../../platform/firestore';
import type { Monitor } from '../types';
import { measurePaymentHealth, PAYMENT_METRICS } from './data';
import { paypalChecks, stripeChecks, twilioChecks } from './vendorChecks';

export const paymentMonitor: Monitor = {
  async run(ctx) {
    const health = await measurePaymentHealth(ctx);
    const [stripe, paypal, twilio] = await Promise.all([stripeChecks(ctx), paypalChecks(ctx), twilioChecks(ctx)]);
    const snapshot = {
      timestamp: fs().Timestamp.fromDate(ctx.now),
      source: ctx.job,
      runId: ctx.runId,
      stripe: { ...health.stripe, ...stripe },
      paypal: { ...health.paypal, ...health.payouts, ...paypal },
      calls: { ...health.calls, ...twilio },
    };
    // One snapshot per job and tick: a retried run overwrites it instead of adding a duplicate.
    await ctx.write(PAYMENT_METRICS, `${ctx.job}-${ctx.tickMs}`, snapshot);
    return { stripe: snapshot.stripe, paypal: snapshot.paypal, calls: snapshot.calls };
  },
};
