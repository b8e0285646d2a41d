/**
 * Never silently blind (sources job): a source that stops being written while its own history says
 * it normally is raises source_stale naming the collection and the blind rules, a quiet night stays
 * quiet, the alert resolves when documents arrive; sampled documents without a mapped field raise
 * source_field_missing, an unknown status value source_value_unknown; the check's reads stay bounded.
 */
import type { Firestore } from 'firebase-admin/firestore';
import { Timestamp } from 'firebase-admin/firestore';
import type { AlertDoc } from '../src/alerts/model';
import { expectation, MAX_CHECK_READS, sampleTurn, watchedSources } from '../src/monitors/system/sourceHealth';
import { runJob } from '../src/pipeline/run';
import { resolveSources, useSources } from '../src/sources';
import { allDocs, closeFirebase, freshProject } from './support/firebase';

const DEFAULTS = resolveSources(undefined);
const HOUR = 3_600_000;
const WEEK = 7 * 24 * HOUR;
let db: Firestore;

beforeEach(async () => {
  useSources(DEFAULTS);
  db = await freshProject();
});
afterAll(async () => {
  useSources(undefined);
  await closeFirebase();
});

/** The same weekday of the three previous weeks, and the day itself. */
const SAME_DAYS = [0, 7, 14, 21];

/** `perHour` payments an hour from `fromHour` to `toHour` (UTC) of each of `days` (days before `now`), written before `now`. */
async function seedPayments(now: Date, options: { days?: readonly number[]; fromHour: number; toHour: number; perHour: number; status?: string }) {
  let batch = db.batch();
  let written = 0;
  for (const day of options.days ?? SAME_DAYS) {
    for (let hour = options.fromHour; hour < options.toHour; hour += 1) {
      for (let index = 0; index < options.perHour; index += 1) {
        const at = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - day, hour, Math.floor((index * 60) / options.perHour));
        if (at >= now.getTime()) continue;
        batch.set(db.collection('payments').doc(), {
          provider: 'stripe',
          status: options.status ?? 'captured',
          createdAt: Timestamp.fromMillis(at),
          authorizedAt: Timestamp.fromMillis(at),
          capturedAt: Timestamp.fromMillis(at),
        });
        written += 1;
        if (written % 400 === 0) {
          await batch.commit();
          batch = db.batch();
        }
      }
    }
  }
  await batch.commit();
  return written;
}

const run = (now: Date) => runJob('sources', { trigger: 'test', now, tickMs: now.getTime() });
const openAlerts = async (ruleId: string) => (await allDocs<AlertDoc>(db, 'system_alerts')).filter((alert) => alert.ruleId === ruleId && !alert.resolved);

describe('pure parts', () => {
  it.each([
    [[], 0],
    [[10, 20, 30], 20],
    [[1, 2], 1.5],
    [[0, 0, 1], 0.3],
  ])('expectation of %j is %d', (counts, expected) => {
    expect(expectation(counts)).toBe(expected);
  });

  it('samples every watched source in turn, one per hour', () => {
    const watched = watchedSources(DEFAULTS);
    expect(watched).toEqual(expect.arrayContaining(['payments', 'payouts', 'analyticsEvents', 'errorLogs']));
    expect(watched).not.toContain('trackingStatus');
    expect(watched).not.toContain('providers');
    const seen = new Set(Array.from({ length: watched.length }, (_, hour) => sampleTurn(watched, hour * HOUR)));
    expect(seen.size).toBe(watched.length);
    expect(watchedSources(resolveSources({ sources: { payments: null } }))).not.toContain('payments');
  });
});

