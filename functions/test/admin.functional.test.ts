/**
 * triggerFunctionalCheck: runs the functional job through the pipeline, one run per check set at a
 * time (create-if-absent lock with a lease), clear errors when the job is missing.
 */
import type { Firestore } from 'firebase-admin/firestore';
import { Timestamp } from 'firebase-admin/firestore';
import type { FunctionalCheckResult } from '../src/admin/functional';
import { triggerFunctionalCheck } from '../src/index';
import { ADMIN, call, callError, expectCode, installFunctionalStandIn, OTHER_ADMIN, type FunctionalStandIn } from './support/admin';
import { allDocs, closeFirebase, freshProject } from './support/firebase';
import { useLocalServers } from './support/servers';

const servers = useLocalServers();
let db: Firestore;
let standIn: FunctionalStandIn;

beforeEach(async () => {
  db = await freshProject();
  standIn = installFunctionalStandIn();
});
afterEach(() => {
  standIn.release();
  standIn.restore();
});
afterAll(closeFirebase);

it('runs the chosen check set through the pipeline and records who asked', async () => {
  const result = await call<FunctionalCheckResult>(triggerFunctionalCheck, { checkType: 'booking' });
  expect(result).toMatchObject({ job: 'functional', check: 'booking', outcome: 'success', error: null, alerts: { opened: 0, updated: 0, resolved: 0 } });
  expect(standIn.runs).toEqual([{ check: 'booking' }]);
  const [run] = await allDocs<Record<string, unknown>>(db, 'monitoring_runs');
  expect(run).toMatchObject({
    runId: result.runId,
    job: 'functional',
    trigger: 'callable',
    requestedBy: ADMIN.uid,
    options: { check: 'booking' },
    outcome: 'success',
  });
  expect(await allDocs(db, 'monitoring_locks')).toEqual([]);
});

it.each(['all', 'critical', 'signup', 'booking', 'tracking', 'payment'])('accepts the check set %s', async (checkType) => {
  await expect(call(triggerFunctionalCheck, { checkType })).resolves.toMatchObject({ check: checkType, outcome: 'success' });
});

it('refuses a second run of the same set while one runs, and says so', async () => {
  standIn.hold();
  const first = call<FunctionalCheckResult>(triggerFunctionalCheck, { checkType: 'signup' });
  await standIn.waiting();
  const refused = await expectCode(
    callError(triggerFunctionalCheck, { checkType: 'signup' }, OTHER_ADMIN),
    'already-exists',
    /A "signup" functional check is already running \(started .* by admin-uid-1\)/,
  );
  expect(refused.details).toEqual({ running: expect.objectContaining({ check: 'signup', requestedBy: ADMIN.uid }) });
  // Another set may run meanwhile.
  standIn.release();
  await expect(call(triggerFunctionalCheck, { checkType: 'booking' })).resolves.toMatchObject({ outcome: 'success' });
  await expect(first).resolves.toMatchObject({ check: 'signup', outcome: 'success' });
  expect(standIn.runs.map((run) => run.check)).toEqual(['signup', 'booking']);
  // Released: the set can run again.
  await expect(call(triggerFunctionalCheck, { checkType: 'signup' })).resolves.toMatchObject({ outcome: 'success' });
});

it('two simultaneous requests for the same set start one run', async () => {
  standIn.hold();
  const calls = [call(triggerFunctionalCheck, { checkType: 'tracking' }), call(triggerFunctionalCheck, { checkType: 'tracking' }, OTHER_ADMIN)].map((promise) =>
    promise.then(
      (value) => ({ ok: value }),
      (error: { code?: string }) => ({ error: error.code }),
    ),
  );
  await standIn.waiting();
  standIn.release();
  const outcomes = await Promise.all(calls);
  expect(outcomes.filter((outcome) => 'ok' in outcome)).toHaveLength(1);
  expect(outcomes.filter((outcome) => 'error' in outcome)).toEqual([{ error: 'already-exists' }]);
  expect(standIn.runs).toHaveLength(1);
});

