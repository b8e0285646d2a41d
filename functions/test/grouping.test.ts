/**
 * Grouping: the pure plan (notifications/group.ts) as a table, then the real pipeline on the emulator
 * with the local Slack/SMTP/Twilio servers: a storm across severities is one message per channel and
 * severity listing every alert; a member that resolves before its group is sent is dropped; a grouped
 * delivery failing on one channel is retried once; grouping `none` sends one message per alert.
 */
import { Timestamp, type Firestore } from 'firebase-admin/firestore';
import { reconcile } from '../src/alerts/engine';
import { evaluate } from '../src/alerts/evaluate';
import type { AlertDoc, DeliveryDoc } from '../src/alerts/model';
import { dispatch } from '../src/notifications/dispatcher';
import { firestore, Meter } from '../src/platform/firestore';
import { createLogger } from '../src/platform/logger';
import { testRules } from '../dev/scriptedJob';
import type { GroupingSettings } from '../src/config/schema';
import { planGroups, type GroupCandidate } from '../src/notifications/group';
import { allDocs, closeFirebase, freshProject } from './support/firebase';
import { at, scriptedJob } from './support/scriptedJob';
import { useLocalServers } from './support/servers';

describe('planGroups: which fresh messages share one', () => {
  const NOW = Date.parse('2026-11-20T08:00:00Z');
  const c = (id: string, overrides: Partial<GroupCandidate> = {}): GroupCandidate => ({
    deliveryId: id,
    channel: 'slack',
    severity: 'critical',
    event: 'opened',
    status: 'pending',
    attempts: 0,
    createdAtMs: NOW,
    grouped: false,
    alert: { domain: 'payment', category: 'stripe', resolved: false, acknowledged: false },
    ...overrides,
  });
  const by = (value: GroupingSettings['by'], waitSeconds = 0): GroupingSettings => ({ by: value, waitSeconds });
  it.each<[string, GroupCandidate[], GroupingSettings, string[][], string[]]>([
    ['same channel, severity and kind: one group', [c('a'), c('b'), c('c')], by('all'), [['a', 'b', 'c']], []],
    ['a lone message is not a group', [c('a')], by('all'), [], []],
    ['grouping none: nothing is folded', [c('a'), c('b')], by('none'), [], []],
    ['severities apart', [c('a'), c('b', { severity: 'warning' }), c('c')], by('all'), [['a', 'c']], []],
    ['channels apart', [c('a'), c('b', { channel: 'email' }), c('c', { channel: 'email' })], by('all'), [['b', 'c']], []],
    [
      'event kinds apart (escalations of any tick together)',
      [c('a', { event: 'escalated-critical-1' }), c('b', { event: 'escalated-critical-2' }), c('c', { event: 'resolved' })],
      by('all'),
      [['a', 'b']],
      [],
    ],
    [
      'by domain',
      [c('a'), c('b', { alert: { domain: 'system', category: 'x', resolved: false, acknowledged: false } }), c('c')],
      by('domain'),
      [['a', 'c']],
      [],
    ],
    [
      'by category',
      [c('a'), c('b', { alert: { domain: 'payment', category: 'calls', resolved: false, acknowledged: false } }), c('c')],
      by('category'),
      [['a', 'c']],
      [],
    ],
    [
      'all: across domains',
      [c('a'), c('b', { alert: { domain: 'system', category: 'x', resolved: false, acknowledged: false } })],
      by('all'),
      [['a', 'b']],
      [],
    ],
    [
      'retries, groups, members and tests stay as they are',
      [c('a', { attempts: 1, status: 'failed' }), c('b', { grouped: true }), c('t', { event: 'test' }), c('d')],
      by('all'),
      [],
      [],
    ],
    [
      'a resolved alert\'s "opened" is left to be cancelled',
      [c('a', { alert: { domain: 'payment', category: 's', resolved: true, acknowledged: false } }), c('b')],
      by('all'),
      [],
      [],
    ],
    ['ordered oldest first', [c('b', { createdAtMs: NOW - 5 }), c('a')], by('all'), [['b', 'a']], []],
    ['group wait: held while the oldest is younger', [c('a', { createdAtMs: NOW - 30_000 }), c('b')], by('all', 60), [], ['a', 'b']],
    ['group wait over: the newest go with it', [c('a', { createdAtMs: NOW - 60_000 }), c('b')], by('all', 60), [['a', 'b']], []],
  ])('%s', (_name, candidates, settings, groups, held) => {
    const plan = planGroups(candidates, settings, NOW);
    expect(plan.groups.map((group) => group.members)).toEqual(groups);
    expect(plan.held).toEqual(held);
  });
});

