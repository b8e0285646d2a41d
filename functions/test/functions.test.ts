/**
 * Through the exported Cloud Functions themselves (functions/src/index.ts): the scheduled system job
 * with a scheduler event, the error_logs trigger with a document snapshot, and what loading the entry
 * point costs a cold instance.
 */
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import type { Firestore } from 'firebase-admin/firestore';
import { Timestamp } from 'firebase-admin/firestore';
import type { AlertDoc } from '../src/alerts/model';
import { onErrorLogCreated, runMonitoringCleanup, runMonitoringWatchdog, runSystemHealthCheck } from '../src/index';
import { allDocs, closeFirebase, freshProject } from './support/firebase';
import { useLocalServers } from './support/servers';

const servers = useLocalServers();
let db: Firestore;

beforeEach(async () => {
  db = await freshProject();
  await db
    .collection('monitoring_config')
    .doc('settings')
    .set({ recipients: { emails: ['oncall@example.com'], phones: ['+33612345678'] } });
});
afterAll(closeFirebase);

describe('exported functions', () => {
  it('runSystemHealthCheck: a scheduler tick runs the system job at its scheduleTime and reports a stale job', async () => {
    const scheduleTime = '2026-11-20T07:00:00Z';
    await db
      .collection('monitoring_jobs')
      .doc('cleanup')
      .set({
        job: 'cleanup',
        lastSuccessAt: Timestamp.fromDate(new Date('2026-11-18T02:30:00Z')),
        lastOutcome: 'success',
        consecutiveFailures: 0,
      });
    await db.collection('backup_logs').add({
      status: 'success',
      kind: 'firestore-export',
      startedAt: Timestamp.fromDate(new Date('2026-11-20T01:00:00Z')),
      finishedAt: Timestamp.fromDate(new Date('2026-11-20T01:20:00Z')),
    });
    // The handler gets the same ScheduledEvent Cloud Scheduler sends. 52.5 h since the last success of a
    // daily job: 218.8 % of its period.
    await runSystemHealthCheck.run({ scheduleTime, jobName: 'firebase-schedule-runSystemHealthCheck-europe-west1' } as never);

    const [run] = await allDocs<{ job: string; trigger: string; tick: Timestamp; outcome: string }>(db, 'monitoring_runs');
    expect(run).toMatchObject({ job: 'system', trigger: 'schedule', outcome: 'success' });
    expect(run.tick.toDate().toISOString()).toBe('2026-11-20T07:00:00.000Z');
    const alerts = await allDocs<AlertDoc>(db, 'system_alerts');
    expect(alerts.map((alert) => [alert.title, alert.value])).toEqual([['Monitoring itself is not running: cleanup', 218.8]]);
    expect(servers.current.slack.messages.map((message) => message.text)).toEqual(['CRITICAL: Monitoring itself is not running: cleanup']);
    const heartbeat = (await db.collection('monitoring_jobs').doc('system').get()).data()!;
    expect(heartbeat).toMatchObject({ lastOutcome: 'success', exportName: 'runSystemHealthCheck', periodMinutes: 1440 });
  });

  it('onErrorLogCreated: a new critical entry raises the alert at once', async () => {
    const ref = db.collection('error_logs').doc('err-1');
    await ref.set({
      timestamp: Timestamp.fromDate(new Date('2026-11-20T09:15:02Z')),
      expireAt: Timestamp.fromDate(new Date('2026-12-20T09:15:02Z')),
      severity: 'critical',
      source: 'payment-webhook',
      message: 'Stripe signature verification failed',
      correlationId: 'req-42',
    });
    const snapshot = await ref.get();
    await onErrorLogCreated.run({
      id: 'event-1',
      source: '//firestore.googleapis.com/projects/demo/databases/(default)',
      type: 'google.cloud.firestore.document.v1.created',
      specversion: '1.0',
      time: '2026-11-20T09:15:02.345Z',
      location: 'eur3',
      project: 'demo',
      database: '(default)',
      namespace: '(default)',
      document: 'error_logs/err-1',
      params: { logId: 'err-1' },
      data: snapshot,
    } as never);

    const [alert] = await allDocs<AlertDoc>(db, 'system_alerts');
    expect(alert).toMatchObject({
      ruleId: 'critical_errors',
      severity: 'critical',
      value: 1,
      message: '1 critical error from payment-webhook (last 1 h); latest: "Stripe signature verification failed" (correlationId req-42).',
    });
    expect(alert.createdAt.toDate().toISOString()).toBe('2026-11-20T09:15:02.345Z');
    const [run] = await allDocs<{ job: string; trigger: string; requestedBy: string }>(db, 'monitoring_runs');
    expect(run).toMatchObject({ job: 'error-trigger', trigger: 'firestore', requestedBy: 'error_logs/err-1' });
    expect(servers.current.slack.messages.map((message) => message.text)).toEqual(['CRITICAL: Critical errors logged: payment-webhook']);
    expect(servers.current.smtp.mails).toHaveLength(1);
  });

  it('exports the scheduled jobs with their schedules', () => {
    const schedule = (fn: unknown) => (fn as { __endpoint: { scheduleTrigger: { schedule: string; timeZone: string } } }).__endpoint.scheduleTrigger;
    expect(schedule(runSystemHealthCheck)).toMatchObject({ schedule: '0 8 * * *', timeZone: 'Europe/Paris' });
    expect(schedule(runMonitoringWatchdog)).toMatchObject({ schedule: '*/15 * * * *' });
    expect(schedule(runMonitoringCleanup)).toMatchObject({ schedule: '30 3 * * *' });
    const trigger = (onErrorLogCreated as unknown as { __endpoint: { eventTrigger: Record<string, unknown> } }).__endpoint.eventTrigger;
    expect(trigger).toMatchObject({
      eventType: 'google.cloud.firestore.document.v1.created',
      eventFilterPathPatterns: { document: 'error_logs/{logId}' },
      retry: false,
    });
  });
});

describe('cold start', () => {
  it('loading the entry point does not load the Firestore SDK; only the trigger export does', () => {
    const script = [
      "const loaded = () => Object.keys(require.cache).some((path) => path.includes('@google-cloud/firestore'));",
      "const index = require('./src/index.ts');",
      'const before = loaded();',
      'const exportsList = Object.keys(index);',
      'void index.onErrorLogCreated;',
      'console.log(JSON.stringify({ before, after: loaded(), exportsList }));',
    ].join('\n');
    const child = spawnSync(process.execPath, ['-r', 'tsx/cjs', '-e', script], { cwd: resolve(__dirname, '..'), encoding: 'utf8', timeout: 20_000 });
    expect(child.stderr).toBe('');
    const outcome = JSON.parse(child.stdout.trim().split('\n').pop()!);
    expect(outcome).toEqual({
      before: false,
      after: true,
      exportsList: expect.arrayContaining(['runSystemHealthCheck', 'runMonitoringWatchdog', 'runMonitoringCleanup', 'onErrorLogCreated']),
    });
  });
});
