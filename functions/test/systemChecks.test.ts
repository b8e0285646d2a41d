/**
 * The daily system job's checks through the real pipeline: deployment params and secrets, backups,
 * error-log volumes, notification channel health (reported through the channels that still work).
 */
import type { Firestore } from 'firebase-admin/firestore';
import { Timestamp } from 'firebase-admin/firestore';
import { writeAll } from '../dev/scenario/types';
import type { AlertDoc } from '../src/alerts/model';
import { stateIdFor } from '../src/alerts/evaluate';
import { PARAMS } from '../src/config/params';
import { runJob } from '../src/pipeline/run';
import { runScheduled } from '../src/pipeline/scheduled';
import { allDocs, closeFirebase, freshProject } from './support/firebase';
import { scriptedJob } from './support/scriptedJob';
import { useLocalServers } from './support/servers';

const servers = useLocalServers();
let db: Firestore;

const NOW = new Date('2026-11-20T07:00:00Z');
const hoursAgo = (hours: number) => Timestamp.fromMillis(NOW.getTime() - hours * 3_600_000);

async function settings(extra: Record<string, unknown> = {}) {
  await db
    .collection('monitoring_config')
    .doc('settings')
    .set({
      recipients: { emails: ['oncall@example.com'], phones: ['+33612345678'] },
      ...extra,
    });
}
const recentBackup = () =>
  writeAll(db, 'backup_logs', [
    { status: 'success', kind: 'firestore-export', startedAt: hoursAgo(3), finishedAt: hoursAgo(2), destination: 'gs://backups/2026-11-20' },
  ]);
const alert = async (ruleId: string, key: string | null = null) =>
  (await allDocs<AlertDoc>(db, 'system_alerts')).find((item) => item._id === `${stateIdFor(ruleId, key)}-n1`);
const runSystem = () => runJob('system', { trigger: 'test', now: NOW });

beforeEach(async () => {
  db = await freshProject();
});
afterAll(closeFirebase);

