/**
 * Provider cross-checks through the real SDKs (stripe, @paypal/payouts-sdk, twilio) against local
 * servers speaking their APIs, including failures: a vendor error becomes a monitor_check_failed
 * system alert and the rest of the job carries on.
 */
import type { Firestore } from 'firebase-admin/firestore';
import type { AlertDoc } from '../src/alerts/model';
import { runJob } from '../src/pipeline/run';
import { allDocs, closeFirebase, freshProject } from './support/firebase';
import { hoursAgo, minutesAgo, NOW, seed, times } from './support/seed';
import { useLocalServers } from './support/servers';

const servers = useLocalServers();
let db: Firestore;

beforeEach(async () => {
  db = await freshProject();
});
afterAll(closeFirebase);

const nowSeconds = Math.floor(NOW.getTime() / 1000);
const run = (now = NOW) => runJob('payment', { trigger: 'test', now });
const alertsOf = async (collection: string, ruleId: string) => (await allDocs<AlertDoc>(db, collection)).filter((alert) => alert.ruleId === ruleId);
const evaluation = (result: Awaited<ReturnType<typeof run>>, ruleId: string, key?: string) =>
  result.evaluations.find((item) => item.ruleId === ruleId && (key === undefined || item.key === key));

describe('Stripe', () => {
  it('counts events Stripe could not deliver to our webhook, across pages', async () => {
    servers.current.stripe.events = [
      ...times(120, (i) => ({ id: `evt_${i}`, type: i % 2 ? 'payment_intent.succeeded' : 'charge.refunded', created: nowSeconds - 600 - i, delivered: false })),
      { id: 'evt_ok', type: 'payment_intent.succeeded', created: nowSeconds - 60, delivered: true },
      { id: 'evt_old', type: 'payment_intent.succeeded', created: nowSeconds - 2 * 86_400, delivered: false },
    ];
    await run();
    const [alert] = await alertsOf('payment_alerts', 'stripe_undelivered_webhooks');
    expect(alert).toMatchObject({ severity: 'critical', value: 120, threshold: 0, window: 'events of the last 24 h' });
    expect(alert.message).toContain('charge.refunded ×60');
    // 120 events at 100 per page: the SDK's auto-pagination asked for a second page.
    expect(servers.current.stripe.requests.filter((request) => request.path === '/v1/events')).toHaveLength(2);
  });

  it('finds payments that succeeded at Stripe but are missing or not marked paid in the app', async () => {
    servers.current.stripe.paymentIntents = [
      { id: 'pi_recorded', status: 'succeeded', amount: 5_000, currency: 'eur', created: nowSeconds - 3_600 },
      { id: 'pi_not_paid', status: 'succeeded', amount: 5_000, currency: 'eur', created: nowSeconds - 3_600 },
      { id: 'pi_missing', status: 'succeeded', amount: 5_000, currency: 'eur', created: nowSeconds - 7_200 },
      { id: 'pi_declined', status: 'requires_payment_method', amount: 5_000, currency: 'eur', created: nowSeconds - 3_600 },
      { id: 'pi_too_recent', status: 'succeeded', amount: 5_000, currency: 'eur', created: nowSeconds - 300 },
    ];
    await seed(db, 'payments', [
      { provider: 'stripe', status: 'captured', stripePaymentIntentId: 'pi_recorded', createdAt: hoursAgo(1) },
      { provider: 'stripe', status: 'requires_capture', stripePaymentIntentId: 'pi_not_paid', createdAt: hoursAgo(1) },
    ]);
    await run();
    const [alert] = await alertsOf('payment_alerts', 'stripe_paid_not_recorded');
    expect(alert).toMatchObject({ severity: 'critical', value: 2 });
    expect(alert.message).toContain('pi_not_paid (requires_capture)');
    expect(alert.message).toContain('pi_missing (missing)');
    expect(alert.message).not.toContain('pi_too_recent');
  });

  it('reports rejected credentials as a monitor error with the vendor message, never the key, and carries on', async () => {
    process.env.STRIPE_SECRET_KEY = 'sk_test_wrong_key_value_123456';
    await seed(db, 'payouts', [{ method: 'paypal', status: 'failed', amount: 1_000, currency: 'EUR', createdAt: hoursAgo(30) }]);
    const result = await run();
    expect(result.outcome).toBe('success');
    const failures = await alertsOf('system_alerts', 'monitor_check_failed');
    expect(failures.map((alert) => alert.key).sort()).toEqual(['payment/stripe-payments', 'payment/stripe-webhooks']);
    expect(failures[0]).toMatchObject({ severity: 'warning' });
    expect(failures[0].message).toContain('Invalid API Key provided');
    expect(JSON.stringify(failures)).not.toContain('sk_test_wrong_key_value_123456');
    // The rest of the job ran: app data, PayPal and Twilio checks.
    expect(await alertsOf('payment_alerts', 'failed_payouts')).toHaveLength(1);
    expect(evaluation(result, 'twilio_failed_calls')).toMatchObject({ status: 'ok', value: 0 });
    expect(evaluation(result, 'monitor_check_failed', 'payment/paypal-payouts')).toMatchObject({ status: 'ok', value: 0 });
  });

  it('reports a 5xx as a monitor error, and clears it when Stripe recovers', async () => {
    servers.current.stripe.fail({ status: 500, body: { error: { type: 'api_error', message: 'An unknown error occurred' } } });
    await run();
    const [failure] = await alertsOf('system_alerts', 'monitor_check_failed');
    expect(failure.message).toContain('An unknown error occurred');
    servers.current.stripe.clearFaults();
    await run(new Date(NOW.getTime() + 3_600_000));
    expect((await alertsOf('system_alerts', 'monitor_check_failed')).every((alert) => alert.resolved)).toBe(true);
  });

  it('reports a Stripe that never answers as a monitor error within the configured timeout', async () => {
    await db
      .collection('monitoring_config')
      .doc('settings')
      .set({ vendors: { timeoutMs: 1_000 } });
    servers.current.stripe.fail({ hang: true });
    const result = await run();
    expect(result.outcome).toBe('success');
    const failures = await alertsOf('system_alerts', 'monitor_check_failed');
    expect(failures.map((alert) => alert.key).sort()).toEqual(['payment/stripe-payments', 'payment/stripe-webhooks']);
    expect(failures[0].message).toMatch(/timeout/i);
    expect(evaluation(result, 'failed_payouts')).toMatchObject({ status: 'ok' });
  });

  it('skips the checks with the reason when the key is not configured', async () => {
    delete process.env.STRIPE_SECRET_KEY;
    const result = await run();
    expect(result.skippedChecks).toContainEqual({ check: 'stripe', reason: 'STRIPE_SECRET_KEY not set' });
    expect(evaluation(result, 'stripe_undelivered_webhooks')).toBeUndefined();
    expect(await alertsOf('system_alerts', 'monitor_check_failed')).toHaveLength(0);
    expect(servers.current.stripe.requests).toHaveLength(0);
  });
});