describe('source_stale', () => {
  // A weekday morning: payments usually arrive from 03:00 to 10:00 UTC, 10 an hour.
  const NOW = new Date('2026-11-25T08:20:00Z');

  it('fires when payments stop at a time of day that usually has them, naming the collection and the blind rules', async () => {
    await seedPayments(new Date(NOW.getTime() - 5 * HOUR), { fromHour: 3, toHour: 10, perHour: 10 });
    const result = await run(NOW);
    const [alert] = await openAlerts('source_stale');
    expect(alert).toBeDefined();
    expect(alert.key).toBe('payments');
    expect(alert.severity).toBe('critical');
    expect(alert.message).toMatch(
      /^No payments document written to payments for 5(\.\d)? h .*; the same hours of the last 3 weeks had 5\d(\.\d)? on average\. Rules blind meanwhile: stripe_payment_failures, /,
    );
    // The check's own reads: one newest document per source, three weekly counts for the silent one.
    expect(result.metrics.reads).toBeLessThanOrEqual(MAX_CHECK_READS);
  });

  it('stays quiet on a quiet night: the same hours of the previous weeks had almost nothing', async () => {
    await seedPayments(new Date('2026-11-24T23:00:00Z'), { fromHour: 7, toHour: 22, perHour: 10 });
    await run(new Date('2026-11-25T03:20:00Z'));
    expect(await openAlerts('source_stale')).toEqual([]);
  });

  it('a new app without history stays quiet too, and the alert resolves when documents arrive', async () => {
    await run(NOW);
    expect(await openAlerts('source_stale')).toEqual([]);
    await seedPayments(new Date(NOW.getTime() - 5 * HOUR), { fromHour: 3, toHour: 10, perHour: 10 });
    await run(NOW);
    expect(await openAlerts('source_stale')).toHaveLength(1);
    await db.collection('payments').add({ provider: 'stripe', status: 'captured', createdAt: Timestamp.fromMillis(NOW.getTime() + 10 * 60_000) });
    await run(new Date(NOW.getTime() + HOUR));
    expect(await openAlerts('source_stale')).toEqual([]);
  });

  it('reads at most 50 documents when every source has stopped at a busy hour', async () => {
    // Every watched source with history, none written for hours.
    for (const [collection, field] of [
      ['payouts', 'createdAt'],
      ['call_sessions', 'endedAt'],
      ['analytics_events', 'timestamp'],
      ['tracking_events', 'timestamp'],
      ['bookings', 'createdAt'],
      ['commissions', 'createdAt'],
      ['backup_logs', 'finishedAt'],
      ['email_logs', 'timestamp'],
    ]) {
      const batch = db.batch();
      for (let week = 1; week <= 3; week += 1) {
        for (let index = 0; index < 25; index += 1) {
          batch.set(db.collection(collection).doc(), {
            [field]: Timestamp.fromMillis(NOW.getTime() - week * WEEK - index * 60_000),
            status: 'completed',
            eventType: 'booking_search',
            platform: 'meta_capi',
          });
        }
      }
      await batch.commit();
    }
    await seedPayments(new Date(NOW.getTime() - 5 * HOUR), { fromHour: 3, toHour: 10, perHour: 10 });
    const result = await run(NOW);
    expect(result.metrics.reads).toBeLessThanOrEqual(MAX_CHECK_READS);
    expect(result.metrics.reads).toBeGreaterThan(30);
    expect((await openAlerts('source_stale')).map((alert) => alert.key).sort()).toEqual([
      'analyticsEvents',
      'backupLogs',
      'bookings',
      'callSessions',
      'commissions',
      'emailLogs',
      'payments',
      'payouts',
      'trackingEvents',
    ]);
  });
});

describe('sampled documents', () => {
  const watched = watchedSources(DEFAULTS);
  const hour = watched.indexOf('payments');
  const NOW = new Date(
    Date.UTC(2026, 10, 25, 0, 20) +
      Math.ceil((Date.UTC(2026, 10, 25) / HOUR - hour) / watched.length) * watched.length * HOUR +
      hour * HOUR -
      Date.UTC(2026, 10, 25),
  );

  it('the payments turn is the one computed', () => {
    expect(sampleTurn(watched, NOW.getTime())).toBe('payments');
  });

  it('raises source_field_missing when the newest failed payments carry failed_at instead of failedAt, and resolves once mapped', async () => {
    const batch = db.batch();
    for (let index = 0; index < 10; index += 1) {
      batch.set(db.collection('payments').doc(), {
        provider: 'stripe',
        status: 'failed',
        createdAt: Timestamp.fromMillis(NOW.getTime() - index * 60_000),
        failed_at: Timestamp.fromMillis(NOW.getTime() - index * 60_000),
      });
    }
    await batch.commit();
    await run(NOW);
    const open = await openAlerts('source_field_missing');
    expect(open.map((alert) => alert.key)).toEqual(['payments.failedAt']);
    expect(open[0].message).toBe(
      'Only 0 % of the 10 newest payments documents it applies to carry failedAt as timestamp (payments.failedAt). Rules affected: stripe_payment_failures, paypal_payment_failures.',
    );
    useSources(resolveSources({ sources: { payments: { fields: { failedAt: 'failed_at' } } } }));
    await run(new Date(NOW.getTime() + watched.length * HOUR));
    expect(await openAlerts('source_field_missing')).toEqual([]);
  });

  it('raises source_value_unknown for a status the mapping does not know, in French too', async () => {
    const batch = db.batch();
    for (let index = 0; index < 10; index += 1) {
      batch.set(db.collection('payments').doc(), {
        provider: 'stripe',
        status: index < 6 ? 'declined' : 'captured',
        createdAt: Timestamp.fromMillis(NOW.getTime() - index * 60_000),
        authorizedAt: Timestamp.fromMillis(NOW.getTime()),
        capturedAt: Timestamp.fromMillis(NOW.getTime()),
      });
    }
    await batch.commit();
    await db
      .collection('monitoring_config')
      .doc('settings')
      .set({ presentation: { locale: 'fr' } });
    await run(NOW);
    const [alert] = await openAlerts('source_value_unknown');
    expect(alert.key).toBe('payments.status');
    expect(alert.severity).toBe('warning');
    expect(alert.message).toContain('60 % des 10 documents payments les plus récents ont un status que le mapping ne connaît pas : "declined" ×6');
  });
});
