/**
 * Cross-checks against the payment and telephony providers, through their real SDKs. Each runs as a
 * separate check: a vendor that times out, answers 5xx or rejects the credentials raises a
 * `monitor_check_failed` system alert with the vendor's message, and the rest of the job carries on.
 * Missing credentials skip the check with the reason logged.
 */
import { createPayPalClient, type PayoutItemStatus } from '../../vendors/paypal';
import { createStripeClient } from '../../vendors/stripe';
import { createTwilioClient } from '../../vendors/twilio';
import { unlessBlind } from '../blind';
import { measureSliding } from '../coverage';
import type { MonitorContext } from '../types';
import { COLLECTED, PAYOUT_NOT_PAID } from './data';

/** Upper bounds on what one run lists from a vendor, so a flood cannot stall the job. */
const MAX_STRIPE_EVENTS = 1_000;
const MAX_PAYMENT_INTENTS = 500;
const MAX_LATE_PAYOUTS = 50;
const MAX_TWILIO_CALLS = 200;
const PROBLEM_ITEM_STATUSES: PayoutItemStatus[] = ['FAILED', 'RETURNED', 'BLOCKED', 'UNCLAIMED'];

const seconds = (date: Date) => Math.floor(date.getTime() / 1000);
const summarize = (counts: Map<string, number>) => [...counts.entries()].map(([label, count]) => `${label} ×${count}`).join(', ');

export async function stripeChecks(ctx: MonitorContext): Promise<Record<string, unknown>> {
  const stripe = await createStripeClient(ctx.config.vendors.timeoutMs);
  if (!stripe.ok) {
    ctx.skip('stripe', stripe.reason);
    return {};
  }
  const client = stripe.value;
  const result: Record<string, unknown> = {};

  await ctx.check('stripe-webhooks', async () => {
    const { windowHours } = ctx.settings('stripe_undelivered_webhooks').params;
    const since = seconds(ctx.now) - windowHours * 3600;
    const types = new Map<string, number>();
    let count = 0;
    for await (const event of client.events.list({ delivery_success: false, created: { gte: since, lte: seconds(ctx.now) }, limit: 100 })) {
      count += 1;
      types.set(event.type, (types.get(event.type) ?? 0) + 1);
      if (count >= MAX_STRIPE_EVENTS) break;
    }
    ctx.observe({ ruleId: 'stripe_undelivered_webhooks', value: count, details: count ? { types: summarize(types) } : {} });
    result.undeliveredWebhooks = count;
  });

  if (unlessBlind(ctx, ['stripe_paid_not_recorded']).length)
    await ctx.check('stripe-payments', async () => {
      const { windowHours, graceMinutes } = ctx.settings('stripe_paid_not_recorded').params;
      const read = ctx.sources.reader('payments');
      const collected = (status: string | undefined) => COLLECTED.some((meaning) => read.meaningOf('status', status) === meaning);
      const succeeded: string[] = [];
      let listed = 0;
      for await (const intent of client.paymentIntents.list({
        created: { gte: seconds(ctx.now) - windowHours * 3600, lte: seconds(ctx.now) - graceMinutes * 60 },
        limit: 100,
      })) {
        listed += 1;
        if (intent.status === 'succeeded') succeeded.push(intent.id);
        if (listed >= MAX_PAYMENT_INTENTS) break;
      }
      const recorded = new Map<string, string>();
      for (let start = 0; start < succeeded.length; start += 30) {
        const chunk = succeeded.slice(start, start + 30);
        const docs = await ctx.db.docs(
          ctx.sources
            .from('payments')
            .oneOf('stripePaymentIntentId', chunk)
            .select('stripePaymentIntentId', 'status')
            .limit(chunk.length * 2).query,
        );
        for (const doc of docs) {
          const status = String(read.raw(doc, 'status'));
          const id = String(read.raw(doc, 'stripePaymentIntentId'));
          if (collected(status) || !recorded.has(id)) recorded.set(id, status);
        }
      }
      const missing = succeeded.filter((id) => !collected(recorded.get(id)));
      ctx.observe({
        ruleId: 'stripe_paid_not_recorded',
        value: missing.length,
        details: missing.length
          ? {
              examples: missing
                .slice(0, 5)
                .map((id) => `${id} (${recorded.get(id) ?? 'missing'})`)
                .join(', '),
            }
          : {},
      });
      result.succeededAtStripe = succeeded.length;
      result.paidNotRecorded = missing.length;
    });
  return result;
}

