/**
 * Ambiguous sends: a channel that answers after the timeout may still have delivered the message.
 * Real pipeline, emulator, local Slack/SMTP/Twilio servers that process the message and answer late.
 */
import type { Firestore } from 'firebase-admin/firestore';
import type { AlertDoc, DeliveryDoc } from '../src/alerts/model';
import { AMBIGUOUS_BACKOFF_FACTOR } from '../src/notifications/dispatcher';
import { REPEAT_NOTE } from '../src/notifications/channels/slack';
import { possibleRepeatBody, SMS_REPEAT_MARK } from '../src/notifications/channels/sms';
import { POSSIBLE_REPEAT_NOTE } from '../src/notifications/channels/channel';
import { allDocs, closeFirebase, freshProject } from './support/firebase';
import { at, scriptedJob } from './support/scriptedJob';
import { useLocalServers } from './support/servers';

const servers = useLocalServers();
let db: Firestore;

beforeEach(async () => {
  db = await freshProject();
});
afterAll(closeFirebase);

const TIMEOUT_MS = 1_500;
const SLOW_MS = 3_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const deliveries = () => allDocs<DeliveryDoc>(db, 'monitoring_deliveries');

function job(severity: 'warning' | 'critical' | 'emergency', keys: string[] = ['']) {
  const scripted = scriptedJob((config) => {
    config.rules.test_failures.severity = severity;
    config.notifications.channelTimeoutMs = TIMEOUT_MS;
    config.notifications.repeatIntervalMinutes = { warning: 0, critical: 0, emergency: 0 };
    config.recipients.phones = ['+33612345678'];
    // One message per alert (grouping none): the duplicate rate is counted per message.
    config.grouping.by = 'none';
  });
  scripted.observe(keys.map((key) => ({ ruleId: 'test_failures', key: key || null, value: 5 })));
  return scripted;
}

const clockAt = (iso: string) => () => new Date(iso);

it('email: the timed-out attempt is ambiguous, retried later than a failure, with the same Message-ID', async () => {
  const scripted = job('critical');
  servers.current.smtp.fail({ acceptSlowlyMs: SLOW_MS }, 1);
  const first = await scripted.run({ ...at('2026-11-20T08:00:00Z'), clock: clockAt('2026-11-20T08:00:00Z') });
  expect(first.deliveries.find((item) => item.channel === 'email')).toMatchObject({ status: 'ambiguous', error: expect.stringMatching(/^email: timed out/) });
  const ambiguous = (await deliveries()).find((item) => item.channel === 'email')!;
  // A plain failure waits 5 minutes (retryBackoffMinutes) before its first retry; an ambiguous one 3 times that.
  expect(ambiguous.nextAttemptAt.toDate()).toEqual(new Date(Date.parse('2026-11-20T08:00:00Z') + 5 * AMBIGUOUS_BACKOFF_FACTOR * 60_000));
  await sleep(SLOW_MS);

  const early = await scripted.run({ ...at('2026-11-20T08:10:00Z'), clock: clockAt('2026-11-20T08:10:00Z') });
  expect(early.deliveries.filter((item) => item.channel === 'email')).toEqual([]);
  const retry = await scripted.run({ ...at('2026-11-20T08:15:00Z'), clock: clockAt('2026-11-20T08:15:00Z') });
  expect(retry.deliveries.find((item) => item.channel === 'email')).toMatchObject({ status: 'sent', attempt: 2 });
  // The server kept both; mail clients merge them: one Message-ID for the delivery.
  const mails = servers.current.smtp.mails;
  expect(mails).toHaveLength(2);
  expect(mails[0].messageId).toMatch(/^<test_failures-n1~opened~email@monitoring\.localhost>$/);
  expect(mails[1].messageId).toBe(mails[0].messageId);
}, 60_000);

