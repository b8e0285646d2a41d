/**
 * Alert lists (real paging on the emulator), acknowledgement and resolution: who and when,
 * idempotency (repeated and concurrent), and consistency with the alert engine afterwards.
 */
import type { Firestore } from 'firebase-admin/firestore';
import type { AlertView, AlertActionResult, AlertPage } from '../src/admin/alerts';
import type { AlertDoc, AlertState } from '../src/alerts/model';
import { acknowledgeAlert, getActiveAlerts, getAlert, getFunctionalAlerts, getPaymentAlerts, resolveFunctionalAlert, resolvePaymentAlert } from '../src/index';
import { ADMIN, call, callError, expectCode, OTHER_ADMIN, paymentFailures, runFixtureJob } from './support/admin';
import { allDocs, closeFirebase, freshProject } from './support/firebase';
import { at, scriptedJob } from './support/scriptedJob';
import { useLocalServers } from './support/servers';

const servers = useLocalServers();
let db: Firestore;

beforeEach(async () => {
  db = await freshProject();
});
afterAll(closeFirebase);

/** Every page of a list, following nextPageToken. */
async function allPages(fn: unknown, data: Record<string, unknown>): Promise<{ pages: AlertView[][]; ids: string[] }> {
  const pages: AlertView[][] = [];
  let token: string | null = null;
  do {
    const page: AlertPage = await call<AlertPage>(fn, { ...data, ...(token ? { pageToken: token } : {}) });
    pages.push(page.alerts);
    token = page.nextPageToken;
    if (pages.length > 50) throw new Error('paging does not end');
  } while (token);
  return { pages, ids: pages.flat().map((alert) => alert.id) };
}

