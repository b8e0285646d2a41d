/**
 * Breaching bursts for the detection simulation, one per critical or emergency rule that can be
 * injected as data: the app's documents (field names of docs/data-model.md, builders of dev/scenario)
 * and the vendor stand-ins' state (dev/servers), each change stamped with the instant it happens.
 * The simulation applies a change when simulated time reaches it, so a run never sees the future.
 *
 * `t` is the burst start: the first abnormal event, or, for a rule whose condition is defined by an
 * age (uncaptured for 6 h, paid at Stripe 15 min ago and not recorded, backup older than 24 h), the
 * instant that age is reached. Times to first message are measured from `t`. `breachAfterMin` is
 * how long after `t` the rule's condition first holds on the injected data with its default params
 * (a count above the threshold, a minimum sample reached): no design can page before it.
 */
import { Timestamp } from 'firebase-admin/firestore';
import type { EventType } from '../../src/monitors/functional/data';
import { BASELINES_COLLECTION, BLOCKED_RATES_DOC, NO_KEY } from '../../src/monitors/functional/learned';
import { analyticsEvent, booking, provider, trackingEvent } from '../scenario/functional';
import type { LocalServers } from '../servers';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const ts = (ms: number) => Timestamp.fromMillis(ms);

export interface Write {
  collection: string;
  id?: string;
  data: Record<string, unknown>;
}

/** One change to the world at instant `at`: documents the app writes, or vendor state. */
export interface TimedAction {
  at: number;
  writes?: Write[];
  vendor?: (servers: LocalServers) => void;
}

export interface Injector {
  ruleId: string;
  /** What is injected, in words (for the report). */
  burst: string;
  /** The rule reads a vendor API (target: one schedule period) rather than Firestore only (target: 10 min). */
  vendor: boolean;
  breachAfterMin: number;
  /** The changes, from the history the rule needs before `t` up to `end` (the simulation's horizon). */
  actions(t: number, end: number): TimedAction[];
}

/** `make(at, i)` at from, from + step, ... while < to. */
function every(from: number, to: number, stepMs: number, make: (at: number, index: number) => TimedAction): TimedAction[] {
  const actions: TimedAction[] = [];
  for (let at = from, index = 0; at < to; at += stepMs, index += 1) actions.push(make(at, index));
  return actions;
}

const doc = (at: number, collection: string, data: Record<string, unknown>, id?: string): TimedAction => ({ at, writes: [{ collection, id, data }] });
const event = (at: number, eventType: EventType, fields: Parameters<typeof analyticsEvent>[2] = {}) => {
  const { id, ...data } = analyticsEvent(eventType, new Date(at), { sessionId: `bench-${eventType}-${at}`, ...fields });
  void id;
  return doc(at, 'analytics_events', data);
};

/**
 * The learned rates of the blocked rules as the metrics job stores them (monitoring_baselines/blocked)
 * for the bursts' normal traffic, written before the burst: 1 signup per 3 page views, 1 booking per
 * 3 searches, every checkout paid (two weeks of it). The detection simulation runs only the jobs
 * evaluating the rule, not the metrics job; the three blocked injectors write the same document.
 */
const learnedRates = (at: number): TimedAction =>
  doc(
    at,
    BASELINES_COLLECTION,
    {
      learnedAt: ts(at),
      rules: {
        signup_blocked: { signup_client: { attempts: 2_016, successes: 672, days: 14 } },
        booking_blocked: { [NO_KEY]: { attempts: 1_008, successes: 336, days: 14 } },
        payment_flow_blocked: { [NO_KEY]: { attempts: 1_008, successes: 1_008, days: 14 } },
      },
    },
    BLOCKED_RATES_DOC,
  );

function failedPayments(provider: 'stripe' | 'paypal', code: string) {
  return (t: number) =>
    every(t, t + 12 * MINUTE, MINUTE, (at, i) =>
      doc(at, 'payments', {
        provider,
        status: 'failed',
        amount: 6_000,
        currency: 'EUR',
        clientId: `client-${i}`,
        providerId: 'provider-1',
        createdAt: ts(at - MINUTE),
        failedAt: ts(at),
        failureCode: code,
      }),
    );
}