it('SMS: before texting again after a timeout, the retry asks Twilio whether the text went out, and does not re-text', async () => {
  const scripted = job('emergency');
  servers.current.twilio.fail({ delayMs: SLOW_MS }, 1);
  const first = await scripted.run({ ...at('2026-11-20T08:00:00Z'), clock: clockAt('2026-11-20T08:00:00Z') });
  expect(first.deliveries.find((item) => item.channel === 'sms')).toMatchObject({ status: 'ambiguous', error: expect.stringMatching(/^sms: timed out/) });
  await sleep(SLOW_MS);
  expect(servers.current.twilio.sms).toHaveLength(1); // Twilio took it after all

  const retry = await scripted.run({ ...at('2026-11-20T09:00:00Z'), clock: clockAt('2026-11-20T09:00:00Z') });
  expect(retry.deliveries.find((item) => item.channel === 'sms')).toMatchObject({ status: 'sent', attempt: 2 });
  expect(servers.current.twilio.sms).toHaveLength(1);
  const lists = servers.current.twilio.requests.filter((request) => request.method === 'GET' && request.path.endsWith('/Messages.json'));
  expect(lists).toHaveLength(1);
  expect(lists[0].query.get('To')).toBe('+33612345678');
  expect((await deliveries()).find((item) => item.channel === 'sms')?.sentTo).toEqual(['+33612345678']);
}, 60_000);

it('SMS: a timed-out text that Twilio never took is sent on the retry', async () => {
  const scripted = job('emergency');
  servers.current.twilio.fail({ hang: true }, 1);
  await scripted.run({ ...at('2026-11-20T08:00:00Z'), clock: clockAt('2026-11-20T08:00:00Z') });
  expect(servers.current.twilio.sms).toHaveLength(0);
  await scripted.run({ ...at('2026-11-20T09:00:00Z'), clock: clockAt('2026-11-20T09:00:00Z') });
  expect(servers.current.twilio.sms.map((item) => item.to)).toEqual(['+33612345678']);
}, 60_000);

it.each([
  ['answers 500', { status: 500 }, 'GET Messages.json 500'],
  ['hangs (its third of the channel timeout)', { hang: true }, 'GET Messages.json -'],
] as const)(
  'SMS: when the retry cannot ask Twilio (its message list %s), the text goes out anyway, marked as a possible repeat; maxAttempts 2 loses nothing',
  async (_name, fault, listed) => {
    const scripted = scriptedJob((config) => {
      config.rules.test_failures.severity = 'emergency';
      config.notifications.channelTimeoutMs = TIMEOUT_MS;
      config.notifications.maxAttempts = 2;
      config.notifications.repeatIntervalMinutes = { warning: 0, critical: 0, emergency: 0 };
      config.recipients.phones = ['+33612345678'];
      config.grouping.by = 'none';
    });
    scripted.observe([{ ruleId: 'test_failures', key: null, value: 5 }]);
    servers.current.twilio.fail({ hang: true }, 1);
    const first = await scripted.run({ ...at('2026-11-20T08:00:00Z'), clock: clockAt('2026-11-20T08:00:00Z') });
    expect(first.deliveries.find((item) => item.channel === 'sms')).toMatchObject({ status: 'ambiguous', attempt: 1 });
    expect(servers.current.twilio.sms).toHaveLength(0);

    servers.current.twilio.fail(fault, 1); // the next request: the retry's look at the message list
    const retry = await scripted.run({ ...at('2026-11-20T09:00:00Z'), clock: clockAt('2026-11-20T09:00:00Z') });
    expect(retry.deliveries.find((item) => item.channel === 'sms')).toMatchObject({ status: 'sent', attempt: 2, error: null });
    const requests = servers.current.twilio.requests.map((request) => `${request.method} ${request.path.split('/').pop()} ${request.status ?? '-'}`);
    expect(requests).toEqual(['POST Messages.json -', listed, 'POST Messages.json 201']);
    const [sms] = servers.current.twilio.sms;
    expect(servers.current.twilio.sms).toHaveLength(1);
    expect(sms.to).toBe('+33612345678');
    expect(sms.body.startsWith(SMS_REPEAT_MARK.en)).toBe(true);
    expect(sms.body.length).toBeLessThanOrEqual(160);
    // The delivery record and the alert's notification history (the dashboard's table) say so.
    const delivery = (await deliveries()).find((item) => item.channel === 'sms')!;
    expect(delivery).toMatchObject({ status: 'sent', sentTo: ['+33612345678'], possibleRepeatTo: ['+33612345678'] });
    const alerts = await allDocs<AlertDoc>(db, 'payment_alerts');
    expect(alerts.flatMap((alert) => alert.notifications).filter((record) => record.channel === 'sms')).toEqual([
      expect.objectContaining({ status: 'ambiguous', attempt: 1 }),
      expect.objectContaining({ status: 'sent', attempt: 2, error: POSSIBLE_REPEAT_NOTE }),
    ]);
  },
  60_000,
);

