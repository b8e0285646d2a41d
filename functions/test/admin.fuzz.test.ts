/**
 * Fuzzing every admin callable with random payloads (seeded, reproducible: FUZZ_SEED=<n> to replay
 * another sequence, FUZZ_PAYLOADS=<n> for more per callable). Each answer must be a documented error
 * code for that callable (never `internal`) or a valid result, and a rejected call must write nothing.
 *
 * "Nothing written" is checked two ways: every Firestore write of the Admin SDK goes through
 * WriteBatch#_commit (document writes are one-operation batches), whose successful commits are counted
 * per call and must stay at zero for a rejected call (a create refused because the document exists is
 * not a write); and the contents of every collection are compared before and
 * after each stretch of rejected calls (and after every 10th rejected call), which would also catch a
 * write that bypassed the SDK's batches.
 */
import type { Firestore } from 'firebase-admin/firestore';
import { Timestamp, WriteBatch } from 'firebase-admin/firestore';
import { HttpsError } from 'firebase-functions/v2/https';
import { ADMIN_CALLABLES, type AdminCallableName } from '../src/admin';
import { COMMON_ERRORS } from '../src/admin/callable';
import type { AlertDoc } from '../src/alerts/model';
import * as entry from '../src/index';
import { ADMIN, call, installFunctionalStandIn, paymentFailures, prng, runFixtureJob, USER, type Auth, type FunctionalStandIn } from './support/admin';
import { allDocs, closeFirebase, freshProject } from './support/firebase';

const SEED = Number(process.env.FUZZ_SEED ?? 20261120);
const PAYLOADS = Number(process.env.FUZZ_PAYLOADS ?? 60);
const NAMES = Object.keys(ADMIN_CALLABLES) as AdminCallableName[];

const COLLECTIONS = [
  'payment_alerts',
  'functional_alerts',
  'system_alerts',
  'monitoring_admin_actions',
  'monitoring_alert_state',
  'monitoring_config',
  'monitoring_silences',
  'monitoring_locks',
  'monitoring_runs',
  'monitoring_jobs',
  'monitoring_deliveries',
  'monitoring_test_notifications',
  'payment_metrics',
];

let db: Firestore;
let standIn: FunctionalStandIn;
let valid: Record<AdminCallableName, Record<string, unknown>>;

beforeAll(async () => {
  db = await freshProject();
  standIn = installFunctionalStandIn();
  await runFixtureJob(
    [...paymentFailures(6), { ruleId: 'fixture_form_errors', key: 'signup', value: 9 }, { ruleId: 'fixture_backup_age', value: 30 }],
    '2026-11-20T08:00:00Z',
  );
  await db.collection('payment_metrics').add({ timestamp: Timestamp.now(), stripe: { failures: 1 }, paypal: {}, calls: {} });
  await db
    .collection('monitoring_silences')
    .doc('s1')
    .set({
      startsAt: Timestamp.now(),
      endsAt: Timestamp.fromMillis(Date.now() + 3_600_000),
      domain: 'payment',
      reason: 'seeded',
      createdBy: 'someone',
      createdAt: Timestamp.now(),
    });
  const payment = await allDocs<AlertDoc>(db, 'payment_alerts');
  const [functional] = await allDocs<AlertDoc>(db, 'functional_alerts');
  valid = {
    getActiveAlerts: { pageSize: 3 },
    getAlert: { alertId: payment[0]._id },
    acknowledgeAlert: { alertId: payment[0]._id },
    getSystemHealthSummary: {},
    getPaymentAlerts: { resolved: false, pageSize: 2 },
    resolvePaymentAlert: { alertId: payment[1]._id, resolution: 'fixed' },
    getPaymentMetrics: { days: 7 },
    getFunctionalMetrics: { days: 7 },
    getFunctionalAlerts: { resolved: true },
    resolveFunctionalAlert: { alertId: functional._id, resolution: 'fixed' },
    getFunctionalHealthSummary: {},
    triggerFunctionalCheck: { checkType: 'signup' },
    getThresholds: {},
    updateThresholds: { patch: { notifications: { maxAttempts: 3 } } },
    createSilence: { reason: 'deploy', durationMinutes: 30, domain: 'functional' },
    listSilences: { pageSize: 2 },
    endSilence: { silenceId: 's1' },
    sendTestNotification: { channel: 'email' },
  };
});
afterAll(async () => {
  standIn.restore();
  await closeFirebase();
});

async function snapshot(): Promise<string> {
  return JSON.stringify(await Promise.all(COLLECTIONS.map((name) => allDocs(db, name))));
}

