/**
 * Alert engine, end to end through a job run: real Firestore (emulator), real channel SDKs, local
 * Slack/SMTP/Twilio servers.
 */
import type { Firestore } from 'firebase-admin/firestore';
import { Timestamp } from 'firebase-admin/firestore';
import type { AlertDoc, AlertState, DeliveryDoc } from '../src/alerts/model';
import { allDocs, closeFirebase, freshProject } from './support/firebase';
import { at, scriptedJob } from './support/scriptedJob';
import { useLocalServers } from './support/servers';

const servers = useLocalServers();
let db: Firestore;

beforeEach(async () => {
  db = await freshProject();
});
afterAll(closeFirebase);

const failures = (value: number, note?: string) => [{ ruleId: 'test_failures', value, details: note ? { note } : {} }];
const alerts = () => allDocs<AlertDoc>(db, 'payment_alerts');

describe('opening and deduplicating', () => {
  it('opens one alert for a new condition and notifies the channels of its severity', async () => {
    const job = scriptedJob();
    job.observe(failures(5));
    const result = await job.run(at('2026-11-20T08:00:00Z'));

    const [alert, ...others] = await alerts();
    expect(others).toHaveLength(0);
    expect(alert).toMatchObject({
      ruleId: 'test_failures',
      severity: 'warning',
      category: 'test',
      title: 'Test failures',
      message: '5 failures (threshold 3)',
      value: 5,
      threshold: 3,
      window: 'last 60 min',
      occurrences: 1,
      acknowledged: false,
      resolved: false,
      impact: 'Nothing real.',
      suggestedAction: 'Nothing to do.',
      notifiedChannels: ['slack'],
    });
    expect(alert.runbookUrl).toMatch(/#rule-test_failures$/);
    expect(alert.metadata.openedByRunId).toBe(result.runId);
    expect(result.alerts.opened).toHaveLength(1);
    // Warning goes to Slack only.
    expect(servers.current.slack.messages).toHaveLength(1);
    expect(servers.current.smtp.mails).toHaveLength(0);
    expect(servers.current.twilio.sms).toHaveLength(0);
    expect(alert.notifications).toEqual([expect.objectContaining({ channel: 'slack', event: 'opened', status: 'sent', attempt: 1 })]);
  });

  it('updates a still-firing alert without notifying again', async () => {
    const job = scriptedJob();
    job.observe(failures(5));
    await job.run(at('2026-11-20T08:00:00Z'));
    job.observe(failures(7));
    const second = await job.run(at('2026-11-20T09:00:00Z'));

    const [alert, ...others] = await alerts();
    expect(others).toHaveLength(0);
    expect(alert).toMatchObject({ value: 7, occurrences: 2, severity: 'warning' });
    expect(alert.lastSeenAt.toDate().toISOString()).toBe('2026-11-20T09:00:00.000Z');
    expect(alert.metadata.lastRunId).toBe(second.runId);
    expect(second.alerts.updated).toHaveLength(1);
    expect(servers.current.slack.messages).toHaveLength(1);
  });

  it('notifies again when the severity rises, at the channels of the new severity', async () => {
    const job = scriptedJob((config) => {
      config.rules.test_failures.escalations = [
        { threshold: 10, severity: 'critical' },
        { threshold: 20, severity: 'emergency' },
      ];
    });
    job.observe(failures(5));
    await job.run(at('2026-11-20T08:00:00Z'));
    job.observe(failures(12));
    await job.run(at('2026-11-20T09:00:00Z'));

    const [alert] = await alerts();
    expect(alert.severity).toBe('critical');
    expect(servers.current.slack.messages).toHaveLength(2);
    expect(servers.current.slack.messages[1].text).toMatch(/ESCALATED to CRITICAL/);
    expect(servers.current.smtp.mails).toHaveLength(1);
    expect(servers.current.smtp.mails[0].subject).toMatch(/ESCALATED to CRITICAL/);
    expect(servers.current.twilio.sms).toHaveLength(0);

    job.observe(failures(25));
    await job.run(at('2026-11-20T10:00:00Z'));
    expect(servers.current.twilio.sms.map((sms) => sms.to).sort()).toEqual(['+33612345678', '+33698765432']);
  });

  it('repeats the notification once the repeat interval has passed, not before', async () => {
    const job = scriptedJob((config) => {
      config.notifications.repeatIntervalMinutes.warning = 120;
    });
    job.observe(failures(5));
    await job.run(at('2026-11-20T08:00:00Z'));
    await job.run(at('2026-11-20T09:59:00Z'));
    expect(servers.current.slack.messages).toHaveLength(1);
    await job.run(at('2026-11-20T10:00:00Z'));
    expect(servers.current.slack.messages).toHaveLength(2);
    expect(servers.current.slack.messages[1].text).toMatch(/STILL FIRING/);
    await job.run(at('2026-11-20T11:00:00Z'));
    expect(servers.current.slack.messages).toHaveLength(2);
  });

  it('never repeats when the interval is 0', async () => {
    const job = scriptedJob((config) => {
      config.notifications.repeatIntervalMinutes.warning = 0;
    });
    job.observe(failures(5));
    await job.run(at('2026-11-20T08:00:00Z'));
    await job.run(at('2026-11-23T08:00:00Z'));
    expect(servers.current.slack.messages).toHaveLength(1);
  });
});

describe('resolution', () => {
  it('resolves automatically when the condition clears and tells the channels that were told', async () => {
    const job = scriptedJob((config) => {
      config.rules.test_failures.severity = 'critical';
    });
    job.observe(failures(5));
    await job.run(at('2026-11-20T08:00:00Z'));
    job.observe(failures(3)); // equal to the threshold: not firing
    const result = await job.run(at('2026-11-20T09:00:00Z'));

    const [alert] = await alerts();
    expect(alert).toMatchObject({ resolved: true, resolvedBy: 'system', value: 3 });
    expect(alert.resolvedAt?.toDate().toISOString()).toBe('2026-11-20T09:00:00.000Z');
    expect(alert.resolution).toMatch(/Condition cleared: 3/);
    expect(alert.metadata.resolvedByRunId).toBe(result.runId);
    expect(result.alerts.resolved).toHaveLength(1);
    expect(servers.current.slack.messages.map((message) => message.text)).toEqual(['CRITICAL: Test failures', 'RESOLVED: Test failures']);
    expect(servers.current.smtp.mails.map((mail) => mail.subject)).toEqual(['CRITICAL: Test failures', 'RESOLVED: Test failures']);
    expect(servers.current.twilio.sms).toHaveLength(0);
  });

  it('sends the resolved message only to channels that received the alert', async () => {
    const job = scriptedJob((config) => {
      config.rules.test_failures.severity = 'critical';
    });
    servers.current.smtp.fail({ rejectData: true });
    job.observe(failures(5));
    await job.run(at('2026-11-20T08:00:00Z'));
    servers.current.smtp.clearFaults();
    job.observe(failures(0));
    await job.run(at('2026-11-20T09:00:00Z'));

    expect(servers.current.slack.messages.map((message) => message.text)).toEqual(['CRITICAL: Test failures', 'RESOLVED: Test failures']);
    expect(servers.current.smtp.mails).toHaveLength(0);
    // When the email retry falls due, the alert is already resolved: it is cancelled, not sent late.
    const later = new Date(Date.now() + 3_600_000);
    const sweep = await job.run({ ...at('2026-11-20T10:00:00Z'), clock: () => later });
    expect(sweep.deliveries).toEqual([expect.objectContaining({ channel: 'email', status: 'cancelled', event: 'opened' })]);
    expect(servers.current.smtp.mails).toHaveLength(0);
    const deliveries = await allDocs<DeliveryDoc>(db, 'monitoring_deliveries');
    expect(deliveries.find((delivery) => delivery.channel === 'email')?.status).toBe('cancelled');
  });

  it('opens a new alert (a new incident) when the condition returns after resolution', async () => {
    const job = scriptedJob();
    job.observe(failures(5));
    await job.run(at('2026-11-20T08:00:00Z'));
    job.observe(failures(0));
    await job.run(at('2026-11-20T09:00:00Z'));
    job.observe(failures(9));
    await job.run(at('2026-11-20T10:00:00Z'));

    const all = await alerts();
    expect(all.map((alert) => [alert._id, alert.resolved])).toEqual([
      ['test_failures-n1', true],
      ['test_failures-n2', false],
    ]);
  });

  it('waits for the recovery threshold before clearing (hysteresis)', async () => {
    const job = scriptedJob((config) => {
      config.rules.test_failures.recoveryThreshold = 1;
    });
    job.observe(failures(5));
    await job.run(at('2026-11-20T08:00:00Z'));
    job.observe(failures(2));
    const held = await job.run(at('2026-11-20T09:00:00Z'));
    expect(held.alerts.updated).toHaveLength(1);
    expect((await alerts())[0]).toMatchObject({ resolved: false, value: 2 });
    job.observe(failures(1));
    await job.run(at('2026-11-20T10:00:00Z'));
    expect((await alerts())[0]).toMatchObject({ resolved: true, value: 1 });
  });

  it('leaves an open alert alone when the value could not be measured', async () => {
    const job = scriptedJob();
    job.observe(failures(5));
    await job.run(at('2026-11-20T08:00:00Z'));
    job.observe([{ ruleId: 'test_failures', value: null }]);
    const result = await job.run(at('2026-11-20T09:00:00Z'));
    expect(result.evaluations[0]).toMatchObject({ status: 'unknown', reason: 'not measured this run' });
    expect((await alerts())[0]).toMatchObject({ resolved: false, occurrences: 1 });
  });
});

describe('flapping protection', () => {
  it('opens only after N consecutive runs over the threshold', async () => {
    const job = scriptedJob((config) => {
      config.rules.test_failures.consecutiveRuns = 3;
    });
    job.observe(failures(5));
    const first = await job.run(at('2026-11-20T08:00:00Z'));
    expect(first.alerts.pending[0].note).toBe('condition held on 1 of 3 consecutive runs');
    await job.run(at('2026-11-20T09:00:00Z'));
    job.observe(failures(0)); // streak broken
    await job.run(at('2026-11-20T10:00:00Z'));
    job.observe(failures(5));
    await job.run(at('2026-11-20T11:00:00Z'));
    await job.run(at('2026-11-20T12:00:00Z'));
    expect(await alerts()).toHaveLength(0);
    const third = await job.run(at('2026-11-20T13:00:00Z'));
    expect(third.alerts.opened).toHaveLength(1);
    expect(await alerts()).toHaveLength(1);
    expect(servers.current.slack.messages).toHaveLength(1);
  });
});

describe('acknowledgement and silences', () => {
  it('keeps an acknowledged alert quiet until it escalates', async () => {
    const job = scriptedJob((config) => {
      config.notifications.repeatIntervalMinutes.warning = 60;
      config.rules.test_failures.escalations = [{ threshold: 10, severity: 'critical' }];
    });
    job.observe(failures(5));
    await job.run(at('2026-11-20T08:00:00Z'));
    await db
      .collection('payment_alerts')
      .doc('test_failures-n1')
      .update({
        acknowledged: true,
        acknowledgedBy: 'admin-uid',
        acknowledgedAt: Timestamp.fromDate(new Date('2026-11-20T08:30:00Z')),
      });
    const quiet = await job.run(at('2026-11-20T10:00:00Z'));
    expect(quiet.alerts.updated[0].note).toMatch(/acknowledged/);
    expect(servers.current.slack.messages).toHaveLength(1);

    job.observe(failures(15));
    await job.run(at('2026-11-20T11:00:00Z'));
    expect(servers.current.slack.messages).toHaveLength(2);
    expect(servers.current.slack.messages[1].text).toMatch(/ESCALATED to CRITICAL/);
    expect(servers.current.smtp.mails).toHaveLength(1);
  });

  it('records alerts during a silence without notifying, and notifies once the silence is over', async () => {
    await db
      .collection('monitoring_silences')
      .doc('deploy')
      .set({
        startsAt: Timestamp.fromDate(new Date('2026-11-20T07:00:00Z')),
        endsAt: Timestamp.fromDate(new Date('2026-11-20T09:30:00Z')),
        category: 'test',
        ruleId: null,
        reason: 'payment provider migration',
        createdBy: 'ops@example.com',
        createdAt: Timestamp.now(),
      });
    const job = scriptedJob();
    job.observe(failures(5));
    const muted = await job.run(at('2026-11-20T08:00:00Z'));
    expect(muted.alerts.opened[0].note).toMatch(/muted by silence deploy \(payment provider migration\)/);
    expect((await alerts())[0]).toMatchObject({ silencedBy: 'deploy', lastNotifiedAt: null });
    expect(servers.current.slack.messages).toHaveLength(0);

    await job.run(at('2026-11-20T09:00:00Z'));
    expect(servers.current.slack.messages).toHaveLength(0);
    await job.run(at('2026-11-20T10:00:00Z'));
    expect(servers.current.slack.messages).toHaveLength(1);
    expect((await alerts())[0].silencedBy).toBeNull();
  });

  it('does not mute rules outside the silence scope', async () => {
    await db
      .collection('monitoring_silences')
      .doc('other')
      .set({
        startsAt: Timestamp.fromDate(new Date('2026-11-20T07:00:00Z')),
        endsAt: Timestamp.fromDate(new Date('2026-11-20T12:00:00Z')),
        ruleId: 'some_other_rule',
        reason: 'unrelated',
        createdBy: 'ops@example.com',
        createdAt: Timestamp.now(),
      });
    const job = scriptedJob();
    job.observe(failures(5));
    await job.run(at('2026-11-20T08:00:00Z'));
    expect(servers.current.slack.messages).toHaveLength(1);
  });
});

describe('at-least-once scheduling', () => {
  it('gives one alert and one message per channel when the same tick runs twice concurrently', async () => {
    const job = scriptedJob((config) => {
      config.rules.test_failures.severity = 'emergency';
    });
    job.observe(failures(5));
    const results = await Promise.all([job.run(at('2026-11-20T08:00:00Z')), job.run(at('2026-11-20T08:00:00Z'))]);

    expect(await alerts()).toHaveLength(1);
    expect(servers.current.slack.messages).toHaveLength(1);
    expect(servers.current.smtp.mails).toHaveLength(1);
    expect(servers.current.twilio.sms.map((sms) => sms.to).sort()).toEqual(['+33612345678', '+33698765432']);
    const [alert] = await alerts();
    expect(alert.occurrences).toBe(1);
    expect(results.map((result) => result.outcome)).toEqual(['success', 'success']);
  });

  it('gives one alert and one message per channel when a tick is retried after it completed', async () => {
    const job = scriptedJob((config) => {
      config.rules.test_failures.severity = 'critical';
    });
    job.observe(failures(5));
    await job.run(at('2026-11-20T08:00:00Z'));
    const retry = await job.run(at('2026-11-20T08:00:00Z'));
    expect(retry.alerts.opened).toHaveLength(0);
    expect(await alerts()).toHaveLength(1);
    expect((await alerts())[0].occurrences).toBe(1);
    expect(servers.current.slack.messages).toHaveLength(1);
    expect(servers.current.smtp.mails).toHaveLength(1);
  });

  it('keeps one open alert when two different ticks race to open it', async () => {
    const job = scriptedJob();
    job.observe(failures(5));
    await Promise.all([job.run(at('2026-11-20T08:00:00Z')), job.run(at('2026-11-20T12:00:00Z'))]);
    const all = await alerts();
    expect(all.filter((alert) => !alert.resolved)).toHaveLength(1);
    expect(servers.current.slack.messages).toHaveLength(1);
  });

  it('ignores a late retry of an older tick', async () => {
    const job = scriptedJob();
    job.observe(failures(5));
    await job.run(at('2026-11-20T12:00:00Z'));
    job.observe(failures(0));
    const stale = await job.run(at('2026-11-20T08:00:00Z'));
    expect(stale.alerts.resolved).toHaveLength(0);
    expect((await alerts())[0].resolved).toBe(false);
    const state = (await db.collection('monitoring_alert_state').doc('test_failures').get()).data() as AlertState;
    expect(state.lastTickMs).toBe(Date.parse('2026-11-20T12:00:00Z'));
  });
});

describe('run records', () => {
  it('records each run with its counts and read estimate, and a heartbeat per job', async () => {
    const job = scriptedJob();
    job.observe(failures(5));
    const result = await job.run(at('2026-11-20T08:00:00Z'));
    const record = (await db.collection('monitoring_runs').doc(result.runId).get()).data()!;
    expect(record).toMatchObject({
      job: 'scripted',
      outcome: 'success',
      trigger: 'test',
      alerts: { opened: 1, updated: 0, resolved: 0, pending: 0 },
      alertIds: ['test_failures-n1'],
      deliveries: { sent: 1, failed: 0, dead: 0, skipped: 0, cancelled: 0 },
    });
    expect(record.reads.billedReads).toBeGreaterThan(0);
    const heartbeat = (await db.collection('monitoring_jobs').doc('scripted').get()).data()!;
    expect(heartbeat).toMatchObject({ lastOutcome: 'success', lastRunId: result.runId, consecutiveFailures: 0, periodMinutes: 60 });
  });

  it('writes nothing and notifies no one on a dry run', async () => {
    const job = scriptedJob();
    job.observe(failures(5));
    const result = await job.run({ ...at('2026-11-20T08:00:00Z'), dryRun: true });
    expect(result.candidates).toEqual([expect.objectContaining({ ruleId: 'test_failures', severity: 'warning', value: 5 })]);
    expect(await alerts()).toHaveLength(0);
    expect(await allDocs(db, 'monitoring_runs')).toHaveLength(0);
    expect(servers.current.slack.requests).toHaveLength(0);
  });
});
