/** Health summaries and payment metrics: content, cost, paging. */
import type { Firestore } from 'firebase-admin/firestore';
import { Timestamp } from 'firebase-admin/firestore';
import type { FunctionalHealthSummary, SystemHealthSummary } from '../src/admin/health';
import type { FunctionalMetricsPage, MetricsPage } from '../src/admin/metrics';
import type { AlertDoc } from '../src/alerts/model';
import { acknowledgeAlert, getFunctionalHealthSummary, getFunctionalMetrics, getPaymentMetrics, getSystemHealthSummary } from '../src/index';
import { JOBS } from '../src/jobs/catalog';
import { RULES } from '../src/rules';
import { executeRun } from '../src/pipeline/run';
import { Meter } from '../src/platform/firestore';
import { call, callError, expectCode, installFunctionalStandIn, paymentFailures, runFixtureJob } from './support/admin';
import { allDocs, closeFirebase, freshProject } from './support/firebase';
import { at, scriptedJob } from './support/scriptedJob';
import { useLocalServers } from './support/servers';

const servers = useLocalServers();
let db: Firestore;

beforeEach(async () => {
  db = await freshProject();
});
afterAll(closeFirebase);

describe('getSystemHealthSummary', () => {
  it('counts open alerts by domain, severity and category, and shows job heartbeats', async () => {
    await runFixtureJob(
      [...paymentFailures(3), { ruleId: 'fixture_form_errors', key: 'signup', value: 9 }, { ruleId: 'fixture_backup_age', value: 30 }],
      new Date(Date.now() - 10 * 60_000).toISOString(),
    );
    const [first] = await allDocs<AlertDoc>(db, 'payment_alerts');
    await call(acknowledgeAlert, { alertId: first._id });

    const summary = await call<SystemHealthSummary>(getSystemHealthSummary, {});
    expect(summary.alerts).toMatchObject({
      open: 5,
      unacknowledged: 4,
      bySeverity: { warning: 1, critical: 3, emergency: 1 },
      byDomain: {
        payment: { open: 3, unacknowledged: 2, bySeverity: { warning: 0, critical: 3, emergency: 0 }, byCategory: { stripe: 3 } },
        functional: { open: 1, bySeverity: { warning: 1, critical: 0, emergency: 0 } },
        system: { open: 1, bySeverity: { warning: 0, critical: 0, emergency: 1 } },
      },
    });
    expect(summary.jobs).toContainEqual(
      expect.objectContaining({ job: 'fixture', status: 'ok', lastOutcome: 'success', periodMinutes: 60, consecutiveFailures: 0 }),
    );
    // Every job of the catalogue is listed, run or not.
    for (const job of JOBS) expect(summary.jobs).toContainEqual(expect.objectContaining({ job: job.name, exportName: job.exportName, status: 'never-run' }));
    expect(summary.deliveries).toEqual({ retrying: 0, deadRecently: 0, recentFailures: [] });
    // The dashboard shows its times in the team's zone: the built-in default until the configuration sets one.
    expect(summary.presentation).toEqual({ locale: 'en', timeZone: 'Europe/Paris' });
    await db
      .collection('monitoring_config')
      .doc('settings')
      .set({ presentation: { locale: 'fr', timeZone: 'America/New_York' } });
    expect((await call<SystemHealthSummary>(getSystemHealthSummary, {})).presentation).toEqual({ locale: 'fr', timeZone: 'America/New_York' });
  });

  it('counts catalogue categories by name (system rules here)', async () => {
    // A job whose vendor check fails: the real pipeline raises monitor_check_failed (category monitoring).
    await executeRun(
      {
        ...scriptedJob().job,
        load: async () => ({ run: async (ctx) => void (await ctx.check('stripe', async () => Promise.reject(new Error('Stripe 500')))) }),
      },
      { trigger: 'test', ...at('2026-11-20T08:00:00Z') },
    );
    const summary = await call<SystemHealthSummary>(getSystemHealthSummary, {});
    expect(summary.alerts.byDomain.system.byCategory).toEqual({ monitoring: 1 });
  });

  it('flags stale, failing and never-run jobs', async () => {
    const hoursAgo = (hours: number) => Timestamp.fromMillis(Date.now() - hours * 3_600_000);
    await db
      .collection('monitoring_jobs')
      .doc('hourly')
      .set({ job: 'hourly', periodMinutes: 60, lastRunAt: hoursAgo(2), lastSuccessAt: hoursAgo(2), lastOutcome: 'success', consecutiveFailures: 0 });
    await db
      .collection('monitoring_jobs')
      .doc('broken')
      .set({
        job: 'broken',
        periodMinutes: 60,
        lastRunAt: hoursAgo(0.1),
        lastSuccessAt: hoursAgo(0.5),
        lastOutcome: 'failed',
        lastError: 'Stripe 500',
        consecutiveFailures: 2,
      });
    const standIn = installFunctionalStandIn();
    try {
      const summary = await call<SystemHealthSummary>(getSystemHealthSummary, {});
      const byName = Object.fromEntries(summary.jobs.map((job) => [job.job, job]));
      expect(byName.hourly.status).toBe('stale');
      expect(byName.broken).toMatchObject({ status: 'failing', lastError: 'Stripe 500', consecutiveFailures: 2 });
      expect(byName.functional).toMatchObject({ status: 'never-run', exportName: 'runFunctionalHealthCheck' });
      expect(summary.jobs.map((job) => job.job)).toEqual(expect.arrayContaining(JOBS.map((job) => job.name)));
    } finally {
      standIn.restore();
    }
  });

  it('lists recent failed and dead deliveries with their (redacted) error', async () => {
    const job = scriptedJob((config) => {
      config.rules.test_failures.severity = 'critical';
      config.notifications.maxAttempts = 1;
    });
    servers.current.smtp.fail({ rejectData: true });
    job.observe([{ ruleId: 'test_failures', value: 5 }]);
    await job.run(at(new Date().toISOString()));
    const summary = await call<SystemHealthSummary>(getSystemHealthSummary, {});
    expect(summary.deliveries.deadRecently).toBe(1);
    expect(summary.deliveries.recentFailures).toEqual([
      expect.objectContaining({ alertId: 'test_failures-n1', channel: 'email', status: 'dead', attempts: 1, lastError: expect.any(String) }),
    ]);
    expect(summary.deliveries.recentFailures[0].lastError).not.toContain(servers.current.env.SMTP_URL);
  });

  it('stays cheap: the same number of queries with 1 or 60 open alerts, one aggregation per count', async () => {
    const queries = async () => {
      const counts = jest.spyOn(Meter.prototype, 'count');
      const docs = jest.spyOn(Meter.prototype, 'docs');
      try {
        await call(getSystemHealthSummary, {});
        return { counts: counts.mock.calls.length, docs: docs.mock.calls.length };
      } finally {
        counts.mockRestore();
        docs.mockRestore();
      }
    };
    await runFixtureJob(paymentFailures(1), '2026-11-20T08:00:00Z');
    const few = await queries();
    await runFixtureJob(paymentFailures(60), '2026-11-20T09:00:00Z');
    expect(await queries()).toEqual(few);
    // Per domain: 3 severities + unacknowledged; one per catalogue category; 2 delivery counts.
    const categories = new Set(RULES.map((rule) => `${rule.domain}/${rule.category}`)).size;
    // Documents: heartbeats, recent failed deliveries, probed endpoints (each bounded by a limit).
    expect(few).toEqual({ counts: 3 * 4 + categories + 2, docs: 3 });
  });

  it('takes no input', async () => {
    await expectCode(callError(getSystemHealthSummary, { verbose: true }), 'invalid-argument', /Unrecognized key: "verbose"/);
  });
});

