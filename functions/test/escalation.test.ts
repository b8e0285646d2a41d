/**
 * Escalation of unacknowledged alerts: a critical or emergency alert nobody acknowledges within the
 * configured delay is notified once more at the next severity's channels. Real pipeline, emulator,
 * local Slack/SMTP/Twilio.
 */
import type { Firestore } from 'firebase-admin/firestore';
import { Timestamp } from 'firebase-admin/firestore';
import type { AlertDoc, DeliveryDoc } from '../src/alerts/model';
import { resolveConfig } from '../src/config/schema';
import { allDocs, closeFirebase, freshProject } from './support/firebase';
import { at, scriptedJob } from './support/scriptedJob';
import { useLocalServers } from './support/servers';

const servers = useLocalServers();
let db: Firestore;

beforeEach(async () => {
  db = await freshProject();
});
afterAll(closeFirebase);

type Configure = Parameters<typeof scriptedJob>[0];
const firing = [{ ruleId: 'test_failures', value: 5 }];

/** A critical rule with escalation on (defaults: 120 min critical, 30 min emergency) and no reminders. */
function criticalJob(configure: Configure = () => undefined) {
  const job = scriptedJob((config) => {
    config.escalation.enabled = true;
    config.rules.test_failures.severity = 'critical';
    config.notifications.repeatIntervalMinutes = { warning: 0, critical: 0, emergency: 0 };
    configure?.(config);
  });
  job.observe(firing);
  return job;
}

const alert = async () => (await allDocs<AlertDoc>(db, 'payment_alerts'))[0];
const texts = () => servers.current.slack.messages.map((message) => message.text);