describe('PayPal', () => {
  const latePayout = (batch: string, item: string) => ({
    method: 'paypal',
    status: 'pending',
    amount: 4_000,
    currency: 'EUR',
    createdAt: hoursAgo(30),
    paypalBatchId: batch,
    paypalItemId: item,
  });

  it('refreshes late pending payouts by batch id and counts failed, returned, blocked or unclaimed items', async () => {
    await seed(db, 'payouts', [latePayout('BATCH1', 'ITEM1'), latePayout('BATCH1', 'ITEM2'), latePayout('BATCH2', 'ITEM3'), latePayout('BATCH2', 'ITEM4')]);
    await seed(db, 'payouts', [{ ...latePayout('BATCH3', 'ITEM9'), createdAt: hoursAgo(2) }]);
    servers.current.paypal.batches = [
      {
        batchId: 'BATCH1',
        items: [
          { itemId: 'ITEM1', status: 'UNCLAIMED' },
          { itemId: 'ITEM2', status: 'SUCCESS' },
          { itemId: 'ITEM_OTHER', status: 'FAILED' },
        ],
      },
      {
        batchId: 'BATCH2',
        items: [
          { itemId: 'ITEM3', status: 'FAILED' },
          { itemId: 'ITEM4', status: 'PENDING' },
        ],
      },
      { batchId: 'BATCH3', items: [{ itemId: 'ITEM9', status: 'BLOCKED' }] },
    ];
    await run();
    const [alert] = await alertsOf('payment_alerts', 'paypal_payout_items_failed');
    expect(alert).toMatchObject({ severity: 'emergency', value: 2 });
    expect(alert.message).toContain('UNCLAIMED ×1');
    expect(alert.message).toContain('FAILED ×1');
    const fetched = servers.current.paypal.requests.filter((request) => request.path.startsWith('/v1/payments/payouts/')).map((request) => request.path);
    expect(fetched.sort()).toEqual(['/v1/payments/payouts/BATCH1', '/v1/payments/payouts/BATCH2']);
  });

  it('reports a PayPal that never answers as a monitor error within the configured timeout', async () => {
    await db
      .collection('monitoring_config')
      .doc('settings')
      .set({ vendors: { timeoutMs: 1_000 } });
    await seed(db, 'payouts', [latePayout('BATCH1', 'ITEM1')]);
    servers.current.paypal.fail({ hang: true });
    const result = await run();
    expect(result.outcome).toBe('success');
    const [failure] = await alertsOf('system_alerts', 'monitor_check_failed');
    expect(failure.key).toBe('payment/paypal-payouts');
    expect(failure.message).toMatch(/timed? ?out|ETIMEDOUT|socket hang up|ECONNRESET/i);
  });

  it('reports rejected client credentials', async () => {
    // The SDK caches access tokens per client id for the process; a client id it has not seen yet
    // makes it ask for a token with these credentials.
    process.env.PAYPAL_CLIENT_ID = 'unknown-paypal-client';
    process.env.PAYPAL_CLIENT_SECRET = 'not-the-secret';
    await seed(db, 'payouts', [latePayout('BATCH1', 'ITEM1')]);
    await run();
    const [failure] = await alertsOf('system_alerts', 'monitor_check_failed');
    expect(failure.key).toBe('payment/paypal-payouts');
    expect(failure.message).toContain('Client Authentication failed');
    expect(failure.message).not.toContain('not-the-secret');
  });
});