const KEYS = [
  'alertId',
  'resolution',
  'resolved',
  'severity',
  'domain',
  'pageSize',
  'pageToken',
  'days',
  'checkType',
  'patch',
  'reason',
  'startsAt',
  'endsAt',
  'durationMinutes',
  'ruleId',
  'category',
  'everything',
  'silenceId',
  'channel',
  'limit',
  '__proto__',
  'constructor',
  'admin',
];
const STRINGS = [
  '',
  ' ',
  'all',
  'warning',
  'payment',
  'slack',
  'sms',
  'true',
  '7',
  'fixture_payment_failures-n1',
  'a/b',
  '..',
  '__name__',
  '../../etc/passwd',
  "'; DROP TABLE alerts; --",
  '<script>alert(1)</script>',
  '\u0000',
  '😀'.repeat(10),
  '2026-11-20T08:00:00Z',
  'eyJxIjoieCJ9',
  'null',
];

function generator(seed: number) {
  const random = prng(seed);
  const int = (max: number) => Math.floor(random() * max);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)];
  const value = (depth: number): unknown => {
    switch (int(depth > 2 ? 6 : 9)) {
      case 0:
        return null;
      case 1:
        return pick([true, false, undefined]);
      case 2:
        return pick([0, 1, -1, 7, 90, 91, 100, 101, 1e21, -1e21, 0.5, Number.MAX_SAFE_INTEGER, Number.NaN, Number.POSITIVE_INFINITY, int(2_000) - 1_000]);
      case 3:
        return pick(STRINGS);
      case 4:
        return 'x'.repeat(pick([1, 99, 100, 101, 200, 201, 500, 501, 1_000, 1_001, 5_000, 70_000]));
      case 5:
        return String.fromCharCode(...Array.from({ length: int(40) }, () => 32 + int(95)));
      case 6:
        return Array.from({ length: int(5) }, () => value(depth + 1));
      default: {
        const object: Record<string, unknown> = {};
        for (let index = int(4); index > 0; index -= 1) object[pick(KEYS)] = value(depth + 1);
        return object;
      }
    }
  };
  const payload = (name: AdminCallableName): unknown => {
    const base = valid[name];
    switch (int(6)) {
      case 5:
        // The valid payload itself (repeated calls exercise idempotency and locks).
        return { ...base };
      case 0:
        return value(0);
      case 1: {
        // Known field names with random values.
        const object: Record<string, unknown> = {};
        for (let index = 1 + int(3); index > 0; index -= 1) object[pick(KEYS)] = value(1);
        return object;
      }
      case 2: {
        // A valid payload with one field changed to a random value.
        const keys = Object.keys(base);
        return keys.length ? { ...base, [pick(keys)]: value(1) } : { [pick(KEYS)]: value(1) };
      }
      case 3: {
        // A valid payload plus an unknown field, or minus a field.
        const copy: Record<string, unknown> = { ...base };
        const keys = Object.keys(copy);
        if (keys.length && random() < 0.5) delete copy[pick(keys)];
        else copy[`${pick(KEYS)}${pick(['', 'X', '_'])}`] = value(1);
        return copy;
      }
      default:
        // A deeply nested or wide structure.
        return random() < 0.5 ? { ...base, nested: JSON.parse(`${'{"a":'.repeat(30)}1${'}'.repeat(30)}`) } : Array.from({ length: 3_000 }, (_, index) => index);
    }
  };
  const auth = (): Auth | null => pick<Auth | null>([ADMIN, ADMIN, ADMIN, ADMIN, ADMIN, ADMIN, null, USER, { uid: 'x', token: { admin: 'true' } }]);
  return { payload, auth };
}

/** Shape checks of a successful answer. */
const token = (value: unknown) => expect(value === null || typeof value === 'string').toBe(true);

const RESULT_CHECKS: Record<AdminCallableName, (result: Record<string, unknown>) => void> = {
  getActiveAlerts: (result) => {
    expect(result).toEqual({ alerts: expect.any(Array), nextPageToken: result.nextPageToken });
    token(result.nextPageToken);
  },
  getPaymentAlerts: (result) => RESULT_CHECKS.getActiveAlerts(result),
  getAlert: (result) => expect(result).toEqual({ alert: expect.objectContaining({ id: expect.any(String), domain: expect.any(String) }) }),
  getFunctionalAlerts: (result) => RESULT_CHECKS.getActiveAlerts(result),
  acknowledgeAlert: (result) => expect(result).toEqual({ changed: expect.any(Boolean), alert: expect.objectContaining({ acknowledged: true }) }),
  resolvePaymentAlert: (result) => expect(result).toEqual({ changed: expect.any(Boolean), alert: expect.objectContaining({ resolved: true }) }),
  resolveFunctionalAlert: (result) => RESULT_CHECKS.resolvePaymentAlert(result),
  getSystemHealthSummary: (result) => expect(result).toMatchObject({ generatedAt: expect.any(String), alerts: expect.any(Object), jobs: expect.any(Array) }),
  getFunctionalHealthSummary: (result) =>
    expect(result).toMatchObject({ generatedAt: expect.any(String), alerts: expect.any(Object), running: expect.any(Array) }),
  getPaymentMetrics: (result) => expect(result).toMatchObject({ from: expect.any(String), to: expect.any(String), metrics: expect.any(Array) }),
  getFunctionalMetrics: (result) => RESULT_CHECKS.getPaymentMetrics(result),
  triggerFunctionalCheck: (result) => expect(result).toMatchObject({ runId: expect.any(String), outcome: 'success' }),
  getThresholds: (result) => expect(result).toMatchObject({ override: expect.any(Object), effective: expect.any(Object), rules: expect.any(Array) }),
  updateThresholds: (result) => RESULT_CHECKS.getThresholds(result),
  createSilence: (result) => expect(result).toMatchObject({ id: expect.any(String), status: expect.any(String) }),
  listSilences: (result) => {
    expect(result).toEqual({ silences: expect.any(Array), nextPageToken: result.nextPageToken });
    token(result.nextPageToken);
  },
  endSilence: (result) => expect(result).toMatchObject({ changed: expect.any(Boolean), silence: expect.any(Object) }),
  sendTestNotification: (result) => expect(result).toMatchObject({ channel: expect.any(String), status: expect.any(String) }),
};