describe('deployment configuration', () => {
  // The system job does not bind the Stripe, PayPal and probe secrets: it learns about them from the heartbeats of the jobs that do.
  const OTHER_JOBS_SECRETS = ['STRIPE_SECRET_KEY', 'PAYPAL_CLIENT_SECRET', 'PROBE_TOKEN'];
  const OWN = PARAMS.length - OTHER_JOBS_SECRETS.length;
  beforeEach(() => {
    process.env.RUNBOOK_BASE_URL = 'https://github.com/marketplace-team/monitoring/blob/main/docs/runbook.md';
  });
  afterEach(() => {
    delete process.env.RUNBOOK_BASE_URL;
  });

  it('reports N of M and names the missing params and secrets, never their values', async () => {
    await settings();
    await recentBackup();
    const slackUrl = servers.current.env.SLACK_WEBHOOK_URL;
    const smtpUrl = servers.current.env.SMTP_URL;
    delete process.env.SENTRY_DSN;
    process.env.TWILIO_FROM_NUMBER = '';
    process.env.TWILIO_AUTH_TOKEN = 'none'; // disabled on purpose: not missing
    const result = await runSystem();

    const found = await alert('deployment_config_missing');
    expect(found).toMatchObject({ severity: 'critical', value: 2 });
    expect(found!.message).toBe(
      `${OWN - 2} of ${OWN} params and secrets are set; missing: TWILIO_FROM_NUMBER, SENTRY_DSN. Disabled on purpose: TWILIO_AUTH_TOKEN.`,
    );
    expect(result.metrics.configuration).toEqual({
      present: OWN - 2,
      total: OWN,
      missing: ['TWILIO_FROM_NUMBER', 'SENTRY_DSN'],
      disabled: ['TWILIO_AUTH_TOKEN'],
    });
    expect(result.candidates.find((candidate) => candidate.ruleId === 'deployment_config_missing')!.details).toMatchObject({ unreported: OTHER_JOBS_SECRETS });
    // Names only: no secret value anywhere in the alert, the run record or the messages.
    const everything = JSON.stringify([
      await allDocs(db, 'system_alerts'),
      await allDocs(db, 'monitoring_runs'),
      result,
      servers.current.slack.messages,
      servers.current.smtp.mails.map((mail) => mail.text),
    ]);
    for (const secret of [slackUrl, smtpUrl, servers.current.env.TWILIO_AUTH_TOKEN]) expect(everything).not.toContain(secret);
    expect(servers.current.slack.messages.map((message) => message.text)).toEqual(['CRITICAL: Deployment params or secrets missing']);
  });

  it("learns whether the other jobs' secrets are set from what their deployed runs recorded (names and status only)", async () => {
    await settings();
    await recentBackup();
    // A scheduled payment run (the deployed function) records its own secrets in its heartbeat.
    process.env.PAYPAL_CLIENT_SECRET = 'none';
    delete process.env.STRIPE_SECRET_KEY;
    await runScheduled('payment', { scheduleTime: '2026-11-20T04:00:00Z' });
    const heartbeat = (await db.collection('monitoring_jobs').doc('payment').get()).data()!;
    expect(heartbeat.secrets).toEqual({ STRIPE_SECRET_KEY: 'missing', PAYPAL_CLIENT_SECRET: 'disabled' });
    // A CLI run has the caller's environment, not the function's: it records nothing about secrets.
    process.env.STRIPE_SECRET_KEY = servers.current.env.STRIPE_SECRET_KEY;
    await runJob('balances', { trigger: 'cli', now: NOW });
    expect((await db.collection('monitoring_jobs').doc('balances').get()).data()!.secrets).toBeUndefined();

    const result = await runSystem();
    // PROBE_TOKEN: the probes job has not run, so nothing reported it (unreported, not counted).
    const counted = PARAMS.length - 1;
    expect(result.metrics.configuration).toMatchObject({ total: counted, missing: ['STRIPE_SECRET_KEY'], disabled: ['PAYPAL_CLIENT_SECRET'] });
    expect((await alert('deployment_config_missing'))!.message).toBe(
      `${counted - 1} of ${counted} params and secrets are set; missing: STRIPE_SECRET_KEY. Disabled on purpose: PAYPAL_CLIENT_SECRET.`,
    );

    // The latest report wins: balances (which binds the Stripe key too) reports it set after payment did
    // (reports carry the wall-clock time the run finished).
    await db
      .collection('monitoring_jobs')
      .doc('balances')
      .set({ secrets: { STRIPE_SECRET_KEY: 'set' }, secretsReportedAt: Timestamp.fromMillis(Date.now() + 60_000) }, { merge: true });
    const next = await runJob('system', { trigger: 'test', now: new Date(NOW.getTime() + 86_400_000) });
    expect(next.metrics.configuration).toMatchObject({ total: counted, missing: [] });
    expect(await alert('deployment_config_missing')).toMatchObject({ resolved: true });
  });

  it('counts a template runbook URL as missing', async () => {
    await settings();
    await recentBackup();
    process.env.RUNBOOK_BASE_URL = 'https://github.com/your-org/your-repo/blob/main/docs/runbook.md';
    const result = await runSystem();
    expect(result.metrics.configuration).toMatchObject({ missing: ['RUNBOOK_BASE_URL (placeholder value)'] });
    expect((await alert('deployment_config_missing'))!.message).toContain('missing: RUNBOOK_BASE_URL (placeholder value).');
  });

  it('counts recipient lists given by the runtime configuration as set, and resolves once complete', async () => {
    await settings();
    await recentBackup();
    delete process.env.SENTRY_DSN;
    await runSystem();
    expect(await alert('deployment_config_missing')).toMatchObject({ value: 1 });
    expect((await alert('deployment_config_missing'))!.message).toMatch(/missing: SENTRY_DSN\.$/);

    process.env.SENTRY_DSN = servers.current.env.SENTRY_DSN;
    await runJob('system', { trigger: 'test', now: new Date(NOW.getTime() + 86_400_000) });
    expect(await alert('deployment_config_missing')).toMatchObject({ resolved: true });
  });
});