const servers = useLocalServers();
let db: Firestore;

beforeEach(async () => {
  db = await freshProject();
});
afterAll(closeFirebase);

type Configure = Parameters<typeof scriptedJob>[0];

/** test_failures per key: 4-9 warning, 10-19 critical, 20+ emergency. */
function stormJob(configure: Configure = () => undefined) {
  return scriptedJob((config) => {
    config.rules.test_failures.escalations = [
      { threshold: 9, severity: 'critical' },
      { threshold: 19, severity: 'emergency' },
    ];
    config.notifications.repeatIntervalMinutes = { warning: 0, critical: 0, emergency: 0 };
    configure?.(config);
  });
}

const storm = [
  { ruleId: 'test_failures', key: 'w1', value: 5 },
  { ruleId: 'test_failures', key: 'w2', value: 6 },
  { ruleId: 'test_failures', key: 'c1', value: 12 },
  { ruleId: 'test_failures', key: 'c2', value: 13 },
  { ruleId: 'test_failures', key: 'c3', value: 14 },
  { ruleId: 'test_failures', key: 'e1', value: 25 },
  { ruleId: 'test_failures', key: 'e2', value: 30 },
];

const alerts = () => allDocs<AlertDoc>(db, 'payment_alerts');
const deliveries = () => allDocs<DeliveryDoc>(db, 'monitoring_deliveries');
const slackTexts = () => servers.current.slack.messages.map((message) => message.text);
const inAnHour = () => new Date(Date.now() + 3_600_000);