describe('lists', () => {
  it('returns open alerts of every domain, newest first, with the spec fields', async () => {
    await runFixtureJob(paymentFailures(1), '2026-11-20T08:00:00Z');
    await runFixtureJob(
      [...paymentFailures(1), { ruleId: 'fixture_form_errors', key: 'signup', value: 12 }, { ruleId: 'fixture_backup_age', value: 30 }],
      '2026-11-20T09:00:00Z',
    );
    const page = await call<AlertPage>(getActiveAlerts, {});
    expect(page.nextPageToken).toBeNull();
    // Newest first; alerts opened by the same run are ordered by id, descending.
    expect(page.alerts.map((alert) => [alert.domain, alert.ruleId])).toEqual([
      ['functional', 'fixture_form_errors'],
      ['system', 'fixture_backup_age'],
      ['payment', 'fixture_payment_failures'],
    ]);
    const form = page.alerts[0];
    expect(form).toMatchObject({
      collection: 'functional_alerts',
      severity: 'warning',
      category: 'forms',
      title: 'Fixture form errors: signup',
      message: '12 % errors on signup',
      impact: 'Users cannot submit the form.',
      suggestedAction: 'Check the form.',
      value: 12,
      threshold: 5,
      acknowledged: false,
      acknowledgedBy: null,
      resolved: false,
      createdAt: '2026-11-20T09:00:00.000Z',
      metadata: expect.objectContaining({ job: 'fixture', incident: 1 }),
    });
    expect((await call<AlertPage>(getActiveAlerts, { domain: 'system' })).alerts.map((alert) => alert.ruleId)).toEqual(['fixture_backup_age']);
    expect((await call<AlertPage>(getActiveAlerts, { severity: 'critical' })).alerts.map((alert) => alert.ruleId)).toEqual(['fixture_payment_failures']);
  });

  it('pages through many alerts opened at the same instant, each exactly once', async () => {
    await runFixtureJob(paymentFailures(23), '2026-11-20T08:00:00Z');
    await runFixtureJob([...paymentFailures(23), { ruleId: 'fixture_payment_failures', key: 'later', value: 9 }], '2026-11-20T10:00:00Z');
    const { pages, ids } = await allPages(getPaymentAlerts, { pageSize: 5 });
    expect(pages.map((page) => page.length)).toEqual([5, 5, 5, 5, 4]);
    expect(ids[0]).toMatch(/^fixture_payment_failures~later-/);
    expect(new Set(ids).size).toBe(24);
    const stored = await allDocs<AlertDoc>(db, 'payment_alerts');
    expect([...ids].sort()).toEqual(stored.map((alert) => alert._id).sort());
    // Same instant: ordered by id, descending.
    const sameInstant = ids.slice(1);
    expect(sameInstant).toEqual([...sameInstant].sort().reverse());
  });

  it('pages across collections for getActiveAlerts', async () => {
    await runFixtureJob(
      [
        ...paymentFailures(4),
        ...['a', 'b', 'c'].map((form) => ({ ruleId: 'fixture_form_errors', key: form, value: 10 })),
        { ruleId: 'fixture_backup_age', value: 40 },
      ],
      '2026-11-20T08:00:00Z',
    );
    const { pages, ids } = await allPages(getActiveAlerts, { pageSize: 3 });
    expect(pages.map((page) => page.length)).toEqual([3, 3, 2]);
    expect(new Set(ids).size).toBe(8);
  });

  it('bounds the page size: default 25, at most 100, at least 1', async () => {
    await runFixtureJob(paymentFailures(30), '2026-11-20T08:00:00Z');
    const first = await call<AlertPage>(getPaymentAlerts, {});
    expect(first.alerts).toHaveLength(25);
    expect(first.nextPageToken).toEqual(expect.any(String));
    expect((await call<AlertPage>(getPaymentAlerts, { pageSize: 100 })).alerts).toHaveLength(30);
    await expectCode(callError(getPaymentAlerts, { pageSize: 101 }), 'invalid-argument', /pageSize: Too big: expected number to be <=100/);
    await expectCode(callError(getPaymentAlerts, { pageSize: 0 }), 'invalid-argument', /pageSize: Too small/);
    await expectCode(callError(getPaymentAlerts, { pageSize: 2.5 }), 'invalid-argument', /pageSize: .*expected int/);
  });

  it('lists resolved alerts with resolved: true, open ones by default', async () => {
    await runFixtureJob([...paymentFailures(2)], '2026-11-20T08:00:00Z');
    await runFixtureJob([{ ruleId: 'fixture_payment_failures', key: 'acct-000', value: 0 }, paymentFailures(2)[1]], '2026-11-20T09:00:00Z');
    expect((await call<AlertPage>(getPaymentAlerts, {})).alerts.map((alert) => alert.key)).toEqual(['acct-001']);
    expect((await call<AlertPage>(getPaymentAlerts, { resolved: true })).alerts).toEqual([
      expect.objectContaining({ key: 'acct-000', resolved: true, resolvedBy: 'system', resolvedAt: '2026-11-20T09:00:00.000Z' }),
    ]);
  });

  it('rejects a page token that was not issued for this list', async () => {
    await runFixtureJob(paymentFailures(3), '2026-11-20T08:00:00Z');
    const { nextPageToken } = await call<AlertPage>(getPaymentAlerts, { pageSize: 1 });
    await expectCode(callError(getPaymentAlerts, { pageToken: 'not-a-token' }), 'invalid-argument', /pageToken is not a token/);
    await expectCode(callError(getPaymentAlerts, { pageToken: nextPageToken, resolved: true }), 'invalid-argument', /pageToken belongs to a different list/);
    await expectCode(callError(getFunctionalAlerts, { pageToken: nextPageToken }), 'invalid-argument', /pageToken belongs to a different list/);
    const forged = Buffer.from(JSON.stringify({ q: 'x', t: -1, k: '../x' })).toString('base64url');
    await expectCode(callError(getPaymentAlerts, { pageToken: forged }), 'invalid-argument', /pageToken is not a token/);
  });

  it('rejects wrong types and unknown fields, naming them', async () => {
    await expectCode(callError(getPaymentAlerts, { resolved: 'yes' }), 'invalid-argument', /resolved: Invalid input: expected boolean, received string/);
    await expectCode(callError(getActiveAlerts, { severity: 'urgent' }), 'invalid-argument', /severity: /);
    await expectCode(callError(getActiveAlerts, { domain: 'billing' }), 'invalid-argument', /domain: /);
    await expectCode(callError(getActiveAlerts, { limit: 10 }), 'invalid-argument', /Unrecognized key: "limit"/);
    await expectCode(callError(getActiveAlerts, 'everything'), 'invalid-argument', /expected object, received string/);
    await expectCode(callError(getActiveAlerts, [1, 2]), 'invalid-argument', /expected object, received array/);
  });
});