describe('getFunctionalHealthSummary', () => {
  it('says when the functional job is not deployed, and shows functional alerts', async () => {
    await runFixtureJob([{ ruleId: 'fixture_form_errors', key: 'signup', value: 9 }], '2026-11-20T08:00:00Z');
    const standIn = installFunctionalStandIn();
    standIn.restore();
    const summary = await call<FunctionalHealthSummary>(getFunctionalHealthSummary, {});
    expect(summary).toMatchObject({
      jobRegistered: JOBS.some((job) => job.name === 'functional'),
      alerts: { open: 1, unacknowledged: 1, bySeverity: { warning: 1, critical: 0, emergency: 0 } },
      recentRuns: [],
      running: [],
    });
    expect(summary.jobs.map((job) => job.job)).toEqual(['functional', 'functional-critical']);
  });

  it('shows recent functional runs and the check sets running now', async () => {
    const standIn = installFunctionalStandIn();
    try {
      const { triggerFunctionalCheck } = await import('../src/index');
      await call(triggerFunctionalCheck, { checkType: 'booking' });
      standIn.hold();
      const running = call(triggerFunctionalCheck, { checkType: 'signup' });
      await standIn.waiting();
      const summary = await call<FunctionalHealthSummary>(getFunctionalHealthSummary, {});
      expect(summary.jobRegistered).toBe(true);
      expect(summary.running).toEqual([expect.objectContaining({ check: 'signup', requestedBy: 'admin-uid-1' })]);
      expect(summary.recentRuns).toEqual([
        expect.objectContaining({ job: 'functional', trigger: 'callable', requestedBy: 'admin-uid-1', outcome: 'success', options: { check: 'booking' } }),
      ]);
      expect(summary.jobs[0]).toMatchObject({ job: 'functional', status: 'ok' });
      standIn.release();
      await running;
      expect((await call<FunctionalHealthSummary>(getFunctionalHealthSummary, {})).running).toEqual([]);
    } finally {
      standIn.release();
      standIn.restore();
    }
  });
});