describe('backups', () => {
  beforeEach(() => settings());

  it('a last success older than 24 h is critical, with the last failed attempt', async () => {
    await writeAll(db, 'backup_logs', [
      { status: 'success', kind: 'firestore-export', startedAt: hoursAgo(31), finishedAt: hoursAgo(30), destination: 'gs://backups/2026-11-19' },
      {
        status: 'failed',
        kind: 'firestore-export',
        startedAt: hoursAgo(6.5),
        finishedAt: hoursAgo(6),
        error: 'PERMISSION_DENIED: missing datastore.databases.export',
      },
    ]);
    await runSystem();
    const found = await alert('backup_stale');
    expect(found).toMatchObject({ severity: 'critical', value: 30, unit: 'hours' });
    expect(found!.message).toBe(
      'Last successful backup 30 h ago (19 Nov 2026, 02:00 GMT+1, gs://backups/2026-11-19); limit 24 h. Last failed attempt 20 Nov 2026, 02:00 GMT+1: PERMISSION_DENIED: missing datastore.databases.export.',
    );
  });

  it('a recent success raises nothing', async () => {
    await recentBackup();
    const result = await runSystem();
    expect(result.evaluations.find((item) => item.ruleId === 'backup_stale')).toMatchObject({ status: 'ok', value: 2 });
    expect(await alert('backup_stale')).toBeUndefined();
  });

  it('no backup evidence at all is critical', async () => {
    await runSystem();
    expect((await alert('backup_stale'))!.message).toBe('No successful backup has ever been recorded in backup_logs (limit 24 h).');
  });
});

describe('error-log volumes', () => {
  it('counts each severity over its window and alerts on high and medium past their thresholds', async () => {
    await settings();
    await recentBackup();
    const entry = (severity: string, hours: number, index: number) => ({
      id: `${severity}-${hours}-${index}`,
      severity,
      source: 'web',
      message: 'x',
      timestamp: hoursAgo(hours),
      expireAt: Timestamp.fromMillis(NOW.getTime() + 29 * 86_400_000),
    });
    await writeAll(db, 'error_logs', [
      ...Array.from({ length: 12 }, (_, index) => entry('high', 3, index)),
      ...Array.from({ length: 5 }, (_, index) => entry('high', 30, index)), // outside the 24 h window
      ...Array.from({ length: 40 }, (_, index) => entry('medium', 1, index)),
      ...Array.from({ length: 7 }, (_, index) => entry('info', 1, index)),
    ]);
    const result = await runSystem();
    expect(result.metrics.errorLogs).toEqual({ info: 7, low: 0, medium: 40, high: 12, critical: 0 });
    expect(await alert('error_logs_high')).toMatchObject({
      severity: 'warning',
      value: 12,
      message: '12 high-severity errors (last 24 h); by severity: critical 0, high 12, medium 40, low 0, info 7.',
    });
    expect(await alert('error_logs_medium')).toBeUndefined();
  });
});

