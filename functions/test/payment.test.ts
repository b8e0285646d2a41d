/**
 * Payment monitoring on the app's data: each rule at its boundary, the minimum-sample guard,
 * overrides, and at-least-once scheduling through the exported Cloud Function.
 */
import type { Firestore } from 'firebase-admin/firestore';
import type { AlertDoc } from '../src/alerts/model';
import { runPaymentHealthCheck } from '../src/index';
import { EXPLAIN_SAMPLE } from '../src/monitors/payment/data';
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

const run = (now = NOW) => runJob('payment', { trigger: 'test', now });
const paymentAlerts = async (ruleId: string) => (await allDocs<AlertDoc>(db, 'payment_alerts')).filter((alert) => alert.ruleId === ruleId);

interface BoundaryCase {
  rule: string;
  collection: string;
  threshold: number;
  severity: string;
  window: string | null;
  matching: (index: number) => Record<string, unknown>;
  /** Documents that look similar but must not be counted. */
  distractors: Array<Record<string, unknown>>;
}

const payment = (fields: Record<string, unknown>) => ({ amount: 5_000, currency: 'EUR', createdAt: hoursAgo(2), ...fields });

const cases: BoundaryCase[] = [
  {
    rule: 'stripe_payment_failures',
    collection: 'payments',
    threshold: 3,
    severity: 'critical',
    window: 'any 1 h window since the previous evaluation',
    matching: (i) => payment({ provider: 'stripe', status: 'failed', failedAt: minutesAgo(5 + i), failureCode: 'card_declined' }),
    distractors: [
      payment({ provider: 'stripe', status: 'failed', failedAt: minutesAgo(61), failureCode: 'card_declined' }),
      payment({ provider: 'paypal', status: 'failed', failedAt: minutesAgo(5) }),
      payment({ provider: 'stripe', status: 'captured', capturedAt: minutesAgo(5) }),
    ],
  },
  {
    rule: 'paypal_payment_failures',
    collection: 'payments',
    threshold: 3,
    severity: 'critical',
    window: 'any 1 h window since the previous evaluation',
    matching: (i) => payment({ provider: 'paypal', status: 'failed', failedAt: minutesAgo(5 + i), failureCode: 'INSTRUMENT_DECLINED' }),
    distractors: [
      payment({ provider: 'paypal', status: 'failed', failedAt: minutesAgo(90) }),
      payment({ provider: 'stripe', status: 'failed', failedAt: minutesAgo(5) }),
    ],
  },
  {
    rule: 'uncaptured_payments',
    collection: 'payments',
    threshold: 5,
    severity: 'critical',
    window: 'authorised more than 6 h ago',
    matching: (i) => payment({ provider: 'stripe', status: 'requires_capture', authorizedAt: hoursAgo(7 + i) }),
    distractors: [
      payment({ provider: 'stripe', status: 'requires_capture', authorizedAt: hoursAgo(5) }),
      payment({ provider: 'stripe', status: 'captured', authorizedAt: hoursAgo(8), capturedAt: hoursAgo(7) }),
    ],
  },
  {
    rule: 'payouts_pending_too_long',
    collection: 'payouts',
    threshold: 5,
    severity: 'warning',
    window: 'created more than 24 h ago',
    matching: (i) => ({ method: 'stripe', status: i % 2 ? 'pending' : 'processing', amount: 4_000, currency: 'EUR', createdAt: hoursAgo(25 + i) }),
    distractors: [
      { method: 'stripe', status: 'pending', amount: 4_000, currency: 'EUR', createdAt: hoursAgo(23) },
      { method: 'stripe', status: 'paid', amount: 4_000, currency: 'EUR', createdAt: hoursAgo(30), paidAt: hoursAgo(29) },
    ],
  },
  {
    rule: 'failed_payouts',
    collection: 'payouts',
    threshold: 0,
    severity: 'emergency',
    window: null,
    matching: () => ({ method: 'paypal', status: 'failed', amount: 4_000, currency: 'EUR', createdAt: hoursAgo(30), failureReason: 'RECEIVER_UNREGISTERED' }),
    distractors: [{ method: 'paypal', status: 'paid', amount: 4_000, currency: 'EUR', createdAt: hoursAgo(30), paidAt: hoursAgo(29) }],
  },
  {
    rule: 'failed_calls',
    collection: 'call_sessions',
    threshold: 5,
    severity: 'critical',
    window: 'any 1 h window since the previous evaluation',
    matching: (i) => ({ status: 'failed', failedAt: minutesAgo(10 + i), failureReason: 'no-answer', scheduledAt: minutesAgo(20 + i) }),
    distractors: [
      { status: 'failed', failedAt: minutesAgo(70), failureReason: 'busy' },
      { status: 'completed', endedAt: minutesAgo(5) },
    ],
  },
  {
    rule: 'orphaned_call_sessions',
    collection: 'call_sessions',
    threshold: 10,
    severity: 'warning',
    window: 'expected to end more than 30 min ago',
    matching: (i) => ({ status: i % 2 ? 'pending' : 'scheduled', scheduledAt: hoursAgo(2), expectedEndAt: minutesAgo(31 + i) }),
    distractors: [
      { status: 'scheduled', scheduledAt: minutesAgo(30), expectedEndAt: minutesAgo(10) },
      { status: 'completed', scheduledAt: hoursAgo(2), expectedEndAt: minutesAgo(90) },
    ],
  },
];

