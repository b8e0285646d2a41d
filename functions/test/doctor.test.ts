/**
 * The doctor (npm run monitor -- doctor) against the embedded Firestore: all green on healthy demo
 * data; a renamed field named with the rules it blinds and exit code 1; a new status value counted;
 * a collection that stopped being written shows its age; read-only and bounded.
 */
import type { Firestore } from 'firebase-admin/firestore';
import { Timestamp } from 'firebase-admin/firestore';
import { SCENARIO } from '../dev/scenario';
import { writeAll } from '../dev/scenario/types';
import { doctorMain, formatDoctor } from '../src/cli/doctor';
import { RULES } from '../src/rules';
import { resolveSources, useSources } from '../src/sources';
import { COUNT_CAP, runDoctor } from '../src/sources/doctor';
import { closeFirebase, freshProject } from './support/firebase';
import { useLocalServers } from './support/servers';

const servers = useLocalServers();
const NOW = new Date('2026-11-20T08:00:00Z');
const DEFAULTS = resolveSources(undefined);
let db: Firestore;

beforeEach(async () => {
  useSources(DEFAULTS);
  db = await freshProject();
  for (const part of SCENARIO) await part.seed({ db, now: NOW, servers: servers.current });
});
afterAll(async () => {
  useSources(undefined);
  await closeFirebase();
});

const rule = (report: Awaited<ReturnType<typeof runDoctor>>, id: string) => report.rules.find((row) => row.id === id)!;

it('sees every rule on the demo data, read-only and within a few hundred reads', async () => {
  const before = (await db.collection('payments').get()).size;
  const report = await runDoctor(db, DEFAULTS, RULES, NOW);
  expect(report.rules.filter((row) => row.visibility === 'blind')).toEqual([]);
  expect(report.ok).toBe(true);
  expect(rule(report, 'stripe_payment_failures').visibility).toBe('ok');
  const payments = report.sources.find((source) => source.name === 'payments')!;
  expect(payments.fields.failedAt.verdict).toBe('ok');
  expect(payments.fields.status.verdict).toBe('ok');
  expect(payments.unknownValues).toEqual({});
  expect(payments.newestAgeHours).not.toBeNull();
  // The demo data holds ten days of funnel history since issue 20 (what the blocked rules learn from): about 640 more documents.
  expect(report.billedReads).toBeLessThan(450);
  expect((await db.collection('payments').get()).size).toBe(before);
  const text = formatDoctor(report, 'functions/sources.json');
  expect(text).toContain('payments → payments');
  expect(text).toContain('Every rule that is on can see its data.');
});

it('names a renamed field and the rules it blinds', async () => {
  // The app writes failed_at; the mapping still says failedAt.
  const failed = await db.collection('payments').where('status', '==', 'failed').get();
  for (const doc of failed.docs) await doc.ref.update({ failed_at: doc.get('failedAt'), failedAt: null });
  const report = await runDoctor(db, DEFAULTS, RULES, NOW);
  const payments = report.sources.find((source) => source.name === 'payments')!;
  expect(payments.fields.failedAt.verdict).toBe('missing');
  expect(rule(report, 'stripe_payment_failures')).toEqual({ id: 'stripe_payment_failures', visibility: 'blind', reasons: ['payments.failedAt missing'] });
  expect(rule(report, 'paypal_payment_failures').visibility).toBe('blind');
  expect(rule(report, 'capture_rate').visibility).toBe('ok');
  expect(report.ok).toBe(false);
  expect(formatDoctor(report, 'x')).toMatch(/MISSING\s+failedAt\s+failedAt 0\/\d+ with type timestamp/);
});

it('counts values of a vocabulary that the mapping does not know', async () => {
  await writeAll(
    db,
    'payments',
    Array.from({ length: 30 }, () => ({ provider: 'stripe', status: 'declined', createdAt: Timestamp.fromDate(NOW) })),
  );
  const report = await runDoctor(db, DEFAULTS, RULES, NOW);
  const unknown = report.sources.find((source) => source.name === 'payments')!.unknownValues.status;
  expect(unknown?.[0].value).toBe('declined');
  expect(unknown?.[0].count).toBeGreaterThan(0);
  // Mapped as a failure, it is known.
  const mapped = resolveSources({ sources: { payments: { values: { status: { failed: ['failed', 'declined'] } } } } });
  const again = await runDoctor(db, mapped, RULES, NOW);
  expect(again.sources.find((source) => source.name === 'payments')!.unknownValues).toEqual({});
});

it('shows how long ago a source was last written, and calls an empty or misnamed collection blind', async () => {
  const report = await runDoctor(
    db,
    resolveSources({ sources: { bookings: { collection: 'reservations' } } }),
    RULES,
    new Date(NOW.getTime() + 48 * 3_600_000),
  );
  const payments = report.sources.find((source) => source.name === 'payments')!;
  expect(payments.newestAgeHours).toBeGreaterThan(47);
  expect(report.sources.find((source) => source.name === 'bookings')!.documents).toBe(0);
  expect(rule(report, 'booking_blocked')).toEqual({ id: 'booking_blocked', visibility: 'blind', reasons: ['reservations has no documents'] });
});

it('calls a rule off, not blind, when the mapping says the app has no such data', async () => {
  const report = await runDoctor(db, resolveSources({ sources: { commissions: null } }), RULES, NOW);
  expect(rule(report, 'commissions_pending_overdue')).toEqual({
    id: 'commissions_pending_overdue',
    visibility: 'off',
    reasons: ['commissions is mapped to nothing'],
  });
  expect(report.ok).toBe(true);
});

it('exits 1 when a rule is blind, 2 on a bad mapping, from the command line', async () => {
  const failed = await db.collection('payments').where('status', '==', 'failed').get();
  for (const doc of failed.docs) await doc.ref.update({ failedAt: null });
  const blind = await doctorMain(['--json', '--now', NOW.toISOString()]);
  expect(blind.code).toBe(1);
  const parsed = JSON.parse(blind.stdout) as { ok: boolean; billedReads: number };
  expect(parsed.ok).toBe(false);
  process.env.MONITORING_SOURCES = `${__dirname}/fixtures/bad-sources.json`;
  try {
    const bad = await doctorMain([]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('sources.payments.fields.failedAt.type: must be one of timestamp, isoString, epochMillis, epochSeconds');
    expect(bad.stderr).toContain('sources.orderz: unknown source');
  } finally {
    delete process.env.MONITORING_SOURCES;
  }
  expect(COUNT_CAP).toBe(10_000);
});