export const INJECTORS: Injector[] = [
  {
    ruleId: 'stripe_payment_failures',
    burst: '12 failed Stripe payments, one a minute for 12 min',
    vendor: false,
    breachAfterMin: 3,
    actions: failedPayments('stripe', 'card_declined'),
  },
  {
    ruleId: 'paypal_payment_failures',
    burst: '12 failed PayPal payments, one a minute for 12 min',
    vendor: false,
    breachAfterMin: 3,
    actions: failedPayments('paypal', 'INSTRUMENT_DECLINED'),
  },
  {
    ruleId: 'uncaptured_payments',
    burst: '6 Stripe authorisations 6 h 30 min to 6 h before t, never captured',
    vendor: false,
    breachAfterMin: 0,
    actions: (t) =>
      every(t - 6 * HOUR - 30 * MINUTE, t - 6 * HOUR + 1, 6 * MINUTE, (at, i) =>
        doc(at, 'payments', {
          provider: 'stripe',
          status: 'requires_capture',
          amount: 6_000,
          currency: 'EUR',
          clientId: `client-${i}`,
          createdAt: ts(at - MINUTE),
          authorizedAt: ts(at),
          stripePaymentIntentId: `pi_held_${i}`,
        }),
      ),
  },
  {
    ruleId: 'failed_payouts',
    burst: 'one Stripe payout fails at t',
    vendor: false,
    breachAfterMin: 0,
    actions: (t) => [
      doc(t, 'payouts', {
        method: 'stripe',
        status: 'failed',
        amount: 8_000,
        currency: 'EUR',
        providerId: 'provider-f',
        createdAt: ts(t - 2 * HOUR),
        failedAt: ts(t),
        failureReason: 'account_closed',
      }),
    ],
  },
  {
    ruleId: 'failed_calls',
    burst: '8 failed call sessions, one a minute',
    vendor: false,
    breachAfterMin: 5,
    actions: (t) =>
      every(t, t + 8 * MINUTE, MINUTE, (at, i) =>
        doc(at, 'call_sessions', {
          status: 'failed',
          scheduledAt: ts(at - 2 * MINUTE),
          expectedEndAt: ts(at + 28 * MINUTE),
          failedAt: ts(at),
          failureReason: i % 2 ? 'no-answer' : 'twilio-error-31005',
        }),
      ),
  },
  {
    ruleId: 'stripe_undelivered_webhooks',
    burst: 'Stripe API: one event at t that Stripe could not deliver to the webhook',
    vendor: true,
    breachAfterMin: 0,
    actions: (t) => [
      {
        at: t,
        vendor: (servers) =>
          servers.stripe.events.push({ id: `evt_bench_${t}`, type: 'payment_intent.succeeded', created: Math.floor(t / 1000), delivered: false }),
      },
    ],
  },
  {
    ruleId: 'stripe_paid_not_recorded',
    burst: 'Stripe API: a PaymentIntent succeeded 15 min (the grace) before t, no payment recorded',
    vendor: true,
    breachAfterMin: 0,
    actions: (t) => [
      {
        at: t - 15 * MINUTE,
        vendor: (servers) =>
          servers.stripe.paymentIntents.push({
            id: `pi_lost_${t}`,
            status: 'succeeded',
            amount: 6_000,
            currency: 'eur',
            created: Math.floor((t - 15 * MINUTE) / 1000),
          }),
      },
    ],
  },
  {
    ruleId: 'paypal_payout_items_failed',
    burst: 'PayPal API: the item of a payout pending since t - 25 h turns from PENDING to FAILED at t',
    vendor: true,
    breachAfterMin: 0,
    actions: (t) => [
      {
        ...doc(t - 25 * HOUR, 'payouts', {
          method: 'paypal',
          status: 'pending',
          amount: 4_500,
          currency: 'EUR',
          providerId: 'provider-p',
          createdAt: ts(t - 25 * HOUR),
          paypalBatchId: `BATCH-${t}`,
          paypalItemId: `ITEM-${t}`,
        }),
        vendor: (servers) => servers.paypal.batches.push({ batchId: `BATCH-${t}`, items: [{ itemId: `ITEM-${t}`, status: 'PENDING' }] }),
      },
      {
        at: t,
        vendor: (servers) => {
          for (const item of servers.paypal.batches.find((batch) => batch.batchId === `BATCH-${t}`)?.items ?? []) item.status = 'FAILED';
        },
      },
    ],
  },
  {
    ruleId: 'twilio_failed_calls',
    burst: 'Twilio API: 8 failed calls, one a minute',
    vendor: true,
    breachAfterMin: 5,
    actions: (t) =>
      every(t, t + 8 * MINUTE, MINUTE, (at, i) => ({
        at,
        vendor: (servers) =>
          servers.twilio.calls.push({
            sid: `CAbench${at}${i}`,
            status: 'failed',
            start_time: new Date(at).toUTCString(),
            to: '+33100000000',
            from: '+33100000001',
          }),
      })),
  },
  {
    ruleId: 'signup_blocked',
    burst:
      'signup_client: a busy 6 h (a page view every 10 min, a signup every 30 min: the learned 33 % conversion), then a 2-h total outage (a page view every 30 s, no signup), then recovery',
    vendor: false,
    // 33 % conversion: more than 34 views in a row without a signup have less than 1 chance in a million.
    breachAfterMin: 18,
    actions: (t, end) => {
      const form = { formName: 'signup_client' };
      const normal = (from: number, to: number) => [
        ...every(from, to, 10 * MINUTE, (at) => event(at, 'signup_page_view', form)),
        ...every(from + 5 * MINUTE, to, 30 * MINUTE, (at) => event(at, 'signup_success', form)),
      ];
      return [
        learnedRates(t - 6 * HOUR),
        ...normal(t - 6 * HOUR, t),
        ...every(t, t + 2 * HOUR, 30_000, (at) => event(at, 'signup_page_view', form)),
        ...normal(t + 2 * HOUR, end),
      ];
    },
  },
  {
    ruleId: 'booking_blocked',
    burst:
      'a booking every hour and a search every 20 min for 48 h (the learned rate: 1 in 3), then a 2-h outage (a search every 15 s, no booking), then recovery',
    vendor: false,
    // 1 booking in 3 searches: more than 34 searches in a row without one.
    breachAfterMin: 9,
    actions: (t, end) => {
      const normal = (from: number, to: number) => [
        ...every(from, to, 20 * MINUTE, (at) => event(at, 'booking_search')),
        ...every(from + 10 * MINUTE, to, HOUR, (at) => doc(at, 'bookings', booking(new Date(at)))),
      ];
      return [
        learnedRates(t - 48 * HOUR),
        ...normal(t - 48 * HOUR, t),
        ...every(t, t + 2 * HOUR, 15_000, (at) => event(at, 'booking_search')),
        ...normal(t + 2 * HOUR, end),
      ];
    },
  },
  {
    ruleId: 'booking_failure_rate',
    burst: 'a booking start every 2 h for 24 h, then for 2 h a start every 30 s, each followed by a booking error',
    vendor: false,
    breachAfterMin: 4,
    actions: (t) => [
      ...every(t - 24 * HOUR, t, 2 * HOUR, (at) => event(at, 'booking_start')),
      ...every(t, t + 2 * HOUR, 30_000, (at) => ({ at, writes: [...event(at, 'booking_start').writes!, ...event(at + 1, 'booking_error').writes!] })),
    ],
  },
  {
    ruleId: 'providers_available_low',
    burst: '6 active, available providers; 4 become unavailable at t',
    vendor: false,
    breachAfterMin: 0,
    actions: (t) => {
      const providerDoc = (i: number, isAvailable: boolean) => {
        const { id, ...data } = provider(`bench-p${i}`, { isAvailable, rating: 4 + i / 10 });
        return { collection: 'providers', id, data: { ...data, updatedAt: ts(isAvailable ? t - 48 * HOUR : t) } };
      };
      return [
        // Long before the runs that precede the burst (the daily and 15-hour jobs run up to a day before it).
        { at: t - 48 * HOUR, writes: Array.from({ length: 6 }, (_, i) => providerDoc(i, true)) },
        { at: t, writes: Array.from({ length: 4 }, (_, i) => providerDoc(i, false)) },
      ];
    },
  },
  {
    ruleId: 'payment_flow_conversion_low',
    burst: 'a checkout every 2 h for 24 h (9 of 12 paid), then for 2 h a checkout every 30 s, none paid',
    vendor: false,
    breachAfterMin: 17,
    actions: (t) => [
      ...every(t - 24 * HOUR, t, 2 * HOUR, (at, i) => ({
        at,
        writes: [...event(at, 'checkout_start').writes!, ...(i % 4 === 3 ? [] : event(at + MINUTE, 'payment_success').writes!)],
      })),
      ...every(t, t + 2 * HOUR, 30_000, (at) => event(at, 'checkout_start')),
    ],
  },
  {
    ruleId: 'payment_flow_blocked',
    burst: 'a checkout every 20 min for 24 h, each paid, then for 2 h a checkout every 30 s, none paid, then recovery',
    vendor: false,
    breachAfterMin: 11,
    actions: (t, end) => {
      const normal = (from: number, to: number) =>
        every(from, to, 20 * MINUTE, (at) => ({ at, writes: [...event(at, 'checkout_start').writes!, ...event(at + MINUTE, 'payment_success').writes!] }));
      return [
        learnedRates(t - 24 * HOUR),
        ...normal(t - 24 * HOUR, t),
        ...every(t, t + 2 * HOUR, 30_000, (at) => event(at, 'checkout_start')),
        ...normal(t + 2 * HOUR, end),
      ];
    },
  },
  {
    ruleId: 'payment_flow_error_repeated',
    burst: '5 payment_error events with code card_declined, one a minute',
    vendor: false,
    breachAfterMin: 3,
    actions: (t) => every(t, t + 5 * MINUTE, MINUTE, (at) => event(at, 'payment_error', { metadata: { errorCode: 'card_declined' } })),
  },
  {
    ruleId: 'meta_capi_inactive',
    burst: 'Meta CAPI sends every 20 min stop at t while traffic continues (an event every 10 min)',
    vendor: false,
    breachAfterMin: 12 * 60 - 20,
    actions: (t, end) => {
      const sent = (at: number) => {
        const { id, ...data } = trackingEvent('meta_capi', 'sent', new Date(at));
        void id;
        return doc(at, 'tracking_events', data);
      };
      return [...every(t - 12 * HOUR, t, 20 * MINUTE, sent), ...every(t - 12 * HOUR, end, 10 * MINUTE, (at) => event(at, 'booking_provider_view'))];
    },
  },
  {
    ruleId: 'critical_errors',
    burst: '3 critical error_logs entries from one source, one a minute (the onErrorLogCreated trigger runs on each)',
    vendor: false,
    breachAfterMin: 0,
    actions: (t) =>
      every(t, t + 3 * MINUTE, MINUTE, (at) =>
        doc(at, 'error_logs', {
          severity: 'critical',
          source: 'checkout-api',
          message: 'Payment confirmation failed',
          timestamp: ts(at),
          expireAt: ts(at + 30 * 24 * HOUR),
        }),
      ),
  },
  {
    ruleId: 'backup_stale',
    burst: 'daily backups; the one due at t fails, so the last success becomes older than 24 h at t',
    vendor: false,
    breachAfterMin: 3,
    actions: (t) => {
      const backup = (finished: number, success: boolean) =>
        doc(finished, 'backup_logs', {
          status: success ? 'success' : 'failed',
          kind: 'firestore-export',
          startedAt: ts(finished - 10 * MINUTE),
          finishedAt: ts(finished),
          ...(success ? { destination: 'gs://backups/daily' } : { error: 'Export failed' }),
        });
      return [backup(t - 48 * HOUR, true), backup(t - 24 * HOUR, true), backup(t, false)];
    },
  },
  {
    ruleId: 'twilio_balance_low',
    burst: 'Twilio API: the account balance drops from 25.00 to 5.00 USD at t',
    vendor: true,
    breachAfterMin: 0,
    actions: (t) => [{ at: t, vendor: (servers) => (servers.twilio.balance = '5.00') }],
  },
];