export async function paypalChecks(ctx: MonitorContext): Promise<Record<string, unknown>> {
  if (!unlessBlind(ctx, ['paypal_payout_items_failed']).length) return {};
  const paypal = await createPayPalClient(ctx.config.vendors.timeoutMs);
  if (!paypal.ok) {
    ctx.skip('paypal-payouts', paypal.reason);
    return {};
  }
  const result: Record<string, unknown> = {};
  await ctx.check('paypal-payouts', async () => {
    const { olderThanHours } = ctx.settings('paypal_payout_items_failed').params;
    const late = await ctx.db.docs(
      ctx.sources
        .from('payouts')
        .is('status', ...PAYOUT_NOT_PAID)
        .atOrBefore('createdAt', ctx.now.getTime() - olderThanHours * 3_600_000)
        .orderBy('createdAt')
        .select('paypalBatchId', 'paypalItemId', 'method')
        .limit(MAX_LATE_PAYOUTS).query,
    );
    const read = ctx.sources.reader('payouts');
    const batchIds = [
      ...new Set(late.filter((doc) => read.is(doc, 'method', 'paypal') && read.raw(doc, 'paypalBatchId')).map((doc) => String(read.raw(doc, 'paypalBatchId')))),
    ];
    // Only the items we still consider pending count; a batch can also hold settled items.
    const pendingItems = new Set(late.map((doc) => read.raw(doc, 'paypalItemId')).filter(Boolean) as string[]);
    const statuses = new Map<string, number>();
    let problems = 0;
    for (const batchId of batchIds) {
      const batch = await paypal.value.getBatch(batchId);
      for (const item of batch.items ?? []) {
        if (pendingItems.size && !pendingItems.has(item.payout_item_id)) continue;
        if (PROBLEM_ITEM_STATUSES.includes(item.transaction_status)) {
          problems += 1;
          statuses.set(item.transaction_status, (statuses.get(item.transaction_status) ?? 0) + 1);
        }
      }
    }
    ctx.observe({
      ruleId: 'paypal_payout_items_failed',
      value: problems,
      details: problems ? { statuses: summarize(statuses), batches: batchIds.slice(0, 5).join(', ') } : {},
    });
    result.batchesRefreshed = batchIds.length;
    result.payoutItemsFailed = problems;
  });
  return result;
}

export async function twilioChecks(ctx: MonitorContext): Promise<Record<string, unknown>> {
  if (!unlessBlind(ctx, ['twilio_failed_calls']).length) return {};
  const twilio = await createTwilioClient(ctx.config.vendors.timeoutMs);
  if (!twilio.ok) {
    ctx.skip('twilio-calls', twilio.reason);
    return {};
  }
  const result: Record<string, unknown> = {};
  await ctx.check('twilio-calls', async () => {
    const { windowMinutes } = ctx.settings('twilio_failed_calls').params;
    // One list call covering every window since the previous evaluation; counted per window here.
    let starts: number[] = [];
    let truncated = false;
    const worst = await measureSliding(
      ctx,
      'twilio_failed_calls',
      windowMinutes,
      'above',
      async (startMs, endMs) => ({ value: starts.filter((at) => at > startMs && at <= endMs).length }),
      async (earliestStartMs) => {
        const calls = await twilio.value.calls.list({ status: 'failed', startTimeAfter: new Date(earliestStartMs), limit: MAX_TWILIO_CALLS });
        starts = calls.map((call) => (call.startTime instanceof Date ? call.startTime.getTime() : Date.parse(String(call.startTime)))).filter(Number.isFinite);
        truncated = calls.length >= MAX_TWILIO_CALLS;
      },
    );
    // What the app recorded in the same window, for comparison.
    const appRecorded = await ctx.db.count(ctx.sources.from('callSessions').is('status', 'failed').inSpan('failedAt', worst.startMs, worst.endMs).query);
    ctx.observe({ ruleId: 'twilio_failed_calls', value: worst.value, details: { appRecorded, ...worst.coverageDetails, ...(truncated ? { truncated } : {}) } });
    result.twilioFailedCalls = worst.value;
  });
  return result;
}
