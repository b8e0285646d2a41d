/** Service balances (daily): Twilio account balance and Stripe available balance, through their SDKs. */
import { createStripeClient } from '../../vendors/stripe';
import { createTwilioClient } from '../../vendors/twilio';
import type { Monitor } from '../types';

/** Currencies without minor units (Stripe amounts are already in major units for these). */
const ZERO_DECIMAL = new Set(['BIF', 'CLP', 'DJF', 'GNF', 'JPY', 'KMF', 'KRW', 'MGA', 'PYG', 'RWF', 'UGX', 'VND', 'VUV', 'XAF', 'XOF', 'XPF']);

export const balancesMonitor: Monitor = {
  async run(ctx) {
    const metrics: Record<string, unknown> = {};
    const timeoutMs = ctx.config.vendors.timeoutMs;

    const twilio = await createTwilioClient(timeoutMs);
    if (!twilio.ok) ctx.skip('twilio-balance', twilio.reason);
    else {
      await ctx.check('twilio-balance', async () => {
        const balance = await twilio.value.api.v2010.accounts(twilio.value.accountSid).balance.fetch();
        const amount = Number(balance.balance);
        if (!Number.isFinite(amount)) throw new Error(`Twilio returned an unreadable balance "${balance.balance}"`);
        ctx.observe({ ruleId: 'twilio_balance_low', value: amount, details: { currency: balance.currency } });
        metrics.twilio = { balance: amount, currency: balance.currency };
      });
    }

    const stripe = await createStripeClient(timeoutMs);
    if (!stripe.ok) ctx.skip('stripe-balance', stripe.reason);
    else {
      await ctx.check('stripe-balance', async () => {
        const balance = await stripe.value.balance.retrieve();
        const available: Record<string, number> = {};
        for (const entry of balance.available) {
          const currency = entry.currency.toUpperCase();
          const amount = ZERO_DECIMAL.has(currency) ? entry.amount : entry.amount / 100;
          available[currency] = amount;
          ctx.observe({ ruleId: 'stripe_balance_low', key: currency, value: amount });
        }
        metrics.stripe = { available };
      });
    }
    return metrics;
  },
};