describe.each(cases)('$rule', ({ rule, collection, threshold, severity, window, matching, distractors }) => {
  it(`does not fire at the threshold (${threshold}) and fires just above it`, async () => {
    await seed(db, collection, [...times(threshold, matching), ...distractors]);
    const atThreshold = await run();
    expect(atThreshold.evaluations.find((item) => item.ruleId === rule)).toMatchObject({ status: 'ok', value: threshold, threshold });
    expect(await paymentAlerts(rule)).toHaveLength(0);

    await seed(db, collection, [matching(threshold)]);
    await run(new Date(NOW.getTime() + 1_000));
    const [alert, ...others] = await paymentAlerts(rule);
    expect(others).toHaveLength(0);
    expect(alert).toMatchObject({ severity, value: threshold + 1, threshold, window, resolved: false, domain: 'payment' });
    expect(alert.runbookUrl).toContain(`#rule-${rule}`);
  });
});

describe('explaining an alert', () => {
  it('lists the top failure codes of a firing failure rule', async () => {
    await seed(db, 'payments', [
      ...times(3, (i) => payment({ provider: 'stripe', status: 'failed', failedAt: minutesAgo(5 + i), failureCode: 'card_declined' })),
      payment({ provider: 'stripe', status: 'failed', failedAt: minutesAgo(9), failureCode: 'expired_card' }),
    ]);
    await run();
    const [alert] = await paymentAlerts('stripe_payment_failures');
    // The message names the window measured (here the one ending at the run instant: a test run).
    expect(alert.message).toBe('4 Stripe payments failed (1 h window ending 20 Nov 2026, 13:00 GMT+1). Top failure codes: card_declined ×3, expired_card ×1.');
  });
});

describe('capture_rate', () => {
  const authorised = (captured: boolean, hours = 3) =>
    payment({
      provider: 'stripe',
      status: captured ? 'captured' : 'requires_capture',
      authorizedAt: hoursAgo(hours),
      ...(captured ? { capturedAt: hoursAgo(hours - 0.5) } : {}),
    });

  it('is not evaluated below the minimum sample', async () => {
    await seed(
      db,
      'payments',
      times(19, () => authorised(false)),
    );
    const result = await run();
    expect(result.evaluations.find((item) => item.ruleId === 'capture_rate')).toMatchObject({
      status: 'unknown',
      reason: 'sample of 19 authorised payments is below the minimum of 20',
    });
    expect(await paymentAlerts('capture_rate')).toHaveLength(0);
  });

  it('does not fire at exactly 90 % and fires below it, counting only authorisations due for capture', async () => {
    await seed(db, 'payments', [
      ...times(18, () => authorised(true)),
      ...times(2, () => authorised(false)),
      authorised(false, 0.5), // within the grace period: not due yet
      authorised(false, 30), // outside the 24 h window
    ]);
    const equal = await run();
    expect(equal.evaluations.find((item) => item.ruleId === 'capture_rate')).toMatchObject({ status: 'ok', value: 90 });

    await seed(
      db,
      'payments',
      times(2, () => authorised(false)),
    );
    await run(new Date(NOW.getTime() + 1_000));
    const [alert] = await paymentAlerts('capture_rate');
    expect(alert).toMatchObject({ severity: 'warning', threshold: 90, unit: 'percent' });
    expect(alert.value).toBeCloseTo(81.82, 2);
    expect(alert.message).toBe('Capture rate 81.8 % (18 of 22 authorised payments captured).');
  });

  it('honours an overridden minimum sample', async () => {
    await db
      .collection('monitoring_config')
      .doc('settings')
      .set({ rules: { capture_rate: { minSample: 5 } } });
    await seed(db, 'payments', [...times(3, () => authorised(true)), ...times(2, () => authorised(false))]);
    await run();
    expect(await paymentAlerts('capture_rate')).toHaveLength(1);
  });
});