describe('getPaymentMetrics', () => {
  // The shape the payment and metrics jobs write.
  const snapshot = (daysAgo: number, hour = 0) => ({
    timestamp: Timestamp.fromMillis(Date.now() - daysAgo * 86_400_000 + hour * 3_600_000),
    source: 'metrics',
    period: '24h',
    stripe: { failures: daysAgo, captured: 100 - daysAgo, lastEventAt: Timestamp.fromMillis(Date.now() - daysAgo * 86_400_000) },
    paypal: { pendingPayouts: 1 },
    calls: { failed: 2 },
  });

  it('returns the snapshots of the last N days, oldest first, as JSON', async () => {
    for (const days of [0.5, 2, 5, 10, 40]) await db.collection('payment_metrics').add(snapshot(days));
    const week = await call<MetricsPage>(getPaymentMetrics, {});
    expect(week.metrics.map((point) => point.stripe)).toEqual([
      expect.objectContaining({ failures: 5 }),
      expect.objectContaining({ failures: 2 }),
      expect.objectContaining({ failures: 0.5 }),
    ]);
    expect(week.metrics[0]).toEqual({
      id: expect.any(String),
      timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      source: 'metrics',
      period: '24h',
      stripe: { failures: 5, captured: 95, lastEventAt: expect.stringMatching(/Z$/) },
      paypal: { pendingPayouts: 1 },
      calls: { failed: 2 },
    });
    expect((await call<MetricsPage>(getPaymentMetrics, { days: 1 })).metrics).toHaveLength(1);
    expect((await call<MetricsPage>(getPaymentMetrics, { days: 90 })).metrics).toHaveLength(5);
  });

  it('pages, including snapshots that share a timestamp', async () => {
    const base = snapshot(3);
    for (let index = 0; index < 7; index += 1) await db.collection('payment_metrics').add({ ...base, calls: { failed: index } });
    await db.collection('payment_metrics').add(snapshot(1));
    const seen: number[] = [];
    let token: string | null = null;
    let pages = 0;
    do {
      const page: MetricsPage = await call<MetricsPage>(getPaymentMetrics, { pageSize: 3, ...(token ? { pageToken: token } : {}) });
      seen.push(...page.metrics.map((point) => (point.calls as { failed: number }).failed));
      token = page.nextPageToken;
      pages += 1;
    } while (token && pages < 10);
    expect(pages).toBe(3);
    expect(seen.slice(0, 7).sort()).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(seen).toHaveLength(8);
  });

  it('rejects days outside 1-90 and other bad input, naming the field', async () => {
    await expectCode(callError(getPaymentMetrics, { days: 0 }), 'invalid-argument', /days: Too small: expected number to be >=1/);
    await expectCode(callError(getPaymentMetrics, { days: 91 }), 'invalid-argument', /days: Too big: expected number to be <=90/);
    await expectCode(callError(getPaymentMetrics, { days: '7' }), 'invalid-argument', /days: Invalid input: expected number, received string/);
    await expectCode(callError(getPaymentMetrics, { days: 1.5 }), 'invalid-argument', /days: Invalid input: expected int/);
    await expectCode(callError(getPaymentMetrics, { pageSize: 201 }), 'invalid-argument', /pageSize: Too big/);
    await expectCode(callError(getPaymentMetrics, { days: 7, from: 'yesterday' }), 'invalid-argument', /Unrecognized key: "from"/);
  });
});

