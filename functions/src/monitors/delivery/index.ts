/**
 * The delivery job (`delivery`, hourly): delivery rates of the app's own messages.
 * - SMS: Twilio's message list for the window (twilio SDK, `messages.list({ dateSentAfter, limit })`),
 *   outbound messages with a final status; share `delivered`.
 * - Email: the app's email log (`email_logs`, one document per email with `status` and `timestamp`;
 *   docs/data-model.md), three count aggregations; share `bounced` + `complained`.
 *
 * Its own hourly job rather than the 5-minute probes job (a Twilio list and three aggregations every
 * 5 minutes would cost 12 times as much for rates over hours) or the 4-hourly payment job (whose
 * monitor another domain owns, and four hours is slow for SMS codes that stop arriving).
 */
import { unlessBlind } from '../blind';
import { createTwilioClient } from '../../vendors/twilio';
import type { Monitor, MonitorContext } from '../types';

/** Twilio statuses after which a message's fate is known. */
const FINAL_STATUSES = new Set(['delivered', 'undelivered', 'failed']);

export interface SmsCounts {
  delivered: number;
  undelivered: number;
  failed: number;
  /** Outbound messages without a final status yet (queued, sending, sent...). */
  pending: number;
  /** Most frequent error codes of the undelivered and failed messages. */
  topErrorCodes: Array<{ code: number; count: number }>;
}

/** Counts of outbound messages by fate. Pure: tested as a table. */
export function countSms(messages: ReadonlyArray<{ status: string; direction: string; errorCode: number | null }>): SmsCounts {
  const counts: SmsCounts = { delivered: 0, undelivered: 0, failed: 0, pending: 0, topErrorCodes: [] };
  const codes = new Map<number, number>();
  for (const message of messages) {
    if (!String(message.direction).startsWith('outbound')) continue;
    if (!FINAL_STATUSES.has(message.status)) {
      counts.pending += 1;
      continue;
    }
    counts[message.status as 'delivered' | 'undelivered' | 'failed'] += 1;
    if (message.status !== 'delivered' && typeof message.errorCode === 'number') codes.set(message.errorCode, (codes.get(message.errorCode) ?? 0) + 1);
  }
  counts.topErrorCodes = [...codes.entries()]
    .sort((a, b) => b[1] - a[1] || a[0] - b[0])
    .slice(0, 3)
    .map(([code, count]) => ({ code, count }));
  return counts;
}

/** Percentage with two decimals (a share at the threshold stays exactly at it). */
export function percent(part: number, whole: number): number | null {
  return whole === 0 ? null : Math.round((part / whole) * 10_000) / 100;
}

async function measureSms(ctx: MonitorContext) {
  const twilio = await createTwilioClient(ctx.config.vendors.timeoutMs);
  if (!twilio.ok) {
    ctx.skip('sms-delivery', twilio.reason);
    return undefined;
  }
  return ctx.check('sms-delivery', async () => {
    const { windowHours, maxMessages } = ctx.settings('sms_delivery_rate_low').params;
    const since = new Date(ctx.now.getTime() - windowHours * 3_600_000);
    const messages = await twilio.value.messages.list({ dateSentAfter: since, limit: maxMessages });
    const counts = countSms(messages.map((message) => ({ status: message.status, direction: message.direction, errorCode: message.errorCode ?? null })));
    const final = counts.delivered + counts.undelivered + counts.failed;
    ctx.observe({
      ruleId: 'sms_delivery_rate_low',
      value: percent(counts.delivered, final),
      sample: final,
      details: { ...counts, read: messages.length, truncated: messages.length >= maxMessages, since: since.toISOString() },
    });
    return { ...counts, final, rate: percent(counts.delivered, final) };
  });
}

async function measureEmail(ctx: MonitorContext) {
  if (!unlessBlind(ctx, ['email_bounce_rate_high']).length) return undefined;
  return ctx.check('email-bounces', async () => {
    const { windowHours } = ctx.settings('email_bounce_rate_high').params;
    const since = new Date(ctx.now.getTime() - windowHours * 3_600_000);
    const inWindow = ctx.sources.from('emailLogs').atOrAfter('timestamp', since.getTime());
    const [total, bounced, complained] = await Promise.all([
      ctx.db.count(inWindow.query),
      ctx.db.count(inWindow.is('status', 'bounced').query),
      ctx.db.count(inWindow.is('status', 'complained').query),
    ]);
    const rate = percent(bounced + complained, total);
    ctx.observe({ ruleId: 'email_bounce_rate_high', value: rate, sample: total, details: { total, bounced, complained, since: since.toISOString() } });
    return { total, bounced, complained, rate };
  });
}

export const deliveryMonitor: Monitor = {
  async run(ctx) {
    const [sms, email] = await Promise.all([measureSms(ctx), measureEmail(ctx)]);
    return { sms: sms ?? null, email: email ?? null };
  },
};