it.each([
  ['short enough: marked in front', 'Alert: payments failing. Value 5.', undefined, 'Repeat? Alert: payments failing. Value 5.'],
  [
    'too long: the text is shortened, the link kept whole',
    `${'x'.repeat(110)} Ack: https://m.example/ack/abcdefghijklmnopqrstuvwxyz0123`,
    'https://m.example/ack/abcdefghijklmnopqrstuvwxyz0123',
    `Repeat? ${'x'.repeat(160 - 'Repeat? '.length - '… Ack: https://m.example/ack/abcdefghijklmnopqrstuvwxyz0123'.length)}… Ack: https://m.example/ack/abcdefghijklmnopqrstuvwxyz0123`,
  ],
])('possibleRepeatBody: %s', (_name, body, ackUrl, expected) => {
  const marked = possibleRepeatBody(body, SMS_REPEAT_MARK.en, ackUrl);
  expect(marked).toBe(expected);
  expect(marked.length).toBeLessThanOrEqual(160);
});

describe('Slack slower than the channel timeout (duplicate rate)', () => {
  const N = 8;
  const keys = Array.from({ length: N }, (_unused, index) => `account-${index}`);
  const postsPerAlert = () => {
    const counts = new Map<string, number>();
    for (const message of servers.current.slack.messages) counts.set(message.text, (counts.get(message.text) ?? 0) + 1);
    return counts;
  };

  it(`answering after the timeout but posting: each of ${N} messages is posted twice, the second marked as a possible repeat`, async () => {
    const scripted = job('warning', keys);
    servers.current.slack.fail({ delayMs: SLOW_MS }, N);
    const first = await scripted.run({ ...at('2026-11-20T08:00:00Z'), clock: clockAt('2026-11-20T08:00:00Z') });
    expect(first.deliveries.map((item) => item.status)).toEqual(Array(N).fill('ambiguous'));
    await sleep(SLOW_MS + 500);
    expect(servers.current.slack.messages).toHaveLength(N); // all posted, none confirmed

    await scripted.run({ ...at('2026-11-20T09:00:00Z'), clock: clockAt('2026-11-20T09:00:00Z') });
    const posted = servers.current.slack.messages;
    const duplicates = posted.length - N;
    // Measured: 8 of 8 duplicated (100 %): an incoming webhook has no idempotency key.
    expect(duplicates).toBe(N);
    const repeats = posted.slice(N);
    expect(repeats.every((message) => JSON.stringify(message.blocks).includes(REPEAT_NOTE))).toBe(true);
    expect(posted.slice(0, N).some((message) => JSON.stringify(message.blocks).includes(REPEAT_NOTE))).toBe(false);
    expect([...postsPerAlert().values()].every((count) => count === 2)).toBe(true);
  }, 90_000);

  it(`slow but inside the timeout: ${N} messages, no duplicate`, async () => {
    const scripted = job('warning', keys);
    servers.current.slack.fail({ delayMs: TIMEOUT_MS / 3 }, N);
    const first = await scripted.run({ ...at('2026-11-20T08:00:00Z'), clock: clockAt('2026-11-20T08:00:00Z') });
    expect(first.deliveries.map((item) => item.status)).toEqual(Array(N).fill('sent'));
    await scripted.run({ ...at('2026-11-20T09:00:00Z'), clock: clockAt('2026-11-20T09:00:00Z') });
    expect(servers.current.slack.messages).toHaveLength(N);
  }, 90_000);
});
