/**
 * Inhibition end to end: the real pipeline (executeRun: engine, escalation pass, dispatcher) on the
 * emulator, with the local Slack and SMTP servers. Twilio reporting failed calls mutes the app-side
 * count (rules/inhibitions.ts); switched off, both are notified. Then the real watchdog job (runJob)
 * on a job that keeps failing: `job_failing` mutes `job_not_running` for that job.
 */
import type { Firestore } from 'firebase-admin/firestore';
import { Timestamp } from 'firebase-admin/firestore';
import type { AlertDoc } from '../src/alerts/model';
import { ruleDefaults } from '../src/config/schema';
import { runJob } from '../src/pipeline/run';
import { getRule } from '../src/rules';
import { allDocs, closeFirebase, freshProject } from './support/firebase';
import { at, scriptedJob } from './support/scriptedJob';
import { useLocalServers } from './support/servers';

const servers = useLocalServers();
let db: Firestore;

beforeEach(async () => {
  db = await freshProject();
});
afterAll(closeFirebase);

function callsJob(inhibition: boolean) {
  return scriptedJob((config) => {
    for (const id of ['failed_calls', 'twilio_failed_calls']) config.rules[id] = ruleDefaults(getRule(id));
    config.inhibition.enabled = inhibition;
    // One message per alert, to see each alert's own message.
    config.grouping.by = 'none';
    config.notifications.repeatIntervalMinutes = { warning: 0, critical: 0, emergency: 0 };
  });
}

const slack = () => servers.current.slack.messages.map((message) => message.text);
const alertDoc = async (id: string) => (await allDocs<AlertDoc>(db, 'payment_alerts')).find((doc) => doc.id === id)!;

describe('inhibition on (the default)', () => {
  it('records the target without notifying it, then notifies it in the run where the source resolves', async () => {
    const job = callsJob(true);
    job.observe([
      { ruleId: 'failed_calls', value: 9 },
      { ruleId: 'twilio_failed_calls', value: 9, details: { appRecorded: 9 } },
    ]);
    const first = await job.run(at('2026-11-20T08:00:00Z'));
    expect(first.alerts.opened.map((change) => [change.ruleId, change.note])).toEqual([
      ['twilio_failed_calls', null],
      ['failed_calls', 'notifications inhibited by open alert twilio_failed_calls-n1'],
    ]);
    expect(slack()).toEqual(['CRITICAL: Failed calls reported by Twilio']);
    expect(servers.current.smtp.mails.map((mail) => mail.subject)).toEqual(['CRITICAL: Failed calls reported by Twilio']);
    const muted = await alertDoc('failed_calls-n1');
    expect(muted).toMatchObject({ resolved: false, inhibitedBy: 'twilio_failed_calls-n1', awaitingNotice: true, notifications: [] });

    // Still inhibited an hour later: still nothing about failed_calls.
    await job.run(at('2026-11-20T09:00:00Z'));
    expect(slack()).toEqual(['CRITICAL: Failed calls reported by Twilio']);

    job.observe([
      { ruleId: 'failed_calls', value: 9 },
      { ruleId: 'twilio_failed_calls', value: 0, details: { appRecorded: 9 } },
    ]);
    await job.run(at('2026-11-20T10:00:00Z'));
    expect(slack()).toEqual(['CRITICAL: Failed calls reported by Twilio', 'RESOLVED: Failed calls reported by Twilio', 'CRITICAL: Failed calls']);
    const told = await alertDoc('failed_calls-n1');
    expect(told).toMatchObject({ inhibitedBy: null, awaitingNotice: false, notifiedSeverity: 'critical' });
    expect(told.notifications.map((entry) => [entry.channel, entry.event, entry.status]).sort()).toEqual([
      ['email', 'opened', 'sent'],
      ['slack', 'opened', 'sent'],
    ]);
  });

  it("a target whose rule is not evaluated in the run where the source resolves is told by that run's follow-up pass", async () => {
    const job = callsJob(true);
    job.observe([
      { ruleId: 'failed_calls', value: 9 },
      { ruleId: 'twilio_failed_calls', value: 9 },
    ]);
    await job.run(at('2026-11-20T08:00:00Z'));
    // Another job resolves the source and does not measure failed_calls.
    job.observe([{ ruleId: 'twilio_failed_calls', value: 0 }]);
    const second = await job.run(at('2026-11-20T08:15:00Z'));
    expect(second.escalations).toEqual([expect.objectContaining({ alertId: 'failed_calls-n1', kind: 'deferred-first', event: 'opened' })]);
    expect(slack()).toEqual(['CRITICAL: Failed calls reported by Twilio', 'RESOLVED: Failed calls reported by Twilio', 'CRITICAL: Failed calls']);
  });
});

describe('inhibition off', () => {
  it('notifies both alerts at once, and records no inhibition', async () => {
    const job = callsJob(false);
    job.observe([
      { ruleId: 'failed_calls', value: 9 },
      { ruleId: 'twilio_failed_calls', value: 9 },
    ]);
    await job.run(at('2026-11-20T08:00:00Z'));
    expect(slack().sort()).toEqual(['CRITICAL: Failed calls', 'CRITICAL: Failed calls reported by Twilio']);
    expect((await alertDoc('failed_calls-n1')).inhibitedBy).toBeUndefined();
  });
});

describe('the real watchdog job (runJob): a job that keeps failing is also late', () => {
  const NOW = new Date('2026-11-20T08:00:00Z');
  async function seed(inhibition: Record<string, unknown>) {
    await db
      .collection('monitoring_config')
      .doc('settings')
      .set({
        recipients: { emails: ['oncall@example.com'], phones: ['+33612345678'] },
        rules: { backup_stale: { enabled: false } },
        inhibition,
      });
    // cleanup: 24 h period, no success for 72 h, failed on its last 4 runs.
    await db
      .collection('monitoring_jobs')
      .doc('cleanup')
      .set({
        job: 'cleanup',
        exportName: 'runMonitoringCleanup',
        periodMinutes: 1440,
        lastSuccessAt: Timestamp.fromMillis(NOW.getTime() - 72 * 3_600_000),
        lastOutcome: 'failed',
        lastError: 'DEADLINE_EXCEEDED',
        lastRunId: 'cleanup-x',
        consecutiveFailures: 4,
      });
  }
  const systemAlert = async (ruleId: string) => (await allDocs<AlertDoc>(db, 'system_alerts')).find((doc) => doc.ruleId === ruleId && doc.key === 'cleanup')!;

  it('inhibition on: both recorded, only "keeps failing" is sent', async () => {
    await seed({ enabled: true });
    const result = await runJob('watchdog', { trigger: 'test', now: NOW });
    expect(result.alerts.opened.map((change) => change.ruleId).sort()).toEqual(['job_failing', 'job_not_running']);
    expect(slack()).toEqual(['CRITICAL: A monitoring job keeps failing: cleanup']);
    const late = await systemAlert('job_not_running');
    expect(late).toMatchObject({ resolved: false, inhibitedBy: (await systemAlert('job_failing')).id, notifications: [] });
  });

  it('inhibition off: both are sent (one grouped message per channel)', async () => {
    await seed({ enabled: false });
    await runJob('watchdog', { trigger: 'test', now: NOW });
    expect(slack()).toEqual(['CRITICAL: 2 alerts']);
    const listed = JSON.stringify(servers.current.slack.messages[0].blocks);
    expect(listed).toContain('A monitoring job keeps failing: cleanup');
    expect(listed).toContain('Monitoring itself is not running: cleanup');
    expect((await systemAlert('job_not_running')).notifiedChannels.sort()).toEqual(['email', 'slack']);
  });
});
