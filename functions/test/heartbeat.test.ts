/**
 * Dead man's switch: every scheduled job checks the heartbeats (monitoring_jobs/{job}) of the other
 * jobs on each run. Real pipeline (runJob), emulator, local channel servers.
 */
import type { Firestore } from 'firebase-admin/firestore';
import { Timestamp } from 'firebase-admin/firestore';
import type { AlertDoc } from '../src/alerts/model';
import { stateIdFor } from '../src/alerts/evaluate';
import { JOBS, type JobDefinition } from '../src/jobs/catalog';
import { runJob } from '../src/pipeline/run';
import { allDocs, closeFirebase, freshProject } from './support/firebase';
import { useLocalServers } from './support/servers';

const servers = useLocalServers();
let db: Firestore;

beforeEach(async () => {
  db = await freshProject();
  // No backup_logs here: the backup rule (run by the system job) is not what these tests look at.
  await db
    .collection('monitoring_config')
    .doc('settings')
    .set({
      recipients: { emails: ['oncall@example.com'], phones: ['+33612345678'] },
      rules: { backup_stale: { enabled: false } },
    });
});
afterAll(closeFirebase);

const NOW = new Date('2026-11-20T08:00:00Z');
const minutesBefore = (minutes: number, from = NOW) => Timestamp.fromMillis(from.getTime() - minutes * 60_000);
/** Another job than `job`, to evaluate it (a job never judges itself). */
const evaluatorFor = (job: JobDefinition) => (job.name === 'watchdog' ? 'system' : 'watchdog');
const alertFor = async (ruleId: string, job: string) =>
  (await allDocs<AlertDoc>(db, 'system_alerts')).find((alert) => alert._id === `${stateIdFor(ruleId, job)}-n1`);

async function heartbeat(job: JobDefinition, fields: Record<string, unknown>) {
  await db
    .collection('monitoring_jobs')
    .doc(job.name)
    .set({ job: job.name, exportName: job.exportName, periodMinutes: job.periodMinutes, ...fields });
}

describe.each(JOBS.map((job) => [job.name, job] as const))('heartbeat of %s', (_name, job) => {
  it('fresh: no alert', async () => {
    await heartbeat(job, { lastSuccessAt: minutesBefore(job.periodMinutes), lastOutcome: 'success', consecutiveFailures: 0 });
    const result = await runJob(evaluatorFor(job), { trigger: 'test', now: NOW });
    expect(result.evaluations).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ ruleId: 'job_not_running', key: job.name, status: 'ok', value: 100 }),
        expect.objectContaining({ ruleId: 'job_failing', key: job.name, status: 'ok', value: 0 }),
      ]),
    );
    expect(await alertFor('job_not_running', job.name)).toBeUndefined();
  });

  it('stale (last success more than 1.5 periods ago): critical "monitoring itself is not running"', async () => {
    await heartbeat(job, { lastSuccessAt: minutesBefore(job.periodMinutes * 2), lastOutcome: 'success', consecutiveFailures: 0 });
    await runJob(evaluatorFor(job), { trigger: 'test', now: NOW });
    const alert = await alertFor('job_not_running', job.name);
    expect(alert).toMatchObject({ severity: 'critical', title: `Monitoring itself is not running: ${job.name}`, value: 200, resolved: false });
    expect(alert!.message).toContain(`Job ${job.name} (${job.exportName}) has not succeeded for`);
    expect(servers.current.slack.messages.map((message) => message.text)).toContain(`CRITICAL: Monitoring itself is not running: ${job.name}`);
    expect(servers.current.smtp.mails).toHaveLength(1);
  });

  it('failing repeatedly: critical "keeps failing" with the last error', async () => {
    await heartbeat(job, {
      lastSuccessAt: minutesBefore(job.periodMinutes / 2),
      lastOutcome: 'failed',
      lastError: 'FAILED_PRECONDITION: The query requires an index',
      lastRunId: `${job.name}-x`,
      consecutiveFailures: 3,
    });
    await runJob(evaluatorFor(job), { trigger: 'test', now: NOW });
    const alert = await alertFor('job_failing', job.name);
    expect(alert).toMatchObject({ severity: 'critical', value: 3 });
    expect(alert!.message).toBe(
      `Job ${job.name} (${job.exportName}) failed on its last 3 runs (latest ${job.name}-x): FAILED_PRECONDITION: The query requires an index`,
    );
    expect(await alertFor('job_not_running', job.name)).toBeUndefined();
  });
});

describe('heartbeat rules', () => {
  const watchdog = JOBS.find((job) => job.name === 'watchdog')!;

  it('alerts strictly past 1.5 periods (equal does not fire) and resolves once the job succeeds again', async () => {
    await heartbeat(watchdog, { lastSuccessAt: minutesBefore(22.5), lastOutcome: 'success', consecutiveFailures: 0 });
    const atLimit = await runJob('system', { trigger: 'test', now: NOW });
    expect(atLimit.evaluations.find((item) => item.key === 'watchdog' && item.ruleId === 'job_not_running')).toMatchObject({ value: 150, status: 'ok' });

    const later = new Date(NOW.getTime() + 60_000);
    await runJob('system', { trigger: 'test', now: later });
    expect((await alertFor('job_not_running', 'watchdog'))?.resolved).toBe(false);

    await heartbeat(watchdog, { lastSuccessAt: minutesBefore(1, later), lastOutcome: 'success', consecutiveFailures: 0 });
    await runJob('cleanup', { trigger: 'test', now: new Date(later.getTime() + 60_000) });
    expect(await alertFor('job_not_running', 'watchdog')).toMatchObject({ resolved: true, resolvedBy: 'system' });
    expect(servers.current.slack.messages.map((message) => message.text)).toEqual([
      'CRITICAL: Monitoring itself is not running: watchdog',
      'RESOLVED: Monitoring itself is not running: watchdog',
    ]);
  });

  it('a job never run does not page on day one: it is watched from the first run that sees it', async () => {
    const first = await runJob('system', { trigger: 'test', now: NOW });
    expect(first.evaluations.filter((item) => item.ruleId === 'job_not_running')).toEqual(
      JOBS.filter((job) => job.name !== 'system').map((job) => expect.objectContaining({ key: job.name, value: 0, status: 'ok' })),
    );
    const watched = (await db.collection('monitoring_jobs').doc('cleanup').get()).data()!;
    expect(watched.watchSince.toDate()).toEqual(NOW);
    expect(watched.lastSuccessAt).toBeUndefined();

    // Still never run 37 hours later (1.5 days is the limit of a daily job): it pages.
    await runJob('watchdog', { trigger: 'test', now: new Date(NOW.getTime() + 37 * 3_600_000) });
    const alert = await alertFor('job_not_running', 'cleanup');
    expect(alert?.message).toMatch(/^Job cleanup \(runMonitoringCleanup\) has never succeeded since monitoring started watching it 37 h ago/);
  });

  it('a job never judges itself', async () => {
    await heartbeat(watchdog, { lastSuccessAt: minutesBefore(600), lastOutcome: 'success', consecutiveFailures: 5 });
    const result = await runJob('watchdog', { trigger: 'test', now: NOW });
    expect(result.evaluations.filter((item) => item.key === 'watchdog')).toEqual([]);
    expect(await allDocs(db, 'system_alerts')).toEqual([]);
  });

  it('writes nothing on a dry run', async () => {
    await runJob('system', { trigger: 'test', now: NOW, dryRun: true });
    expect(await allDocs(db, 'monitoring_jobs')).toEqual([]);
  });
});