describe('a storm across severities', () => {
  it('one Slack message per severity, one email per severity, one SMS per phone, every alert in them', async () => {
    const job = stormJob();
    job.observe(storm);
    const result = await job.run(at('2026-11-20T08:00:00Z'));
    expect(result.alerts.opened).toHaveLength(7);

    expect(slackTexts().sort()).toEqual(['CRITICAL: 3 alerts', 'EMERGENCY: 2 alerts', 'WARNING: 2 alerts']);
    const emergencySlack = servers.current.slack.messages.find((message) => message.text.startsWith('EMERGENCY'))!;
    const listed = JSON.stringify(emergencySlack.blocks);
    for (const key of ['e1', 'e2']) expect(listed).toContain(`test_failures~${key}`);
    expect(listed).toContain('30 (alert when more than 3)');

    expect(servers.current.smtp.mails.map((mail) => mail.subject).sort()).toEqual([
      'CRITICAL: 3 alerts: Test failures: c1, Test failures: c2, Test failures: c3',
      'EMERGENCY: 2 alerts: Test failures: e1, Test failures: e2',
    ]);
    const criticalMail = servers.current.smtp.mails.find((mail) => mail.subject.startsWith('CRITICAL'))!;
    expect(criticalMail.text.match(/^CRITICAL: Test failures: c\d$/gm)).toHaveLength(3);

    expect(servers.current.twilio.sms.map((sms) => [sms.to, sms.body]).sort()).toEqual([
      ['+33612345678', 'EMERGENCY: 2 alerts: Test failures: e1; Test failures: e2'],
      ['+33698765432', 'EMERGENCY: 2 alerts: Test failures: e1; Test failures: e2'],
    ]);

    // Each alert records which message told which channel.
    const records = await deliveries();
    const groups = records.filter((record) => record.group);
    expect(groups.map((group) => `${group.channel}/${group.severity}/${group.group!.members.length}/${group.status}`).sort()).toEqual([
      'email/critical/3/sent',
      'email/emergency/2/sent',
      'slack/critical/3/sent',
      'slack/emergency/2/sent',
      'slack/warning/2/sent',
      'sms/emergency/2/sent',
    ]);
    expect(records.filter((record) => !record.group).every((record) => record.status === 'grouped' && record.groupId?.startsWith('group~'))).toBe(true);
    for (const alert of await alerts()) {
      const expected = alert.severity === 'warning' ? ['slack'] : alert.severity === 'critical' ? ['email', 'slack'] : ['email', 'slack', 'sms'];
      expect(alert.notifiedChannels.sort()).toEqual(expected);
      expect(alert.notifications.map((entry) => [entry.channel, entry.status, entry.deliveryId.startsWith('group~')]).sort()).toEqual(
        expected.map((channel) => [channel, 'sent', true]),
      );
    }

    // Resolved together: one "resolved" message per channel and severity.
    job.observe(storm.map((item) => ({ ...item, value: 0 })));
    await job.run(at('2026-11-20T09:00:00Z'));
    expect(slackTexts().slice(3).sort()).toEqual(['RESOLVED: 2 alerts', 'RESOLVED: 2 alerts', 'RESOLVED: 3 alerts']);
    expect(servers.current.twilio.sms.slice(2).map((sms) => sms.body)).toEqual(Array(2).fill('RESOLVED: 2 alerts: Test failures: e1; Test failures: e2'));
  });

  it('grouping none: one message per alert, as before', async () => {
    const job = stormJob((config) => {
      config.grouping.by = 'none';
    });
    job.observe(storm);
    await job.run(at('2026-11-20T08:00:00Z'));
    expect(servers.current.slack.messages).toHaveLength(7);
    expect(servers.current.smtp.mails).toHaveLength(5);
    expect(servers.current.twilio.sms).toHaveLength(4);
  });

  it('a lone alert reads as it does without grouping, in French too', async () => {
    const job = stormJob((config) => {
      config.presentation.locale = 'fr';
    });
    job.observe([storm[0]]);
    await job.run(at('2026-11-20T08:00:00Z'));
    expect(slackTexts()).toEqual(['AVERTISSEMENT: Échecs de test: w1']);
    job.observe([storm[0], { ...storm[1], value: 7 }, { ...storm[2], key: 'w3', value: 8 }]);
    await job.run(at('2026-11-20T09:00:00Z'));
    expect(slackTexts()[1]).toBe('AVERTISSEMENT: 2 alertes');
  });
});

describe('a group whose member resolves before it is sent', () => {
  it('is sent with the others; the resolved one is recorded as cancelled', async () => {
    const job = stormJob((config) => {
      config.grouping.waitSeconds = 600;
    });
    job.observe(storm.slice(2, 5));
    const first = await job.run(at('2026-11-20T08:00:00Z'));
    // Held for the group wait: nothing sent yet.
    expect(first.deliveries).toEqual([]);
    expect(servers.current.slack.messages).toHaveLength(0);

    // Five minutes later c1 resolves (nobody was told: no "resolved" message); still within the wait.
    job.observe([{ ...storm[2], value: 0 }, storm[3], storm[4]]);
    await job.run({ ...at('2026-11-20T08:05:00Z'), clock: () => new Date(Date.now() + 5 * 60_000) });
    expect(servers.current.slack.messages).toHaveLength(0);

    // After the wait, the next run sends what is still open.
    await job.run({ ...at('2026-11-20T08:15:00Z'), clock: () => new Date(Date.now() + 15 * 60_000) });
    expect(slackTexts()).toEqual(['CRITICAL: 2 alerts']);
    expect(JSON.stringify(servers.current.slack.messages[0].blocks)).not.toContain('test_failures~c1');
    expect(servers.current.smtp.mails.map((mail) => mail.subject)).toEqual(['CRITICAL: 2 alerts: Test failures: c2, Test failures: c3']);
    const resolved = (await alerts()).find((alert) => alert.key === 'c1')!;
    expect(resolved.notifications.map((entry) => [entry.channel, entry.status]).sort()).toEqual([
      ['email', 'cancelled'],
      ['slack', 'cancelled'],
    ]);
    expect(resolved.notifiedChannels).toEqual([]);
  });

  it('a group retried after a member resolved carries the others only', async () => {
    const job = stormJob();
    servers.current.slack.fail({ status: 500, body: 'internal_error' }, 1);
    job.observe(storm.slice(2, 5));
    await job.run(at('2026-11-20T08:00:00Z'));
    // c1 resolves before the Slack retry is due (each run sends what is due before it evaluates).
    job.observe([{ ...storm[2], value: 0 }, storm[3], storm[4]]);
    await job.run(at('2026-11-20T08:01:00Z'));
    await job.run({ ...at('2026-11-20T09:00:00Z'), clock: inAnHour });
    // The resolution of c1 goes to email (told) only; the Slack retry lists c2 and c3.
    expect(slackTexts()).toEqual(['CRITICAL: 2 alerts']);
    const c1 = (await alerts()).find((alert) => alert.key === 'c1')!;
    expect(c1.notifications.filter((entry) => entry.channel === 'slack').map((entry) => entry.status)).toEqual(['failed', 'cancelled']);
  });
});

