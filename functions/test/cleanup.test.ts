/**
 * Retention job: deletes exactly what is old (and resolved, for alerts), in bounded WriteBatch
 * commits, stops at its time budget and finishes on the next run. Emulator; the batch size is lowered
 * through the configuration to keep the fixture small.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Firestore } from 'firebase-admin/firestore';
import { Timestamp } from 'firebase-admin/firestore';
import { writeAll } from '../dev/scenario/types';
import { purge, retentionTargets, type PurgeReport } from '../src/monitors/system/cleanup';
import { runJob } from '../src/pipeline/run';
import { DEFAULT_RETENTION } from '../src/config/schema';
import { firestore, Meter } from '../src/platform/firestore';
import { allDocs, closeFirebase, freshProject } from './support/firebase';
import { useLocalServers } from './support/servers';

useLocalServers();
let db: Firestore;

beforeEach(async () => {
  db = await freshProject();
});
afterAll(closeFirebase);

const NOW = new Date('2026-11-20T03:30:00Z');
const daysAgo = (days: number) => Timestamp.fromMillis(NOW.getTime() - days * 86_400_000);
const ids = async (collection: string) => (await allDocs(db, collection)).map((doc) => doc._id);
const range = (prefix: string, count: number) => Array.from({ length: count }, (_, index) => `${prefix}${String(index).padStart(3, '0')}`);

function alertDoc(id: string, resolvedDaysAgo: number | null, createdDaysAgo = 90) {
  return {
    id,
    ruleId: 'backup_stale',
    severity: 'critical',
    createdAt: daysAgo(createdDaysAgo),
    resolved: resolvedDaysAgo !== null,
    resolvedAt: resolvedDaysAgo === null ? null : daysAgo(resolvedDaysAgo),
  };
}

/** 520 old resolved alerts (more than one 500-write batch), plus everything that must stay. */
async function seedBacklog(): Promise<void> {
  await writeAll(db, 'system_alerts', [
    ...range('old', 520).map((id) => alertDoc(id, 40)),
    ...range('recent', 10).map((id) => alertDoc(id, 10)),
    ...range('open', 5).map((id) => alertDoc(id, null, 120)),
  ]);
  await writeAll(db, 'payment_alerts', [alertDoc('pay-old', 31), alertDoc('pay-recent', 29)]);
  await writeAll(db, 'payment_metrics', [
    ...range('pm-old', 30).map((id) => ({ id, timestamp: daysAgo(61) })),
    ...range('pm-new', 5).map((id) => ({ id, timestamp: daysAgo(59) })),
  ]);
  await writeAll(db, 'functional_metrics', [
    ...range('fm-old', 3).map((id) => ({ id, timestamp: daysAgo(70), type: 'signup' })),
    ...range('fm-new', 2).map((id) => ({ id, timestamp: daysAgo(1), type: 'signup' })),
  ]);
  await writeAll(db, 'monitoring_runs', [
    ...range('run-old', 20).map((id) => ({ id, startedAt: daysAgo(31) })),
    ...range('run-new', 3).map((id) => ({ id, startedAt: daysAgo(2) })),
  ]);
  await writeAll(db, 'monitoring_deliveries', [
    ...range('d-old', 4).map((id) => ({ id, createdAt: daysAgo(45), status: 'sent', attempts: 2 })),
    { id: 'd-new', createdAt: daysAgo(1), status: 'sent', attempts: 1 },
  ]);
  for (const id of [...range('d-old', 4), 'd-new']) {
    await writeAll(db, `monitoring_deliveries/${id}/attempts`, [
      { id: '1', outcome: 'failed' },
      { id: '2', outcome: 'sent' },
    ]);
  }
}

async function expectOnlyRecentLeft(): Promise<void> {
  expect(await ids('system_alerts')).toEqual([...range('open', 5), ...range('recent', 10)]);
  expect(await ids('payment_alerts')).toEqual(['pay-recent']);
  expect(await ids('payment_metrics')).toEqual(range('pm-new', 5));
  expect(await ids('functional_metrics')).toEqual(range('fm-new', 2));
  expect((await ids('monitoring_runs')).filter((id) => id.startsWith('run-'))).toEqual(range('run-new', 3));
  expect((await ids('monitoring_deliveries')).filter((id) => id.startsWith('d-'))).toEqual(['d-new']);
  for (const id of range('d-old', 4)) expect(await ids(`monitoring_deliveries/${id}/attempts`)).toEqual([]);
  expect(await ids('monitoring_deliveries/d-new/attempts')).toEqual(['1', '2']);
}