/** Critical and emergency rules the simulation does not inject, and why. */
export const NOT_INJECTED: Record<string, string> = {
  job_not_running:
    "about the monitoring itself: a job stops being triggered. Its threshold is 1.5 of the stopped job's period by definition, so a time to first message in minutes does not apply.",
  job_failing: "needs a job's runs to fail (Firestore or code errors), which cannot be injected as data without changing the product code.",
  deployment_config_missing:
    'a deployment state (a param or secret without a value), not an event in time: it changes only with a deploy, and removing one from the shared process would disable the channels or vendor checks the other simulations use.',
  http_probe_down:
    'needs an endpoint declared in probes.endpoints and a local server that goes down; the probes job runs every 5 minutes and alerts on the second failed probe (test/probes.test.ts), so at most 10 minutes after the endpoint fails. Not a data injection.',
  email_bounce_rate_high:
    'evaluated by the hourly delivery job (a rate over 24 hours, by design): at most one period (60 minutes) after the rate crosses 5 %; not injected in this simulation.',
  sms_delivery_rate_low:
    "evaluated by the hourly delivery job from Twilio's message list (a rate over 6 hours, by design): at most one period (60 minutes) after the rate falls below 95 %; not injected in this simulation.",
  source_stale:
    "about the monitoring's own inputs: a source stops being written for at least an hour at a time of day that usually has data. Judged by the hourly sources job, so at most minSilenceMinutes plus one period (about 2 hours) after the last document; test/sourceHealth.test.ts covers it.",
  source_field_missing:
    'about the mapping, not an incident in time: documents that stop carrying a mapped field. One source is sampled per hourly run, in turn, so it is seen within as many hours as there are watched sources; test/sourceHealth.test.ts covers it.',
  channel_failing:
    'a notification channel failing: it needs other alerts being sent while the channel rejects them, and a failing channel would change the message times measured for every other rule.',
};