describe('a grouped delivery failing on one channel', () => {
  it('is retried once, as one message, when due; the other channels are not sent again', async () => {
    const job = stormJob();
    servers.current.slack.fail({ status: 500, body: 'internal_error' });
    job.observe(storm.slice(5));
    const first = await job.run(at('2026-11-20T08:00:00Z'));
    expect(first.deliveries.map((item) => [item.channel, item.status]).sort()).toEqual([
      ['email', 'sent'],
      ['slack', 'failed'],
      ['sms', 'sent'],
    ]);
    expect(servers.current.twilio.sms).toHaveLength(2);
    const failed = (await deliveries()).find((record) => record.group && record.channel === 'slack')!;
    expect(failed).toMatchObject({ status: 'failed', attempts: 1 });
    for (const alert of await alerts()) {
      expect(alert.notifications.filter((entry) => entry.channel === 'slack').map((entry) => [entry.status, entry.deliveryId])).toEqual([
        ['failed', failed.deliveryId],
      ]);
    }

    servers.current.slack.clearFaults();
    await job.run(at('2026-11-20T08:10:00Z'));
    expect(servers.current.slack.messages).toHaveLength(0); // not due yet

    const retry = await job.run({ ...at('2026-11-20T09:00:00Z'), clock: inAnHour });
    expect(retry.deliveries).toEqual([expect.objectContaining({ deliveryId: failed.deliveryId, channel: 'slack', status: 'sent', attempt: 2 })]);
    expect(slackTexts()).toEqual(['EMERGENCY: 2 alerts']);
    expect(servers.current.smtp.mails).toHaveLength(1);
    expect(servers.current.twilio.sms).toHaveLength(2);
    for (const alert of await alerts()) expect(alert.notifiedChannels.sort()).toEqual(['email', 'slack', 'sms']);

    await job.run({ ...at('2026-11-20T10:00:00Z'), clock: () => new Date(Date.now() + 2 * 3_600_000) });
    expect(servers.current.slack.messages).toHaveLength(1);
  });
});

