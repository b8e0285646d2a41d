/**
 * A second marketplace configured only by its source mapping (dev/apps/bazaar/sources.json: orders
 * with a `state` field and ISO-string times, transfers in epoch milliseconds, consultations in epoch
 * seconds, its own vocabularies, no commissions). The demo scenario is written in each app's shape
 * and every job runs with the same code: the same alerts open, commissions is off and says so, and
 * the failures resolve once the data is right again.
 */
import type { Firestore } from 'firebase-admin/firestore';
import { appSourcesPath } from '../dev/sourceFiles';
import { SCENARIO } from '../dev/scenario';
import { JOBS } from '../src/jobs/catalog';
import { runJob, type RunResult } from '../src/pipeline/run';
import { ALERT_COLLECTIONS } from '../src/rules';
import { readSourcesFile, resolveSources, useSources } from '../src/sources';
import { allDocs, closeFirebase, freshProject } from './support/firebase';
import { useLocalServers } from './support/servers';

jest.setTimeout(180_000);
const servers = useLocalServers();
const NOW = new Date('2026-11-20T08:00:00Z');
const BAZAAR = readSourcesFile(appSourcesPath('bazaar'));

afterAll(async () => {
  useSources(undefined);
  await closeFirebase();
});

async function runScenario(): Promise<{ db: Firestore; open: string[]; results: RunResult[] }> {
  const db = await freshProject();
  for (const part of SCENARIO) await part.seed({ db, now: NOW, servers: servers.current });
  const results: RunResult[] = [];
  for (const job of JOBS) results.push(await runJob(job.name, { trigger: 'test', now: NOW }).catch((error: { result: RunResult }) => error.result));
  return { db, open: await openAlerts(db), results };
}

async function openAlerts(db: Firestore): Promise<string[]> {
  const open: string[] = [];
  for (const collection of Object.values(ALERT_COLLECTIONS)) {
    for (const alert of await allDocs<{ ruleId: string; key: string | null; resolved: boolean }>(db, collection)) {
      if (!alert.resolved) open.push(`${alert.ruleId}${alert.key ? `/${alert.key}` : ''}`);
    }
  }
  return open.sort();
}

describe('the bazaar app, configured by its mapping only', () => {
  let defaults: Awaited<ReturnType<typeof runScenario>>;
  let bazaar: Awaited<ReturnType<typeof runScenario>>;

  beforeAll(async () => {
    useSources(resolveSources(undefined));
    defaults = await runScenario();
    useSources(BAZAAR);
    bazaar = await runScenario();
  });

  it('writes the scenario in its own shape', async () => {
    const orders = await allDocs<Record<string, unknown>>(bazaar.db, 'orders');
    expect(orders.length).toBeGreaterThan(30);
    const declined = orders.filter((order) => order.state === 'declined');
    expect(declined.length).toBe(9);
    expect(typeof declined[0].failed_at).toBe('string');
    expect(declined[0].gateway === 'stripe_card' || declined[0].gateway === 'paypal_wallet').toBe(true);
    expect(await allDocs(bazaar.db, 'payments')).toEqual([]);
    const consultations = await allDocs<Record<string, unknown>>(bazaar.db, 'consultations');
    expect(consultations.some((session) => session.phase === 'dropped' && typeof session.failed_s === 'number' && (session.failed_s as number) < 1e11)).toBe(
      true,
    );
  });

  it('opens the same alerts as the default app, but for the rules it has no data for', () => {
    const offInBazaar = ['commissions_pending_overdue'];
    // Subjects are the app's own form names.
    const formNames: Record<string, string> = { signup_client: 'register_buyer', signup_provider: 'register_seller' };
    const expected = defaults.open
      .filter((id) => !offInBazaar.some((rule) => id.startsWith(rule)))
      .map((id) => id.replace(/signup_(client|provider)$/, (name) => formNames[name]))
      .sort();
    expect(bazaar.open).toEqual(expected);
    // The scenario trips app-data rules of every domain.
    for (const rule of [
      'stripe_payment_failures',
      'paypal_payment_failures',
      'failed_payouts',
      'orphaned_call_sessions',
      'signup_blocked',
      'backup_stale',
      'critical_errors',
    ]) {
      expect(bazaar.open.some((id) => id.startsWith(rule))).toBe(true);
    }
    const evaluated = (run: typeof defaults) =>
      run.results.flatMap((result) => result.evaluations).some((item) => item.ruleId === 'commissions_pending_overdue');
    expect([evaluated(defaults), evaluated(bazaar)]).toEqual([true, false]);
  });

  it('counts the app vocabulary and explains the alert with its own failure codes', async () => {
    // bazaar's `declined` and `errored` mean failed, its `decline_code` field holds the codes.
    const alerts = await allDocs<{ ruleId: string; value: number; metadata: { details: Record<string, unknown> } }>(bazaar.db, 'payment_alerts');
    const stripe = alerts.find((alert) => alert.ruleId === 'stripe_payment_failures')!;
    const reference = (await allDocs<typeof stripe>(defaults.db, 'payment_alerts')).find((alert) => alert.ruleId === 'stripe_payment_failures')!;
    expect(stripe.value).toBe(reference.value);
    expect(stripe.metadata.details.topCodes).toBe('card_declined ×3, authentication_required ×2');
  });

  it('says the rule without data is off, instead of counting zero', () => {
    const skipped = bazaar.results.flatMap((result) => result.skippedChecks);
    expect(skipped).toContainEqual({ check: 'commissions_pending_overdue', reason: expect.stringContaining('not mapped: source commissions') });
    expect(defaults.results.flatMap((result) => result.skippedChecks).some((item) => item.check === 'commissions_pending_overdue')).toBe(false);
    // The daily configuration check lists the rules the mapping switches off.
    const system = (run: typeof defaults) => run.results.find((result) => result.job === 'system')!.metrics.rulesOffByMapping;
    expect(system(bazaar)).toEqual([{ rule: 'commissions_pending_overdue', reason: expect.stringContaining('source commissions') }]);
    expect(system(defaults)).toEqual([]);
  });

  it('resolves the payment failures when the failed orders are gone', async () => {
    const batch = bazaar.db.batch();
    for (const collection of ['orders', 'transfers', 'consultations']) {
      for (const doc of (await bazaar.db.collection(collection).get()).docs) batch.delete(doc.ref);
    }
    await batch.commit();
    await runJob('payment', { trigger: 'test', now: new Date(NOW.getTime() + 4 * 3_600_000) });
    const open = await openAlerts(bazaar.db);
    for (const rule of ['stripe_payment_failures', 'paypal_payment_failures', 'failed_payouts', 'orphaned_call_sessions', 'uncaptured_payments']) {
      expect(open.filter((id) => id.startsWith(rule))).toEqual([]);
    }
  });
});