describe('channel health', () => {
  async function deliveries(channel: string, items: Array<{ status: string; attempts: number; hoursAgo: number; error?: string }>) {
    await writeAll(
      db,
      'monitoring_deliveries',
      items.map((item, index) => ({
        id: `seed-${channel}-${index}`,
        alertId: `old-alert-${index}`,
        alertCollection: 'payment_alerts',
        ruleId: 'x',
        event: 'opened',
        channel,
        severity: 'warning',
        status: item.status,
        attempts: item.attempts,
        createdAt: hoursAgo(item.hoursAgo),
        // A failed delivery waits for its retry (not due yet: the run does not retry it first).
        nextAttemptAt: item.status === 'failed' ? Timestamp.fromMillis(Date.now() + 3_600_000) : hoursAgo(item.hoursAgo),
        sentAt: item.status === 'sent' ? hoursAgo(item.hoursAgo) : null,
        lastError: item.error ?? null,
        sentTo: [],
        runId: 'seed',
      })),
    );
  }

  it('a channel failing several times in a row is reported through the channels that still work', async () => {
    await settings();
    await recentBackup();
    await deliveries('slack', [
      { status: 'sent', attempts: 1, hoursAgo: 10 },
      { status: 'dead', attempts: 5, hoursAgo: 8, error: 'An HTTP protocol error occurred: statusCode = 404 (no_service)' },
      { status: 'failed', attempts: 1, hoursAgo: 1, error: 'An HTTP protocol error occurred: statusCode = 404 (no_service)' },
    ]);
    await deliveries('email', [{ status: 'failed', attempts: 2, hoursAgo: 1, error: 'timeout' }]);
    await runSystem();

    const slack = await alert('channel_failing', 'slack');
    expect(slack).toMatchObject({ severity: 'critical', value: 6, title: 'A notification channel keeps failing: slack' });
    expect(slack!.message).toMatch(
      /^slack: 6 failed delivery attempts in a row \(2 messages\) since the last success at .*; last error: An HTTP protocol error occurred: statusCode = 404 \(no_service\)\.$/,
    );
    // Two failed attempts on email: under the threshold (more than 2).
    expect(await alert('channel_failing', 'email')).toBeUndefined();
    // Critical goes to email and Slack; Slack is the broken channel, so only email is used.
    expect(servers.current.smtp.mails.map((mail) => mail.subject)).toEqual(['CRITICAL: A notification channel keeps failing: slack']);
    expect(servers.current.slack.messages).toEqual([]);
    const delivered = (await allDocs<{ alertId: string; channel: string }>(db, 'monitoring_deliveries')).filter((item) => item.alertId === slack!.id);
    expect(delivered.map((item) => item.channel)).toEqual(['email']);
  });

  it('routes around the broken channel even when its severity routing has nothing else', async () => {
    await settings({ routing: { critical: ['email'] } });
    await recentBackup();
    await deliveries('email', [{ status: 'dead', attempts: 5, hoursAgo: 2, error: 'Invalid login: 535 Authentication failed' }]);
    await runSystem();
    expect(await alert('channel_failing', 'email')).toMatchObject({ value: 5 });
    // Falls back on the other channels routed for emergencies: Slack and SMS.
    expect(servers.current.slack.messages.map((message) => message.text)).toEqual(['CRITICAL: A notification channel keeps failing: email']);
    expect(servers.current.twilio.sms).toHaveLength(1);
    expect(servers.current.smtp.mails).toHaveLength(0);
  });

  it('a channel that works again: its pending message goes out first, no channel_failing alert opens', async () => {
    await settings();
    const job = scriptedJob();
    job.observe([{ ruleId: 'test_failures', value: 5 }]);
    const when = (iso: string) => ({ now: new Date(iso), clock: () => new Date(iso) });
    // Slack is down while the scripted job runs (it retries on each run): 3 failed attempts.
    servers.current.slack.fail({ status: 503, body: 'service_unavailable' });
    for (const iso of ['2026-11-20T08:00:00Z', '2026-11-20T08:10:00Z', '2026-11-20T08:25:00Z']) await job.run(when(iso));
    const [failed] = (await allDocs<{ channel: string; status: string; attempts: number; lastError: string }>(db, 'monitoring_deliveries')).filter(
      (item) => item.channel === 'slack',
    );
    expect(failed).toMatchObject({ status: 'failed', attempts: 3, lastError: expect.stringMatching(/^slack: HTTP 503, vendor code service_unavailable: /) });

    // Slack is back. The watchdog's first run sends the message, then measures: nothing failing.
    servers.current.slack.clearFaults();
    const watchdog = await runJob('watchdog', { trigger: 'test', ...when('2026-11-20T08:50:00Z') });
    expect(watchdog.deliveries).toEqual([expect.objectContaining({ channel: 'slack', status: 'sent', attempt: 4 })]);
    expect(watchdog.evaluations.find((item) => item.ruleId === 'channel_failing' && item.key === 'slack')).toMatchObject({ status: 'ok', value: 0 });
    expect(await alert('channel_failing', 'slack')).toBeUndefined();
    expect(servers.current.smtp.mails).toEqual([]);
    expect(servers.current.slack.messages.map((message) => message.text)).toEqual(['WARNING: Test failures']);
  });

  it('a success after the failures clears it', async () => {
    await settings();
    await recentBackup();
    await deliveries('sms', [{ status: 'dead', attempts: 5, hoursAgo: 5, error: 'Authenticate' }]);
    await runSystem();
    expect(await alert('channel_failing', 'sms')).toMatchObject({ resolved: false });
    await writeAll(db, 'monitoring_deliveries', [
      {
        id: 'ok-sms',
        channel: 'sms',
        status: 'sent',
        attempts: 1,
        createdAt: hoursAgo(1),
        sentAt: hoursAgo(1),
        alertId: 'a',
        alertCollection: 'payment_alerts',
      },
    ]);
    await runJob('watchdog', { trigger: 'test', now: new Date(NOW.getTime() + 15 * 60_000) });
    expect(await alert('channel_failing', 'sms')).toMatchObject({ resolved: true });
  });
});