describe('threshold overrides', () => {
  it('applies threshold, severity and window overrides from the configuration document', async () => {
    await db
      .collection('monitoring_config')
      .doc('settings')
      .set({ rules: { stripe_payment_failures: { threshold: 1, severity: 'emergency', params: { windowMinutes: 120 } } } });
    await seed(
      db,
      'payments',
      times(2, (i) => payment({ provider: 'stripe', status: 'failed', failedAt: minutesAgo(90 + i) })),
    );
    await db
      .collection('monitoring_config')
      .doc('settings')
      .update({ recipients: { emails: ['ops@example.com'], phones: ['+33612345678'] } });
    await run();
    const [alert] = await paymentAlerts('stripe_payment_failures');
    expect(alert).toMatchObject({ severity: 'emergency', value: 2, threshold: 1, window: 'any 2 h window since the previous evaluation' });
    expect(servers.current.twilio.sms).toEqual([
      expect.objectContaining({ to: '+33612345678', body: expect.stringContaining('EMERGENCY: Stripe payment failures') }),
    ]);
  });
});

describe('scheduled function', () => {
  it('runs twice for the same tick, concurrently, without duplicate alerts, messages or snapshots', async () => {
    await db
      .collection('monitoring_config')
      .doc('settings')
      .set({ recipients: { emails: ['ops@example.com'], phones: ['+33612345678'] } });
    await seed(db, 'payouts', [{ method: 'paypal', status: 'failed', amount: 4_000, currency: 'EUR', createdAt: hoursAgo(30) }]);
    await seed(
      db,
      'payments',
      times(4, (i) => payment({ provider: 'stripe', status: 'failed', failedAt: minutesAgo(5 + i) })),
    );
    const event = { scheduleTime: NOW.toISOString(), jobName: 'firebase-schedule-runPaymentHealthCheck' };
    await Promise.all([runPaymentHealthCheck.run(event as never), runPaymentHealthCheck.run(event as never)]);

    const alerts = await allDocs<AlertDoc>(db, 'payment_alerts');
    expect(alerts.map((alert) => alert.ruleId).sort()).toEqual(['failed_payouts', 'stripe_payment_failures']);
    // failed_payouts is an emergency (email + Slack + SMS), stripe failures critical (email + Slack).
    expect(servers.current.slack.messages).toHaveLength(2);
    expect(servers.current.smtp.mails).toHaveLength(2);
    expect(servers.current.twilio.sms).toHaveLength(1);
    const snapshots = await allDocs(db, 'payment_metrics');
    expect(snapshots).toHaveLength(1);
    expect(snapshots[0]).toMatchObject({
      source: 'payment',
      stripe: expect.objectContaining({ failures: 4 }),
      paypal: expect.objectContaining({ failed: 1 }),
      calls: expect.any(Object),
    });
    const runs = await allDocs<{ trigger: string; outcome: string }>(db, 'monitoring_runs');
    expect(runs.map((record) => [record.trigger, record.outcome])).toEqual([
      ['schedule', 'success'],
      ['schedule', 'success'],
    ]);
  });
});

describe('cost', () => {
  it('keeps the billed-read estimate flat as the collections grow', async () => {
    const mix = (count: number) =>
      times(count, (i) =>
        payment({
          provider: i % 3 ? 'stripe' : 'paypal',
          status: ['captured', 'requires_capture', 'failed', 'refunded'][i % 4],
          authorizedAt: hoursAgo(1 + (i % 40)),
          failedAt: minutesAgo(30 + (i % 20)),
          failureCode: 'card_declined',
        }),
      );
    const measure = async (count: number) => {
      db = await freshProject();
      await seed(db, 'payments', mix(count));
      return (await run()).reads;
    };
    const small = await measure(40);
    const large = await measure(440);
    // Same queries; aggregations bill one read per 1,000 index entries, and documents are only read
    // to explain a firing rule (a bounded sample per rule), so the estimate does not follow the data size.
    expect(large.aggregations).toBe(small.aggregations);
    expect(large.indexEntries).toBeGreaterThan(small.indexEntries * 5);
    expect(large.billedReads - large.documents).toBe(small.billedReads - small.documents);
    expect(large.billedReads).toBeLessThanOrEqual(small.billedReads + 3 * EXPLAIN_SAMPLE);
  });
});