describe('Twilio', () => {
  it('counts failed calls reported by Twilio in the window, next to what the app recorded', async () => {
    servers.current.twilio.calls = [
      ...times(6, (i) => ({
        sid: `CA${i}`,
        status: 'failed' as const,
        start_time: new Date(NOW.getTime() - (10 + i) * 60_000).toUTCString(),
        to: '+33100000000',
        from: '+33100000001',
      })),
      { sid: 'CAold', status: 'failed', start_time: new Date(NOW.getTime() - 2 * 3_600_000).toUTCString(), to: '+33100000000', from: '+33100000001' },
      { sid: 'CAok', status: 'completed', start_time: new Date(NOW.getTime() - 600_000).toUTCString(), to: '+33100000000', from: '+33100000001' },
    ];
    await seed(db, 'call_sessions', [{ status: 'failed', failedAt: minutesAgo(15), failureReason: 'no-answer' }]);
    await run();
    const [alert] = await alertsOf('payment_alerts', 'twilio_failed_calls');
    expect(alert).toMatchObject({ severity: 'critical', value: 6, threshold: 5 });
    // The window measured is named (issue 10); the app's count is over the same window.
    expect(alert.message).toBe('Twilio reports 6 failed calls (1 h window ending 20 Nov 2026, 13:00 GMT+1); the app recorded 1.');
  });

  it('reports a Twilio authentication error as a monitor error', async () => {
    process.env.TWILIO_AUTH_TOKEN = 'wrong-twilio-token';
    await run();
    const [failure] = await alertsOf('system_alerts', 'monitor_check_failed');
    expect(failure.key).toBe('payment/twilio-calls');
    expect(failure.message).toContain('Authentication Error');
  });
});

describe('balances job', () => {
  const balances = (now = NOW) => runJob('balances', { trigger: 'test', now });

  it('raises a critical alert when the Twilio balance is below the threshold, and nothing at the threshold', async () => {
    servers.current.twilio.balance = '20.00';
    const equal = await balances();
    expect(evaluation(equal, 'twilio_balance_low')).toMatchObject({ status: 'ok', value: 20 });
    servers.current.twilio.balance = '12.50';
    await balances(new Date(NOW.getTime() + 86_400_000));
    const [alert] = await alertsOf('system_alerts', 'twilio_balance_low');
    expect(alert).toMatchObject({ severity: 'critical', value: 12.5, threshold: 20, message: 'Twilio balance is 12.50 USD.' });
  });

  it('raises a warning per currency when the Stripe available balance is low', async () => {
    servers.current.stripe.available = [
      { amount: 5_000, currency: 'eur' },
      { amount: 100_000, currency: 'usd' },
      { amount: 50, currency: 'jpy' },
    ];
    await balances();
    const alerts = await alertsOf('system_alerts', 'stripe_balance_low');
    expect(alerts.map((alert) => [alert.key, alert.value, alert.severity]).sort()).toEqual([
      ['EUR', 50, 'warning'],
      ['JPY', 50, 'warning'],
    ]);
  });

  it('reports a vendor failure and still checks the other vendor', async () => {
    servers.current.twilio.fail({ status: 503, body: { code: 20500, message: 'Service unavailable', status: 503 } });
    const result = await balances();
    expect(evaluation(result, 'stripe_balance_low', 'EUR')).toMatchObject({ status: 'ok', value: 1250 });
    const [failure] = await alertsOf('system_alerts', 'monitor_check_failed');
    expect(failure.key).toBe('balances/twilio-balance');
  });
});
