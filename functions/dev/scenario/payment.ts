import { Timestamp } from 'firebase-admin/firestore';
import { hoursAgo, minutesAgo, writeAll, type ScenarioPart } from './types';

const ts = (date: Date) => Timestamp.fromDate(date);
const times = <T>(count: number, make: (index: number) => T): T[] => Array.from({ length: count }, (_, index) => make(index));

/** Payment incidents that trip every payment rule, cross-check and balance rule at least once. */
export const paymentScenario: ScenarioPart = {
  name: 'payment',
  story: [
    'Stripe: 5 card payments failed in the last hour (3 card_declined, 2 authentication_required); 7 authorisations older than 6 h never captured; 24 of 31 authorisations of the day captured.',
    'Stripe API: 3 webhook events not delivered to our endpoint; 2 PaymentIntents succeeded without a paid record; available balance 45.00 EUR.',
    'PayPal: 4 payments failed in the last hour; 6 payouts pending for more than 24 h, 2 of which PayPal reports UNCLAIMED / FAILED; 2 payouts failed.',
    'Calls: 7 call sessions failed in the last hour (Twilio reports 8); 12 sessions still scheduled long after their expected end; Twilio balance 8.40 USD.',
  ],
  async seed({ db, now, servers }) {
    const payment = (fields: Record<string, unknown>) => ({
      amount: 6_000,
      currency: 'EUR',
      createdAt: ts(hoursAgo(now, 2)),
      clientId: 'client-1',
      providerId: 'provider-1',
      ...fields,
    });
    await writeAll(db, 'payments', [
      ...times(5, (i) =>
        payment({
          provider: 'stripe',
          status: 'failed',
          failedAt: ts(minutesAgo(now, 5 + i * 7)),
          failureCode: i < 3 ? 'card_declined' : 'authentication_required',
        }),
      ),
      ...times(4, (i) => payment({ provider: 'paypal', status: 'failed', failedAt: ts(minutesAgo(now, 10 + i * 9)), failureCode: 'INSTRUMENT_DECLINED' })),
      ...times(7, (i) =>
        payment({ provider: 'stripe', status: 'requires_capture', authorizedAt: ts(hoursAgo(now, 7 + i)), stripePaymentIntentId: `pi_held_${i}` }),
      ),
      ...times(24, (i) =>
        payment({
          provider: 'stripe',
          status: 'captured',
          authorizedAt: ts(hoursAgo(now, 2 + (i % 20))),
          capturedAt: ts(hoursAgo(now, 1.5 + (i % 20))),
          stripePaymentIntentId: `pi_ok_${i}`,
        }),
      ),
    ]);
    await writeAll(db, 'payouts', [
      ...times(6, (i) => ({
        method: 'paypal',
        status: 'pending',
        amount: 4_500,
        currency: 'EUR',
        providerId: `provider-${i}`,
        createdAt: ts(hoursAgo(now, 26 + i)),
        paypalBatchId: i < 3 ? 'BATCH-2026-A' : 'BATCH-2026-B',
        paypalItemId: `ITEM-${i}`,
      })),
      ...times(2, (i) => ({
        method: 'stripe',
        status: 'failed',
        amount: 8_000,
        currency: 'EUR',
        providerId: `provider-f${i}`,
        createdAt: ts(hoursAgo(now, 30)),
        failureReason: 'account_closed',
      })),
    ]);
    await writeAll(db, 'call_sessions', [
      ...times(7, (i) => ({
        status: 'failed',
        scheduledAt: ts(minutesAgo(now, 30 + i)),
        failedAt: ts(minutesAgo(now, 20 + i)),
        failureReason: i % 2 ? 'no-answer' : 'twilio-error-31005',
      })),
      ...times(12, (i) => ({ status: 'scheduled', scheduledAt: ts(hoursAgo(now, 3 + i)), expectedEndAt: ts(hoursAgo(now, 2.5 + i)) })),
    ]);

    const seconds = Math.floor(now.getTime() / 1000);
    servers.stripe.events = times(3, (i) => ({ id: `evt_demo_${i}`, type: 'payment_intent.succeeded', created: seconds - 3_600 * (i + 1), delivered: false }));
    servers.stripe.paymentIntents = [
      ...times(3, (i) => ({ id: `pi_ok_${i}`, status: 'succeeded' as const, amount: 6_000, currency: 'eur', created: seconds - 7_200 })),
      { id: 'pi_lost_1', status: 'succeeded', amount: 6_000, currency: 'eur', created: seconds - 5_400 },
      { id: 'pi_lost_2', status: 'succeeded', amount: 9_000, currency: 'eur', created: seconds - 9_000 },
    ];
    servers.stripe.available = [{ amount: 4_500, currency: 'eur' }];
    servers.paypal.batches = [
      {
        batchId: 'BATCH-2026-A',
        items: [
          { itemId: 'ITEM-0', status: 'UNCLAIMED' },
          { itemId: 'ITEM-1', status: 'PENDING' },
          { itemId: 'ITEM-2', status: 'PENDING' },
        ],
      },
      {
        batchId: 'BATCH-2026-B',
        items: [
          { itemId: 'ITEM-3', status: 'FAILED' },
          { itemId: 'ITEM-4', status: 'PENDING' },
          { itemId: 'ITEM-5', status: 'PENDING' },
        ],
      },
    ];
    servers.twilio.calls = times(8, (i) => ({
      sid: `CAdemo${i}`,
      status: 'failed' as const,
      start_time: new Date(now.getTime() - (15 + i * 5) * 60_000).toUTCString(),
      to: '+33100000000',
      from: '+33100000001',
    }));
    servers.twilio.balance = '8.40';
  },
};