it('takes over a lock whose holder died (lease expired)', async () => {
  await db
    .collection('monitoring_locks')
    .doc('functional~payment')
    .set({
      job: 'functional',
      check: 'payment',
      holder: 'dead-instance',
      requestedBy: OTHER_ADMIN.uid,
      acquiredAt: Timestamp.fromMillis(Date.now() - 3_600_000),
      leaseUntil: Timestamp.fromMillis(Date.now() - 60_000),
    });
  await expect(call(triggerFunctionalCheck, { checkType: 'payment' })).resolves.toMatchObject({ outcome: 'success' });
  expect(await allDocs(db, 'monitoring_locks')).toEqual([]);
});

it('returns a failed run as an outcome and releases the lock', async () => {
  standIn.failWith(new Error('analytics_events unreachable'));
  const result = await call<FunctionalCheckResult>(triggerFunctionalCheck, { checkType: 'all' });
  expect(result).toMatchObject({ outcome: 'failed', error: 'analytics_events unreachable' });
  expect(await allDocs(db, 'monitoring_locks')).toEqual([]);
  standIn.failWith(null);
  await expect(call(triggerFunctionalCheck, { checkType: 'all' })).resolves.toMatchObject({ outcome: 'success' });
});

it('answers failed-precondition, starting nothing, when the functional job is not deployed', async () => {
  standIn.restore();
  const { JOBS } = await import('../src/jobs/catalog');
  const real = JOBS.findIndex((job) => job.name === 'functional');
  const removed = real === -1 ? [] : JOBS.splice(real, 1);
  try {
    await expectCode(
      callError(triggerFunctionalCheck, { checkType: 'all' }),
      'failed-precondition',
      /functional monitoring job \("functional"\) is not part of this deployment/,
    );
    expect(await allDocs(db, 'monitoring_locks')).toEqual([]);
    expect(await allDocs(db, 'monitoring_runs')).toEqual([]);
  } finally {
    JOBS.push(...removed);
  }
});

it('answers failed-precondition when the job does not offer the set', async () => {
  standIn.restore();
  standIn = installFunctionalStandIn(['all', 'critical']);
  await expectCode(
    callError(triggerFunctionalCheck, { checkType: 'tracking' }),
    'failed-precondition',
    /does not offer the check set "tracking" \(it offers: all, critical\)/,
  );
  expect(standIn.runs).toEqual([]);
});

it.each([
  [{}, /checkType: /],
  [{ checkType: 'everything' }, /checkType: Invalid option: expected one of/],
  [{ checkType: 'ALL' }, /checkType: /],
  [{ checkType: ['all'] }, /checkType: /],
  [{ checkType: 'all', force: true }, /Unrecognized key: "force"/],
])('rejects %j and starts nothing', async (input, message) => {
  await expectCode(callError(triggerFunctionalCheck, input), 'invalid-argument', message);
  expect(standIn.runs).toEqual([]);
  expect(await allDocs(db, 'monitoring_locks')).toEqual([]);
});

describe('with the real functional job', () => {
  beforeEach(() => standIn.restore());

  it('runs the chosen set on the app data and the dashboard sees the alerts it opened', async () => {
    const { functionalScenario } = await import('../dev/scenario/functional');
    const { getFunctionalAlerts } = await import('../src/index');
    await functionalScenario.seed({ db, now: new Date(), servers: servers.current });
    const result = await call<FunctionalCheckResult>(triggerFunctionalCheck, { checkType: 'all' });
    expect(result).toMatchObject({ job: 'functional', check: 'all', outcome: 'success' });
    expect(result.alerts.opened).toBeGreaterThan(0);
    const page = await call<{ alerts: Array<{ domain: string; impact: string; suggestedAction: string }> }>(getFunctionalAlerts, { pageSize: 100 });
    expect(page.alerts).toHaveLength(result.alerts.opened);
    for (const alert of page.alerts) expect(alert).toMatchObject({ domain: 'functional', impact: expect.any(String), suggestedAction: expect.any(String) });
    const [metrics] = await allDocs<Record<string, unknown>>(db, 'functional_metrics');
    expect(metrics).toMatchObject({ type: 'all', job: 'functional', runId: result.runId });
  });

  it('runs a single set', async () => {
    const result = await call<FunctionalCheckResult>(triggerFunctionalCheck, { checkType: 'booking' });
    expect(result).toMatchObject({ check: 'booking', outcome: 'success' });
    const [run] = await allDocs<Record<string, unknown>>(db, 'monitoring_runs');
    expect(run).toMatchObject({ job: 'functional', options: { check: 'booking' }, requestedBy: ADMIN.uid });
  });
});