describe('getAlert', () => {
  it('finds one alert by id in any collection, open or resolved (a system alert that resolved by itself too)', async () => {
    await runFixtureJob([...paymentFailures(1), { ruleId: 'fixture_backup_age', value: 30 }], '2026-11-20T08:00:00Z');
    await runFixtureJob([...paymentFailures(1), { ruleId: 'fixture_backup_age', value: 1 }], '2026-11-20T09:00:00Z');
    const [system] = await allDocs<AlertDoc>(db, 'system_alerts');
    const [payment] = await allDocs<AlertDoc>(db, 'payment_alerts');
    expect((await call<{ alert: AlertView }>(getAlert, { alertId: system._id })).alert).toMatchObject({
      id: system._id,
      domain: 'system',
      collection: 'system_alerts',
      resolved: true,
      resolvedBy: 'system',
      resolvedAt: '2026-11-20T09:00:00.000Z',
    });
    expect((await call<{ alert: AlertView }>(getAlert, { alertId: payment._id })).alert).toMatchObject({ id: payment._id, domain: 'payment', resolved: false });
  });

  it('answers not-found for an unknown id and invalid-argument for a malformed one', async () => {
    await expectCode(callError(getAlert, { alertId: 'no_such_alert-n1' }), 'not-found', /No alert with id "no_such_alert-n1".*retention/);
    await expectCode(callError(getAlert, { alertId: 'payment_alerts/x' }), 'invalid-argument', /alertId: must be a document id/);
    await expectCode(callError(getAlert, {}), 'invalid-argument', /alertId: Invalid input/);
  });
});