describe('critical alert nobody acknowledges', () => {
  it('is not re-notified before the delay, then once at the emergency channels, then never again', async () => {
    const job = criticalJob();
    await job.run(at('2026-11-20T08:00:00Z'));
    expect(texts()).toEqual(['CRITICAL: Test failures']);
    expect(servers.current.twilio.sms).toHaveLength(0);

    const early = await job.run(at('2026-11-20T09:59:00Z'));
    expect(early.escalations).toEqual([]);
    expect(texts()).toHaveLength(1);

    const due = await job.run(at('2026-11-20T10:00:00Z'));
    expect(due.escalations).toEqual([
      expect.objectContaining({
        alertId: 'test_failures-n1',
        event: 'unacknowledged-critical',
        channels: ['email', 'slack', 'sms'],
        unacknowledgedMinutes: 120,
      }),
    ]);
    expect(texts()).toEqual(['CRITICAL: Test failures', 'UNACKNOWLEDGED CRITICAL: Test failures']);
    expect(servers.current.smtp.mails.map((mail) => mail.subject)).toEqual(['CRITICAL: Test failures', 'UNACKNOWLEDGED CRITICAL: Test failures']);
    // The on-call phones ring: SMS is an emergency channel.
    expect(servers.current.twilio.sms.map((sms) => sms.to).sort()).toEqual(['+33612345678', '+33698765432']);
    expect(servers.current.twilio.sms[0].body).toMatch(/^UNACKNOWLEDGED CRITICAL: Test failures/);
    expect((await alert()).unacknowledgedNotified?.critical?.toDate()).toEqual(new Date('2026-11-20T10:00:00Z'));

    await job.run(at('2026-11-20T12:00:00Z'));
    await job.run(at('2026-11-21T08:00:00Z'));
    expect(texts()).toHaveLength(2);
    expect(servers.current.twilio.sms).toHaveLength(2);
  });

  it('the delay is configurable', async () => {
    const job = criticalJob((config) => {
      config.escalation.afterMinutes.critical = 15;
    });
    await job.run(at('2026-11-20T08:00:00Z'));
    await job.run(at('2026-11-20T08:14:00Z'));
    expect(texts()).toHaveLength(1);
    await job.run(at('2026-11-20T08:15:00Z'));
    expect(texts()).toEqual(['CRITICAL: Test failures', 'UNACKNOWLEDGED CRITICAL: Test failures']);
  });

  it('is not re-notified once acknowledged', async () => {
    const job = criticalJob();
    await job.run(at('2026-11-20T08:00:00Z'));
    await db
      .collection('payment_alerts')
      .doc('test_failures-n1')
      .update({
        acknowledged: true,
        acknowledgedBy: 'admin-uid',
        acknowledgedAt: Timestamp.fromDate(new Date('2026-11-20T09:00:00Z')),
      });
    const result = await job.run(at('2026-11-20T11:00:00Z'));
    expect(result.escalations).toEqual([]);
    expect(texts()).toEqual(['CRITICAL: Test failures']);
    expect(servers.current.twilio.sms).toHaveLength(0);
  });

  it('a reminder still queued when someone acknowledges is cancelled, not sent late', async () => {
    const job = criticalJob();
    await job.run(at('2026-11-20T08:00:00Z'));
    servers.current.twilio.fail({ status: 500 });
    await job.run(at('2026-11-20T10:00:00Z'));
    expect(servers.current.twilio.sms).toHaveLength(0);
    servers.current.twilio.clearFaults();
    await db.collection('payment_alerts').doc('test_failures-n1').update({ acknowledged: true, acknowledgedBy: 'admin-uid' });

    const retry = await job.run({ ...at('2026-11-20T11:00:00Z'), clock: () => new Date(Date.now() + 3_600_000) });
    expect(retry.deliveries).toEqual([expect.objectContaining({ channel: 'sms', event: 'unacknowledged-critical', status: 'cancelled' })]);
    expect(servers.current.twilio.sms).toHaveLength(0);
    const sms = (await allDocs<DeliveryDoc>(db, 'monitoring_deliveries')).find((item) => item.channel === 'sms')!;
    expect(sms).toMatchObject({ status: 'cancelled', lastError: 'alert acknowledged before the reminder could be sent' });
  });

  it('off switch: escalation.enabled = false', async () => {
    const job = criticalJob((config) => {
      config.escalation.enabled = false;
    });
    await job.run(at('2026-11-20T08:00:00Z'));
    await job.run(at('2026-11-20T12:00:00Z'));
    expect(texts()).toEqual(['CRITICAL: Test failures']);
    expect(servers.current.twilio.sms).toHaveLength(0);
  });

  it('is counted from the moment the alert became critical', async () => {
    const job = criticalJob((config) => {
      config.rules.test_failures.severity = 'warning';
      config.rules.test_failures.escalations = [{ threshold: 10, severity: 'critical' }];
    });
    await job.run(at('2026-11-20T08:00:00Z'));
    job.observe([{ ruleId: 'test_failures', value: 12 }]);
    await job.run(at('2026-11-20T09:00:00Z'));
    await job.run(at('2026-11-20T10:30:00Z'));
    expect(texts()).toEqual(['WARNING: Test failures', 'ESCALATED to CRITICAL: Test failures']);
    await job.run(at('2026-11-20T11:00:00Z'));
    expect(texts()).toEqual(['WARNING: Test failures', 'ESCALATED to CRITICAL: Test failures', 'UNACKNOWLEDGED CRITICAL: Test failures']);
  });

  it('warnings are never escalated', async () => {
    const job = criticalJob((config) => {
      config.rules.test_failures.severity = 'warning';
    });
    await job.run(at('2026-11-20T08:00:00Z'));
    await job.run(at('2026-11-22T08:00:00Z'));
    expect(texts()).toEqual(['WARNING: Test failures']);
  });
});