describe('cleanup job', () => {
  it('deletes exactly the old resolved alerts, old metrics and old records, in batches of the configured size', async () => {
    await seedBacklog();
    await db
      .collection('monitoring_config')
      .doc('settings')
      .set({ retention: { batchSize: 100 } });
    const result = await runJob('cleanup', { trigger: 'test', now: NOW });
    const report = result.metrics as unknown as PurgeReport;

    expect(report.deleted).toEqual({
      'payment_alerts (resolved)': 1,
      'functional_alerts (resolved)': 0,
      'system_alerts (resolved)': 520,
      payment_metrics: 30,
      functional_metrics: 3,
      monitoring_runs: 20,
      monitoring_deliveries: 4,
      monitoring_trigger_claims: 0,
    });
    expect(report.complete).toBe(true);
    // 520 alerts in pages of 100: 6 commits; 1 + 30 + 3 + 20: one each; 4 deliveries + 8 attempts: one.
    expect(report.batches).toBe(11);
    expect(report.writes).toBe(1 + 520 + 30 + 3 + 20 + 4 + 8);
    await expectOnlyRecentLeft();
  });

  it('with the default batch size, never commits more than 500 writes at once', async () => {
    await seedBacklog();
    const result = await runJob('cleanup', { trigger: 'test', now: NOW });
    const report = result.metrics as unknown as PurgeReport;
    expect(DEFAULT_RETENTION.batchSize).toBe(500);
    expect(report.deleted['system_alerts (resolved)']).toBe(520);
    expect(report.batches).toBe(7); // 1 + (500 + 20) + 1 + 1 + 1 + 1
    await expectOnlyRecentLeft();
  });

  it('retention ages come from the configuration', async () => {
    await seedBacklog();
    await db
      .collection('monitoring_config')
      .doc('settings')
      .set({ retention: { resolvedAlertsDays: 5, metricsDays: 365, runRecordsDays: 365 } });
    const result = await runJob('cleanup', { trigger: 'test', now: NOW });
    const report = result.metrics as unknown as PurgeReport;
    expect(report.deleted).toMatchObject({ 'system_alerts (resolved)': 530, 'payment_alerts (resolved)': 2, payment_metrics: 0, monitoring_runs: 0 });
    expect(await ids('system_alerts')).toEqual(range('open', 5));
  });

  it('counts without deleting on a dry run', async () => {
    await seedBacklog();
    const result = await runJob('cleanup', { trigger: 'test', now: NOW, dryRun: true });
    expect((result.metrics as unknown as PurgeReport).wouldDelete).toMatchObject({
      'system_alerts (resolved)': 520,
      payment_metrics: 30,
      monitoring_deliveries: 4,
    });
    expect(await ids('system_alerts')).toHaveLength(535);
  });

  it('a zero time budget deletes nothing and says so; the next run with time does the work', async () => {
    await seedBacklog();
    await db
      .collection('monitoring_config')
      .doc('settings')
      .set({ retention: { timeBudgetSeconds: 0 } });
    const stopped = (await runJob('cleanup', { trigger: 'test', now: NOW })).metrics as unknown as PurgeReport;
    expect(stopped).toMatchObject({ complete: false, stoppedAt: 'payment_alerts (resolved)', batches: 0 });
    expect(await ids('system_alerts')).toHaveLength(535);

    await db
      .collection('monitoring_config')
      .doc('settings')
      .set({ retention: { timeBudgetSeconds: 420 } });
    const resumed = (await runJob('cleanup', { trigger: 'test', now: new Date(NOW.getTime() + 86_400_000) })).metrics as unknown as PurgeReport;
    expect(resumed.complete).toBe(true);
  });
});

describe('purge time budget', () => {
  it('stops before a page that would not fit and resumes where it stopped on the next run', async () => {
    await writeAll(
      db,
      'system_alerts',
      range('old', 250).map((id) => alertDoc(id, 40)),
    );
    const meter = new Meter(firestore());
    const targets = retentionTargets(meter, NOW, DEFAULT_RETENTION).filter((target) => target.name === 'system_alerts (resolved)');
    // A fake clock: every reading advances 10 s, so each page "takes" 10 s; the budget is 35 s.
    let fake = 0;
    const clock = () => (fake += 10_000);
    const first = await purge(meter, targets, { batchSize: 100, deadlineMs: 35_000, clock });
    expect(first).toMatchObject({ complete: false, stoppedAt: 'system_alerts (resolved)', batches: 1 });
    expect(first.deleted['system_alerts (resolved)']).toBe(100);
    expect(await ids('system_alerts')).toHaveLength(150);

    const second = await purge(meter, targets, { batchSize: 100, deadlineMs: Number.MAX_SAFE_INTEGER });
    expect(second).toMatchObject({ complete: true, batches: 2 });
    expect(await ids('system_alerts')).toEqual([]);
  });
});

describe('error_logs expiry', () => {
  it('is a TTL policy on error_logs.expireAt declared in firestore.indexes.json, not a job', () => {
    const declared = JSON.parse(readFileSync(resolve(__dirname, '..', '..', 'firestore.indexes.json'), 'utf8')) as {
      fieldOverrides: Array<{ collectionGroup: string; fieldPath: string; ttl?: boolean }>;
      indexes: Array<{ collectionGroup: string; fields: Array<{ fieldPath: string }> }>;
    };
    expect(declared.fieldOverrides).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ collectionGroup: 'error_logs', fieldPath: 'expireAt', ttl: true }),
        expect.objectContaining({ collectionGroup: 'monitoring_trigger_claims', fieldPath: 'expireAt', ttl: true }),
      ]),
    );
    // The cleanup's range queries on resolved alerts need a composite index per alert collection.
    for (const collection of ['payment_alerts', 'functional_alerts', 'system_alerts']) {
      expect(declared.indexes).toContainEqual(
        expect.objectContaining({
          collectionGroup: collection,
          fields: [expect.objectContaining({ fieldPath: 'resolved' }), expect.objectContaining({ fieldPath: 'resolvedAt' })],
        }),
      );
    }
    expect(retentionTargets(new Meter(firestore()), NOW, DEFAULT_RETENTION).map((target) => target.name)).not.toContain('error_logs');
  });
});
