import { Timestamp, type Firestore } from 'firebase-admin/firestore';
import type { MonitoringConfig } from '../../../src/config/schema';
import { prng } from '../prng';
import { scanCollection, writeBatches, type Workload } from './types';

const MINUTE = 60_000;
const ms = (value: unknown) => (value instanceof Timestamp ? value.toMillis() : Number.NaN);

/** Payments, payouts and call sessions with a realistic mix of statuses over 30 days. */
export const paymentWorkload: Workload = {
  job: 'payment',
  collections: ['payments', 'payouts', 'call_sessions'],
  async seed(db: Firestore, n: number, now: Date) {
    const random = prng(42);
    const at = (minutesBack: number) => Timestamp.fromMillis(now.getTime() - minutesBack * MINUTE);
    const recent = () => random.between(1, 30 * 24 * 60);
    const payments = Array.from({ length: n }, () => {
      const provider = random.pick([
        ['stripe', 8],
        ['paypal', 2],
      ]);
      const status = random.pick([
        ['captured', 70],
        ['requires_capture', 8],
        ['failed', 7],
        ['refunded', 5],
        ['canceled', 5],
        ['pending', 5],
      ]);
      const created = random.next() < 0.05 ? random.between(1, 120) : recent();
      const doc: Record<string, unknown> = { provider, status, amount: Math.round(random.between(2_000, 20_000)), currency: 'EUR', createdAt: at(created) };
      if (['captured', 'refunded', 'requires_capture', 'canceled'].includes(status)) doc.authorizedAt = at(created - 1);
      if (['captured', 'refunded'].includes(status)) doc.capturedAt = at(Math.max(0, created - 30));
      if (status === 'failed')
        Object.assign(doc, {
          failedAt: at(created - 1),
          failureCode: random.pick([
            ['card_declined', 6],
            ['insufficient_funds', 3],
            ['expired_card', 1],
          ]),
        });
      return doc;
    });
    const payouts = Array.from({ length: n }, () => {
      const status = random.pick([
        ['paid', 85],
        ['pending', 8],
        ['processing', 4],
        ['failed', 1],
        ['canceled', 2],
      ]);
      const created = recent();
      return {
        method: random.pick([
          ['stripe', 7],
          ['paypal', 3],
        ]),
        status,
        amount: Math.round(random.between(2_000, 50_000)),
        currency: 'EUR',
        createdAt: at(created),
        ...(status === 'paid' ? { paidAt: at(created - 600) } : {}),
      };
    });
    const sessions = Array.from({ length: n }, () => {
      const status = random.pick([
        ['completed', 80],
        ['failed', 5],
        ['scheduled', 5],
        ['pending', 3],
        ['canceled', 7],
      ]);
      const scheduled = random.next() < 0.1 ? random.between(-2 * 24 * 60, 180) : recent();
      const doc: Record<string, unknown> = { status, scheduledAt: at(scheduled), expectedEndAt: at(scheduled - 30) };
      if (status === 'completed') doc.endedAt = at(scheduled - 28);
      if (status === 'failed')
        Object.assign(doc, {
          failedAt: at(Math.max(0, scheduled - 1)),
          failureReason: random.pick([
            ['no-answer', 5],
            ['busy', 3],
            ['twilio-error-31005', 2],
          ]),
        });
      return doc;
    });
    await writeBatches(db, 'payments', payments);
    await writeBatches(db, 'payouts', payouts);
    await writeBatches(db, 'call_sessions', sessions);
  },

  async scan(db: Firestore, now: Date, config: MonitoringConfig) {
    const [payments, payouts, sessions] = await Promise.all(['payments', 'payouts', 'call_sessions'].map((name) => scanCollection(db, name)));
    const t = now.getTime();
    const p = (rule: string) => config.rules[rule].params;
    const inWindow = (value: unknown, minutes: number) => ms(value) > t - minutes * MINUTE && ms(value) <= t;
    const failures = (provider: string, minutes: number) =>
      payments.filter((doc) => doc.provider === provider && doc.status === 'failed' && inWindow(doc.failedAt, minutes)).length;
    const rate = p('capture_rate');
    const authorized = payments.filter(
      (doc) => ms(doc.authorizedAt) > t - rate.windowHours * 60 * MINUTE && ms(doc.authorizedAt) <= t - rate.graceHours * 60 * MINUTE,
    );
    const captured = authorized.filter((doc) => doc.status === 'captured' || doc.status === 'refunded').length;
    return {
      documents: payments.length + payouts.length + sessions.length,
      queries: 3,
      values: {
        stripe_payment_failures: failures('stripe', p('stripe_payment_failures').windowMinutes),
        paypal_payment_failures: failures('paypal', p('paypal_payment_failures').windowMinutes),
        uncaptured_payments: payments.filter(
          (doc) => doc.status === 'requires_capture' && ms(doc.authorizedAt) <= t - p('uncaptured_payments').olderThanHours * 60 * MINUTE,
        ).length,
        capture_rate: authorized.length ? (captured / authorized.length) * 100 : 100,
        payouts_pending_too_long: payouts.filter(
          (doc) =>
            (doc.status === 'pending' || doc.status === 'processing') && ms(doc.createdAt) <= t - p('payouts_pending_too_long').olderThanHours * 60 * MINUTE,
        ).length,
        failed_payouts: payouts.filter((doc) => doc.status === 'failed').length,
        failed_calls: sessions.filter((doc) => doc.status === 'failed' && inWindow(doc.failedAt, p('failed_calls').windowMinutes)).length,
        orphaned_call_sessions: sessions.filter(
          (doc) => (doc.status === 'pending' || doc.status === 'scheduled') && ms(doc.expectedEndAt) <= t - p('orphaned_call_sessions').graceMinutes * MINUTE,
        ).length,
      },
    };
  },
};