describe('a silence that outlasts the escalation delay', () => {
  it('the first run of any job after it sends the deferred first message, and the reminder waits the full delay from it', async () => {
    await db
      .collection('monitoring_silences')
      .doc('migration')
      .set({
        startsAt: Timestamp.fromDate(new Date('2026-11-20T07:30:00Z')),
        endsAt: Timestamp.fromDate(new Date('2026-11-20T12:00:00Z')),
        category: 'test',
        reason: 'database migration',
        createdBy: 'ops',
        createdAt: Timestamp.now(),
      });
    const job = criticalJob();
    // Another job, observing nothing of this rule (the watchdog runs every 15 minutes).
    const watchdog = criticalJob();
    watchdog.observe([]);
    watchdog.job.name = 'scripted-watchdog';

    await job.run(at('2026-11-20T08:00:00Z'));
    for (const time of ['09:00', '10:00', '11:00']) await job.run(at(`2026-11-20T${time}:00Z`));
    await watchdog.run(at('2026-11-20T11:45:00Z'));
    expect(texts()).toEqual([]);
    expect(await alert()).toMatchObject({ silencedBy: 'migration', lastNotifiedAt: null, awaitingNotice: true });

    // 4 h after it opened (past the 120 min delay), the silence ends: one first message, no reminder.
    const first = await watchdog.run(at('2026-11-20T12:00:00Z'));
    expect(first.escalations).toEqual([
      expect.objectContaining({ alertId: 'test_failures-n1', kind: 'deferred-first', event: 'opened', channels: ['email', 'slack'] }),
    ]);
    expect(texts()).toEqual(['CRITICAL: Test failures']);
    expect(servers.current.smtp.mails.map((mail) => mail.subject)).toEqual(['CRITICAL: Test failures']);
    expect(servers.current.twilio.sms).toHaveLength(0);

    // The alert's own job runs next: nothing more (no second page for an alert nobody saw).
    await job.run(at('2026-11-20T13:00:00Z'));
    await watchdog.run(at('2026-11-20T13:45:00Z'));
    expect(texts()).toHaveLength(1);
    expect(servers.current.twilio.sms).toHaveLength(0);

    // The reminder comes 120 min after the first message.
    const reminder = await watchdog.run(at('2026-11-20T14:00:00Z'));
    expect(reminder.escalations).toEqual([expect.objectContaining({ kind: 'unacknowledged', event: 'unacknowledged-critical', unacknowledgedMinutes: 120 })]);
    expect(texts()).toEqual(['CRITICAL: Test failures', 'UNACKNOWLEDGED CRITICAL: Test failures']);
    expect(servers.current.twilio.sms).toHaveLength(2);
  });
});

describe('emergency alert nobody acknowledges', () => {
  it('is re-sent once to the emergency channels after its own delay', async () => {
    const job = criticalJob((config) => {
      config.rules.test_failures.severity = 'emergency';
    });
    await job.run(at('2026-11-20T08:00:00Z'));
    expect(servers.current.twilio.sms).toHaveLength(2);
    await job.run(at('2026-11-20T08:29:00Z'));
    expect(servers.current.twilio.sms).toHaveLength(2);
    await job.run(at('2026-11-20T08:30:00Z'));
    await job.run(at('2026-11-20T09:30:00Z'));
    expect(texts()).toEqual(['EMERGENCY: Test failures', 'UNACKNOWLEDGED EMERGENCY: Test failures']);
    expect(servers.current.twilio.sms).toHaveLength(4);
    expect(servers.current.smtp.mails).toHaveLength(2);
  });
});

describe('configuration', () => {
  it('has an off switch and delays in monitoring_config/settings, validated', () => {
    expect(resolveConfig(undefined).config.escalation).toEqual({ enabled: true, afterMinutes: { critical: 120, emergency: 30 } });
    const { config, problems } = resolveConfig({ escalation: { enabled: false, afterMinutes: { critical: 45 } } });
    expect(problems).toEqual([]);
    expect(config.escalation).toEqual({ enabled: false, afterMinutes: { critical: 45, emergency: 30 } });
    expect(resolveConfig({ escalation: { afterMinutes: { critical: 1 } } }).problems).toEqual([
      'escalation.afterMinutes.critical: Too small: expected number to be >=5',
    ]);
    expect(resolveConfig({ escalation: { afterMinutes: { warning: 60 } } }).problems[0]).toMatch(/^escalation\.afterMinutes: Unrecognized key: "warning"/);
  });
});