describe('two dispatchers folding the same messages at once', () => {
  it('each alert is told once per channel: in one group or alone, never both', async () => {
    const job = stormJob();
    const config = job.config;
    const now = new Date('2026-11-20T08:00:00Z');
    const log = createLogger();
    const meter = new Meter(firestore());
    const evaluations = storm.slice(2, 5).map((observation) => evaluate(observation, config, 'docs/runbook.md', testRules[0]));
    const planned = await reconcile({ meter, now, tickMs: now.getTime(), runId: 'run-a', job: 'scripted', config, silences: [], log }, evaluations);
    expect(planned.deliveryIds).toHaveLength(6);
    const run = (runId: string) => dispatch({ meter: new Meter(firestore()), config, runId, log }, planned.deliveryIds);
    await Promise.all([run('run-a'), run('run-b')]);

    // Acknowledge links name their alert too: count the alerts listed, not the links.
    const unlinked = (text: string) => text.replace(/\/ack\?t=[^\s"|>]+/g, '');
    const mentions = servers.current.slack.messages.flatMap((message) => unlinked(JSON.stringify(message.blocks)).match(/test_failures~c\d/g) ?? []);
    expect(mentions.sort()).toEqual(['test_failures~c1', 'test_failures~c2', 'test_failures~c3']);
    const mailed = servers.current.smtp.mails.flatMap((mail) => unlinked(mail.text).match(/test_failures~c\d/g) ?? []);
    expect(mailed.sort()).toEqual(['test_failures~c1', 'test_failures~c2', 'test_failures~c3']);
    for (const alert of await alerts()) {
      expect(
        alert.notifications
          .filter((entry) => entry.status === 'sent')
          .map((entry) => entry.channel)
          .sort(),
      ).toEqual(['email', 'slack']);
    }
  });

  it('a member left claimed by a run that died is sent alone once the claim expires', async () => {
    const job = stormJob();
    const config = job.config;
    const now = new Date('2026-11-20T08:00:00Z');
    const log = createLogger();
    const meter = new Meter(firestore());
    const evaluations = storm.slice(2, 5).map((observation) => evaluate(observation, config, 'docs/runbook.md', testRules[0]));
    const planned = await reconcile({ meter, now, tickMs: now.getTime(), runId: 'run-a', job: 'scripted', config, silences: [], log }, evaluations);
    const stale = planned.deliveryIds.find((id) => id.includes('c1') && id.endsWith('~slack'))!;
    await db
      .collection('monitoring_deliveries')
      .doc(stale)
      .collection('attempts')
      .doc('1')
      .create({
        claimedAt: Timestamp.fromMillis(Date.now() - 600_000),
        leaseUntil: Timestamp.fromMillis(Date.now() - 60_000),
        runId: 'dead-run',
        outcome: null,
      });
    const outcomes = await dispatch({ meter, config, runId: 'run-b', log }, planned.deliveryIds);
    expect(outcomes.find((outcome) => outcome.deliveryId === stale)).toMatchObject({ status: 'sent', attempt: 2 });
    expect(slackTexts().sort()).toEqual(['CRITICAL: 2 alerts', 'CRITICAL: Test failures: c1']);
  });
});

describe('escalation of grouped alerts', () => {
  it("reminders of alerts nobody acknowledged go out grouped, at the next severity's channels; an acknowledged one is left out", async () => {
    const job = stormJob((config) => {
      config.escalation.enabled = true;
    });
    job.observe(storm.slice(2, 5));
    await job.run(at('2026-11-20T08:00:00Z'));
    expect(slackTexts()).toEqual(['CRITICAL: 3 alerts']);
    const c3 = (await alerts()).find((alert) => alert.key === 'c3')!;
    await db.collection('payment_alerts').doc(c3.id).update({ acknowledged: true, acknowledgedBy: 'ops', acknowledgedAt: Timestamp.now() });

    const due = await job.run(at('2026-11-20T10:00:00Z'));
    expect(due.escalations.map((change) => [change.alertId.split('-')[0], change.event]).sort()).toEqual([
      ['test_failures~c1', 'unacknowledged-critical'],
      ['test_failures~c2', 'unacknowledged-critical'],
    ]);
    expect(slackTexts()).toEqual(['CRITICAL: 3 alerts', 'UNACKNOWLEDGED CRITICAL: 2 alerts']);
    expect(servers.current.twilio.sms.map((sms) => sms.body)).toEqual(Array(2).fill('UNACKNOWLEDGED CRITICAL: 2 alerts: Test failures: c1; Test failures: c2'));
    await job.run(at('2026-11-20T12:00:00Z'));
    expect(slackTexts()).toHaveLength(2);
  });
});