const totals = { calls: 0, rejected: 0, accepted: 0 };

describe(`fuzz (seed ${SEED}, ${PAYLOADS} payloads per callable)`, () => {
  it.each(NAMES.map((name, index) => [name, index]))('%s', async (name) => {
    const definition = ADMIN_CALLABLES[name as AdminCallableName];
    const allowed = new Set([...COMMON_ERRORS, ...definition.errors]);
    const { payload, auth } = generator(SEED + NAMES.indexOf(name as AdminCallableName) * 7_919);
    const commits = jest.spyOn(WriteBatch.prototype as unknown as { _commit: () => Promise<unknown> }, '_commit');
    let before = await snapshot();
    let sinceSnapshot = 0;
    const codes: Record<string, number> = {};
    try {
      for (let index = 0; index < PAYLOADS; index += 1) {
        const data = payload(name as AdminCallableName);
        const who = auth();
        const context = `${name} #${index} (seed ${SEED}) payload ${JSON.stringify(data)?.slice(0, 200)} auth ${who?.uid ?? 'none'}`;
        totals.calls += 1;
        commits.mockClear();
        let result: unknown;
        try {
          result = await call(entry[name as AdminCallableName], data, who);
        } catch (error) {
          if (!(error instanceof HttpsError)) throw new Error(`${context}: threw a non-HttpsError: ${String(error)}`);
          if (!allowed.has(error.code)) throw new Error(`${context}: answered ${error.code} (${error.message}), not a documented code`);
          codes[error.code] = (codes[error.code] ?? 0) + 1;
          totals.rejected += 1;
          // A precondition that fails (create of an existing document) is an attempt, not a write.
          const committed = (await Promise.allSettled(commits.mock.results.map((item) => item.value as Promise<unknown>))).filter(
            (item) => item.status === 'fulfilled',
          );
          if (committed.length > 0) throw new Error(`${context}: rejected with ${error.code} but committed ${committed.length} write batch(es)`);
          sinceSnapshot += 1;
          if (sinceSnapshot % 10 === 0 && (await snapshot()) !== before) throw new Error(`${context}: rejected calls changed Firestore`);
          continue;
        }
        totals.accepted += 1;
        codes.ok = (codes.ok ?? 0) + 1;
        try {
          RESULT_CHECKS[name as AdminCallableName](result as Record<string, unknown>);
        } catch (error) {
          throw new Error(`${context}: accepted with an invalid result: ${(error as Error).message}`);
        }
        if (definition.mutates) {
          before = await snapshot();
          sinceSnapshot = 0;
        }
      }
      if ((await snapshot()) !== before) throw new Error(`${name}: the last rejected calls changed Firestore`);
    } finally {
      commits.mockRestore();
    }
    if (process.env.FUZZ_REPORT) process.stdout.write(`${name}: ${JSON.stringify(codes)}\n`);
    // Most random payloads are rejected; every callable saw some.
    expect((codes['invalid-argument'] ?? 0) + (codes.unauthenticated ?? 0) + (codes['permission-denied'] ?? 0)).toBeGreaterThan(PAYLOADS / 3);
  });

  it('sent every payload, and would have seen a write', async () => {
    expect(totals.calls).toBe(NAMES.length * PAYLOADS);
    expect(totals.rejected + totals.accepted).toBe(totals.calls);
    // The write detector is not blind: a valid mutating call is counted.
    const commits = jest.spyOn(WriteBatch.prototype as unknown as { _commit: () => Promise<unknown> }, '_commit');
    try {
      await call(entry.createSilence, { reason: 'detector check', durationMinutes: 5, everything: true });
      expect(commits.mock.calls.length).toBeGreaterThan(0);
    } finally {
      commits.mockRestore();
    }
  });
});