describe('acknowledgeAlert', () => {
  it('records who and when, and keeps the first acknowledgement on repeated calls', async () => {
    await runFixtureJob(paymentFailures(1), '2026-11-20T08:00:00Z');
    const [alert] = await allDocs<AlertDoc>(db, 'payment_alerts');
    const first = await call<AlertActionResult>(acknowledgeAlert, { alertId: alert._id });
    expect(first.changed).toBe(true);
    expect(first.alert).toMatchObject({ acknowledged: true, acknowledgedBy: ADMIN.uid, acknowledgedAt: expect.any(String) });

    const again = await call<AlertActionResult>(acknowledgeAlert, { alertId: alert._id }, OTHER_ADMIN);
    expect(again.changed).toBe(false);
    expect(again.alert).toMatchObject({ acknowledgedBy: ADMIN.uid, acknowledgedAt: first.alert.acknowledgedAt });
    const stored = (await db.collection('payment_alerts').doc(alert._id).get()).data() as AlertDoc;
    expect(stored).toMatchObject({ acknowledged: true, acknowledgedBy: ADMIN.uid });
  });

  it('gives one acknowledgement when two admins click at the same time', async () => {
    await runFixtureJob(paymentFailures(1), '2026-11-20T08:00:00Z');
    const [alert] = await allDocs<AlertDoc>(db, 'payment_alerts');
    const results = await Promise.all([
      call<AlertActionResult>(acknowledgeAlert, { alertId: alert._id }, ADMIN),
      call<AlertActionResult>(acknowledgeAlert, { alertId: alert._id }, OTHER_ADMIN),
    ]);
    expect(results.filter((result) => result.changed)).toHaveLength(1);
    const winner = results.find((result) => result.changed)!.alert;
    for (const result of results) expect(result.alert).toMatchObject({ acknowledgedBy: winner.acknowledgedBy, acknowledgedAt: winner.acknowledgedAt });
    expect(await allDocs(db, 'monitoring_admin_actions')).toEqual([
      expect.objectContaining({ _id: `${alert._id}~acknowledged`, action: 'acknowledged', by: winner.acknowledgedBy }),
    ]);
  });

  it('completes an acknowledgement interrupted between its two writes', async () => {
    await runFixtureJob(paymentFailures(1), '2026-11-20T08:00:00Z');
    const [alert] = await allDocs<AlertDoc>(db, 'payment_alerts');
    const claimedAt = new Date('2026-11-20T08:05:00Z');
    await db.collection('monitoring_admin_actions').doc(`${alert._id}~acknowledged`).create({
      action: 'acknowledged',
      alertId: alert._id,
      alertCollection: 'payment_alerts',
      by: OTHER_ADMIN.uid,
      at: claimedAt,
      resolution: null,
    });
    const result = await call<AlertActionResult>(acknowledgeAlert, { alertId: alert._id });
    expect(result).toMatchObject({ changed: false, alert: { acknowledged: true, acknowledgedBy: OTHER_ADMIN.uid, acknowledgedAt: claimedAt.toISOString() } });
  });

  it('finds alerts in every alert collection', async () => {
    await runFixtureJob(
      [
        { ruleId: 'fixture_backup_age', value: 30 },
        { ruleId: 'fixture_form_errors', key: 'x', value: 9 },
      ],
      '2026-11-20T08:00:00Z',
    );
    for (const collection of ['system_alerts', 'functional_alerts']) {
      const [alert] = await allDocs<AlertDoc>(db, collection);
      expect((await call<AlertActionResult>(acknowledgeAlert, { alertId: alert._id })).alert).toMatchObject({ collection, acknowledged: true });
    }
  });

  it('answers not-found for an unknown id and invalid-argument for a malformed one, writing nothing', async () => {
    await expectCode(callError(acknowledgeAlert, { alertId: 'no_such_alert-n1' }), 'not-found', /No alert with id "no_such_alert-n1"/);
    await expectCode(callError(acknowledgeAlert, { alertId: 'payment_alerts/x' }), 'invalid-argument', /alertId: must be a document id/);
    await expectCode(callError(acknowledgeAlert, { alertId: 'x'.repeat(201) }), 'invalid-argument', /alertId: Too big/);
    await expectCode(callError(acknowledgeAlert, { alertId: '' }), 'invalid-argument', /alertId: Too small/);
    await expectCode(callError(acknowledgeAlert, {}), 'invalid-argument', /alertId: Invalid input: expected string, received undefined/);
    await expectCode(callError(acknowledgeAlert, { alertId: 42 }), 'invalid-argument', /alertId: Invalid input: expected string, received number/);
    expect(await allDocs(db, 'monitoring_admin_actions')).toEqual([]);
  });

  it('refuses to acknowledge a resolved alert, saying by whom it was resolved', async () => {
    await runFixtureJob(paymentFailures(1), '2026-11-20T08:00:00Z');
    await runFixtureJob(paymentFailures(1, 0), '2026-11-20T09:00:00Z');
    const [alert] = await allDocs<AlertDoc>(db, 'payment_alerts');
    await expectCode(callError(acknowledgeAlert, { alertId: alert._id }), 'failed-precondition', /already resolved \(by system at 2026-11-20T09:00:00.000Z\)/);
  });

  it('keeps an acknowledged alert quiet in the engine (no "still firing" reminder)', async () => {
    const job = scriptedJob((config) => {
      config.notifications.repeatIntervalMinutes.warning = 60;
    });
    job.observe([{ ruleId: 'test_failures', value: 5 }]);
    await job.run(at('2026-11-20T08:00:00Z'));
    await call(acknowledgeAlert, { alertId: 'test_failures-n1' });
    const later = await job.run(at('2026-11-20T10:00:00Z'));
    expect(later.alerts.updated[0].note).toMatch(/acknowledged/);
    expect(servers.current.slack.messages).toHaveLength(1);
  });
});