describe('getFunctionalMetrics', () => {
  // The shape the functional jobs write (monitors/functional/index.ts): one snapshot per run.
  const snapshot = (hoursAgo: number, type: string, metrics: Record<string, unknown>) => ({
    type,
    timestamp: Timestamp.fromMillis(Date.now() - hoursAgo * 3_600_000),
    period: {
      start: Timestamp.fromMillis(Date.now() - (hoursAgo + 24) * 3_600_000),
      end: Timestamp.fromMillis(Date.now() - hoursAgo * 3_600_000),
      longestWindowHours: 24,
    },
    job: 'functional',
    runId: `run-${hoursAgo}`,
    checks: Object.keys(metrics),
    metrics,
  });

  it('returns the funnel, form and tracking snapshots of the last N days, oldest first, as JSON', async () => {
    await db.collection('functional_metrics').add(snapshot(30 * 24, 'all', { booking_failures: { failureRatePercent: 1 } }));
    await db
      .collection('functional_metrics')
      .add(snapshot(5, 'all', { booking_failures: { windowHours: 24, bookingStarts: 40, bookingErrors: 2, failureRatePercent: 5 }, meta_capi: null }));
    await db
      .collection('functional_metrics')
      .add(snapshot(1, 'signup', { signup_dropoff: { windowHours: 24, forms: { signup_client: { formStarts: 10, formSubmits: 4, dropoffPercent: 60 } } } }));
    const week = await call<FunctionalMetricsPage>(getFunctionalMetrics, {});
    expect(week.metrics).toEqual([
      {
        id: expect.any(String),
        timestamp: expect.stringMatching(/Z$/),
        type: 'all',
        job: 'functional',
        runId: 'run-5',
        metrics: { booking_failures: { windowHours: 24, bookingStarts: 40, bookingErrors: 2, failureRatePercent: 5 }, meta_capi: null },
      },
      expect.objectContaining({
        type: 'signup',
        metrics: { signup_dropoff: { windowHours: 24, forms: { signup_client: { formStarts: 10, formSubmits: 4, dropoffPercent: 60 } } } },
      }),
    ]);
    expect((await call<FunctionalMetricsPage>(getFunctionalMetrics, { days: 31 })).metrics).toHaveLength(3);
    await expectCode(callError(getFunctionalMetrics, { days: 91 }), 'invalid-argument', /days: Too big: expected number to be <=90/);
  });
});
