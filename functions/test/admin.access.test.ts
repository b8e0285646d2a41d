/**
 * Access control of every admin callable: no auth, a signed-in non-admin, an admin; the App Check
 * switch. Refused calls never write.
 */
import type { Firestore } from 'firebase-admin/firestore';
import { ADMIN_CALLABLES, type AdminCallableName } from '../src/admin';
import type { AlertDoc } from '../src/alerts/model';
import * as entry from '../src/index';
import {
  ADMIN,
  call,
  callError,
  expectCode,
  installFunctionalStandIn,
  paymentFailures,
  runFixtureJob,
  USER,
  type Auth,
  type FunctionalStandIn,
} from './support/admin';
import { allDocs, closeFirebase, freshProject } from './support/firebase';
import { useLocalServers } from './support/servers';

useLocalServers();
let db: Firestore;
let standIn: FunctionalStandIn;

beforeAll(() => {
  standIn = installFunctionalStandIn();
});
afterEach(() => {
  delete process.env.ADMIN_ENFORCE_APP_CHECK;
});
afterAll(async () => {
  standIn.restore();
  await closeFirebase();
});

const NAMES = Object.keys(ADMIN_CALLABLES) as AdminCallableName[];

/** A valid payload for each callable, given the data seeded by `seed`. */
async function seed(): Promise<Record<AdminCallableName, unknown>> {
  await runFixtureJob([...paymentFailures(2), { ruleId: 'fixture_form_errors', key: 'signup', value: 9 }], '2026-11-20T08:00:00Z');
  const payment = await allDocs<AlertDoc>(db, 'payment_alerts');
  const [functional] = await allDocs<AlertDoc>(db, 'functional_alerts');
  await db
    .collection('monitoring_silences')
    .doc('s1')
    .set({
      startsAt: new Date(Date.now() - 60_000),
      endsAt: new Date(Date.now() + 3_600_000),
      ruleId: null,
      category: null,
      domain: 'payment',
      reason: 'maintenance',
      createdBy: 'someone',
      createdAt: new Date(),
    });
  return {
    getActiveAlerts: {},
    getAlert: { alertId: payment[0]._id },
    acknowledgeAlert: { alertId: payment[0]._id },
    getSystemHealthSummary: {},
    getPaymentAlerts: { resolved: false },
    resolvePaymentAlert: { alertId: payment[1]._id },
    getPaymentMetrics: { days: 7 },
    getFunctionalMetrics: { days: 7 },
    getFunctionalAlerts: { resolved: false },
    resolveFunctionalAlert: { alertId: functional._id, resolution: 'fixed' },
    getFunctionalHealthSummary: {},
    triggerFunctionalCheck: { checkType: 'signup' },
    getThresholds: {},
    updateThresholds: { patch: { notifications: { maxAttempts: 3 } } },
    createSilence: { reason: 'deploy', durationMinutes: 30, domain: 'functional' },
    listSilences: {},
    endSilence: { silenceId: 's1' },
    sendTestNotification: { channel: 'slack' },
  };
}

const COLLECTIONS = [
  'payment_alerts',
  'functional_alerts',
  'system_alerts',
  'monitoring_admin_actions',
  'monitoring_config',
  'monitoring_silences',
  'monitoring_locks',
  'monitoring_runs',
  'monitoring_deliveries',
  'monitoring_test_notifications',
];

async function snapshot(): Promise<string> {
  return JSON.stringify(await Promise.all(COLLECTIONS.map((name) => allDocs(db, name))));
}

it('exports every admin callable from the entry point, and nothing else under their names', () => {
  const exported = entry as unknown as Record<string, { run?: unknown; __endpoint?: { callableTrigger?: unknown } }>;
  const callables = Object.keys(exported).filter((name) => exported[name]?.__endpoint?.callableTrigger !== undefined);
  expect(callables.sort()).toEqual([...NAMES].sort());
  for (const name of NAMES) expect(exported[name].__endpoint?.callableTrigger).toEqual({});
});

describe('refused calls (valid payloads; one seeded project, since refusals write nothing)', () => {
  let payloads: Record<AdminCallableName, unknown>;
  let before: string;
  beforeAll(async () => {
    db = await freshProject();
    payloads = await seed();
    before = await snapshot();
  });
  afterAll(async () => {
    expect(await snapshot()).toBe(before);
    expect(standIn.runs).toEqual([]);
  });

  describe.each([
    ['without auth', null, 'unauthenticated', /Sign in first/],
    ['signed in without the admin claim', USER, 'permission-denied', /reserved to admins/],
    ['with admin: "true" (a string, not the boolean)', { uid: 'u', token: { admin: 'true' } }, 'permission-denied', /reserved to admins/],
    ['with admin: false', { uid: 'u', token: { admin: false } }, 'permission-denied', /reserved to admins/],
  ] as Array<[string, Auth | null, 'unauthenticated' | 'permission-denied', RegExp]>)('%s', (_label, auth, code, message) => {
    it.each(NAMES)('%s is refused and writes nothing', async (name) => {
      await expectCode(callError(entry[name], payloads[name], auth), code, message);
      expect(await snapshot()).toBe(before);
    });
  });

  it.each(NAMES)('%s requires an App Check token when ADMIN_ENFORCE_APP_CHECK is true', async (name) => {
    process.env.ADMIN_ENFORCE_APP_CHECK = 'true';
    await expectCode(callError(entry[name], payloads[name], ADMIN), 'unauthenticated', /App Check token/);
    expect(await snapshot()).toBe(before);
  });
});

describe('as an admin', () => {
  it.each(NAMES)('%s answers', async (name) => {
    db = await freshProject();
    const payloads = await seed();
    await expect(call(entry[name], payloads[name], ADMIN)).resolves.toEqual(expect.any(Object));
  });
});

describe('App Check switch (ADMIN_ENFORCE_APP_CHECK)', () => {
  beforeEach(async () => {
    db = await freshProject();
  });

  it('accepts a call with a verified App Check token when enforced', async () => {
    process.env.ADMIN_ENFORCE_APP_CHECK = 'true';
    await expect(call(entry.getActiveAlerts, {}, ADMIN, { appId: '1:123:web:abc' })).resolves.toEqual({ alerts: [], nextPageToken: null });
  });

  it('does not require App Check by default or when set to false', async () => {
    await expect(call(entry.getActiveAlerts, {}, ADMIN)).resolves.toEqual({ alerts: [], nextPageToken: null });
    process.env.ADMIN_ENFORCE_APP_CHECK = 'false';
    await expect(call(entry.getActiveAlerts, {}, ADMIN)).resolves.toEqual({ alerts: [], nextPageToken: null });
  });
});