describe('resolvePaymentAlert and resolveFunctionalAlert', () => {
  it('records who, when and the resolution; repeated calls change nothing', async () => {
    await runFixtureJob([{ ruleId: 'fixture_form_errors', key: 'signup', value: 12 }], '2026-11-20T08:00:00Z');
    const [alert] = await allDocs<AlertDoc>(db, 'functional_alerts');
    const first = await call<AlertActionResult>(resolveFunctionalAlert, { alertId: alert._id, resolution: 'Form fixed in release 4.2' });
    expect(first).toMatchObject({
      changed: true,
      alert: { resolved: true, resolvedBy: ADMIN.uid, resolvedAt: expect.any(String), resolution: 'Form fixed in release 4.2' },
    });
    const again = await call<AlertActionResult>(resolveFunctionalAlert, { alertId: alert._id, resolution: 'another text' }, OTHER_ADMIN);
    expect(again).toMatchObject({
      changed: false,
      alert: { resolvedBy: ADMIN.uid, resolution: 'Form fixed in release 4.2', resolvedAt: first.alert.resolvedAt },
    });
    expect((await call<AlertPage>(getFunctionalAlerts, {})).alerts).toEqual([]);
  });

  it('gives one resolution when two admins resolve at the same time', async () => {
    await runFixtureJob(paymentFailures(1), '2026-11-20T08:00:00Z');
    const [alert] = await allDocs<AlertDoc>(db, 'payment_alerts');
    const results = await Promise.all([
      call<AlertActionResult>(resolvePaymentAlert, { alertId: alert._id, resolution: 'one' }, ADMIN),
      call<AlertActionResult>(resolvePaymentAlert, { alertId: alert._id, resolution: 'two' }, OTHER_ADMIN),
    ]);
    expect(results.filter((result) => result.changed)).toHaveLength(1);
    const stored = (await db.collection('payment_alerts').doc(alert._id).get()).data() as AlertDoc;
    const winner = results.find((result) => result.changed)!.alert;
    expect(stored).toMatchObject({ resolvedBy: winner.resolvedBy, resolution: winner.resolution });
  });

  it('payment resolution text is optional; functional resolution text is required', async () => {
    await runFixtureJob([...paymentFailures(1), { ruleId: 'fixture_form_errors', key: 'x', value: 9 }], '2026-11-20T08:00:00Z');
    const [payment] = await allDocs<AlertDoc>(db, 'payment_alerts');
    const [functional] = await allDocs<AlertDoc>(db, 'functional_alerts');
    expect((await call<AlertActionResult>(resolvePaymentAlert, { alertId: payment._id })).alert.resolution).toBe('Resolved by an admin from the dashboard.');
    await expectCode(
      callError(resolveFunctionalAlert, { alertId: functional._id }),
      'invalid-argument',
      /resolution: Invalid input: expected string, received undefined/,
    );
    await expectCode(callError(resolveFunctionalAlert, { alertId: functional._id, resolution: '   ' }), 'invalid-argument', /resolution: must not be empty/);
    await expectCode(
      callError(resolveFunctionalAlert, { alertId: functional._id, resolution: 'x'.repeat(1001) }),
      'invalid-argument',
      /resolution: Too big: expected string to have <=1000 characters/,
    );
    expect((await db.collection('functional_alerts').doc(functional._id).get()).get('resolved')).toBe(false);
  });

  it('resolves only alerts of its own domain', async () => {
    await runFixtureJob([...paymentFailures(1), { ruleId: 'fixture_form_errors', key: 'x', value: 9 }], '2026-11-20T08:00:00Z');
    const [payment] = await allDocs<AlertDoc>(db, 'payment_alerts');
    const [functional] = await allDocs<AlertDoc>(db, 'functional_alerts');
    await expectCode(callError(resolvePaymentAlert, { alertId: functional._id }), 'not-found', /No payment alert with id/);
    await expectCode(callError(resolveFunctionalAlert, { alertId: payment._id, resolution: 'x' }), 'not-found', /No functional alert with id/);
    expect(await allDocs(db, 'monitoring_admin_actions')).toEqual([]);
  });

  it('leaves the engine consistent: a condition that still holds opens a new incident at the next run', async () => {
    const job = scriptedJob();
    job.observe([{ ruleId: 'test_failures', value: 5 }]);
    await job.run(at('2026-11-20T08:00:00Z'));
    expect(servers.current.slack.messages.map((message) => message.text)).toEqual(['WARNING: Test failures']);
    await call(resolvePaymentAlert, { alertId: 'test_failures-n1', resolution: 'Handled by hand' });
    // No message for an admin resolution.
    expect(servers.current.slack.messages).toHaveLength(1);

    const next = await job.run(at('2026-11-20T09:00:00Z'));
    expect(next.alerts.opened.map((change) => change.alertId)).toEqual(['test_failures-n2']);
    const stored = await allDocs<AlertDoc>(db, 'payment_alerts');
    expect(stored.map((alert) => [alert._id, alert.resolved, alert.resolvedBy])).toEqual([
      ['test_failures-n1', true, ADMIN.uid],
      ['test_failures-n2', false, null],
    ]);
    // The admin's resolution is untouched by the engine.
    expect(stored[0]).toMatchObject({ resolution: 'Handled by hand', occurrences: 1 });
    expect(servers.current.slack.messages.map((message) => message.text)).toEqual(['WARNING: Test failures', 'WARNING: Test failures']);
    const state = (await db.collection('monitoring_alert_state').doc('test_failures').get()).data() as AlertState;
    expect(state).toMatchObject({ openAlertId: 'test_failures-n2', incidentSeq: 2 });
  });

  it('leaves the engine consistent: a condition that cleared opens nothing and the state forgets the alert', async () => {
    const job = scriptedJob();
    job.observe([{ ruleId: 'test_failures', value: 5 }]);
    await job.run(at('2026-11-20T08:00:00Z'));
    await call(resolvePaymentAlert, { alertId: 'test_failures-n1' });
    job.observe([{ ruleId: 'test_failures', value: 0 }]);
    const next = await job.run(at('2026-11-20T09:00:00Z'));
    expect(next.alerts.opened).toEqual([]);
    expect(next.alerts.resolved).toEqual([]);
    expect(await allDocs(db, 'payment_alerts')).toHaveLength(1);
    const state = (await db.collection('monitoring_alert_state').doc('test_failures').get()).data() as AlertState;
    expect(state).toMatchObject({ openAlertId: null, streak: 0 });
    expect(servers.current.slack.messages).toHaveLength(1);
  });

  it('cancels messages still queued for an alert an admin resolved', async () => {
    const job = scriptedJob((config) => {
      config.rules.test_failures.severity = 'critical';
    });
    servers.current.smtp.fail({ rejectData: true });
    job.observe([{ ruleId: 'test_failures', value: 5 }]);
    await job.run(at('2026-11-20T08:00:00Z'));
    servers.current.smtp.clearFaults();
    await call(resolvePaymentAlert, { alertId: 'test_failures-n1' });
    job.observe([]);
    const sweep = await job.run({ ...at('2026-11-20T10:00:00Z'), clock: () => new Date(Date.now() + 3_600_000) });
    expect(sweep.deliveries).toEqual([expect.objectContaining({ channel: 'email', status: 'cancelled' })]);
    expect(servers.current.smtp.mails).toHaveLength(0);
  });
});
