/** Test notifications through the real dispatcher and channels, against the local servers. */
import type { Firestore } from 'firebase-admin/firestore';
import type { TestNotificationResult } from '../src/admin/notify';
import type { DeliveryDoc } from '../src/alerts/model';
import { sendTestNotification } from '../src/index';
import { call, callError, expectCode } from './support/admin';
import { allDocs, closeFirebase, freshProject } from './support/firebase';
import { at, scriptedJob } from './support/scriptedJob';
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

it('sends a test message to Slack only', async () => {
  const result = await call<TestNotificationResult>(sendTestNotification, { channel: 'slack' });
  expect(result).toMatchObject({ channel: 'slack', status: 'sent', error: null });
  expect(servers.current.slack.messages.map((message) => message.text)).toEqual(['TEST: Test notification (slack)']);
  expect(servers.current.smtp.mails).toHaveLength(0);
  expect(servers.current.twilio.sms).toHaveLength(0);
  const [delivery] = await allDocs<DeliveryDoc>(db, 'monitoring_deliveries');
  expect(delivery).toMatchObject({ channel: 'slack', event: 'test', status: 'sent', attempts: 1, alertCollection: 'monitoring_test_notifications' });
  // Test messages never show up as alerts.
  for (const collection of ['payment_alerts', 'functional_alerts', 'system_alerts']) expect(await allDocs(db, collection)).toEqual([]);
});

it('sends a test email to the configured recipients', async () => {
  const result = await call<TestNotificationResult>(sendTestNotification, { channel: 'email' });
  expect(result.status).toBe('sent');
  expect(servers.current.smtp.mails).toEqual([expect.objectContaining({ to: ['oncall@example.com'], subject: 'TEST: Test notification (email)' })]);
  expect(servers.current.slack.messages).toHaveLength(0);
});

it('sends the test in the configured language', async () => {
  await db
    .collection('monitoring_config')
    .doc('settings')
    .set({ presentation: { locale: 'fr' } }, { merge: true });
  const result = await call<TestNotificationResult>(sendTestNotification, { channel: 'email' });
  expect(result.status).toBe('sent');
  const [mail] = servers.current.smtp.mails;
  expect(mail.subject).toBe('TEST: Notification de test (email)');
  expect(mail.text).toContain('Aucune action requise.');
  expect(mail.text).toContain('Action suggérée: Rien à faire.');
});

it('sends a test SMS to the configured phones', async () => {
  const result = await call<TestNotificationResult>(sendTestNotification, { channel: 'sms' });
  expect(result.status).toBe('sent');
  expect(servers.current.twilio.sms).toEqual([
    expect.objectContaining({ to: '+33612345678', body: expect.stringMatching(/^TEST: Test notification \(sms\)/) }),
  ]);
});

it('reports a channel failure without retrying it later, and without leaking the secret', async () => {
  servers.current.slack.fail({ status: 500, body: 'internal_error' });
  const result = await call<TestNotificationResult>(sendTestNotification, { channel: 'slack' });
  expect(result).toMatchObject({ status: 'failed', error: expect.stringMatching(/500/) });
  expect(result.error).not.toContain('local-webhook-token');
  const [delivery] = await allDocs<DeliveryDoc>(db, 'monitoring_deliveries');
  expect(delivery.status).toBe('dead');
  // A later run's sweep does not pick the test up again.
  servers.current.slack.clearFaults();
  const job = scriptedJob();
  job.observe([]);
  const sweep = await job.run({ ...at('2026-11-20T08:00:00Z'), clock: () => new Date(Date.now() + 86_400_000) });
  expect(sweep.deliveries).toEqual([]);
  expect(servers.current.slack.messages).toHaveLength(0);
});

it('says when a channel is not configured', async () => {
  delete process.env.SLACK_WEBHOOK_URL;
  const result = await call<TestNotificationResult>(sendTestNotification, { channel: 'slack' });
  expect(result).toMatchObject({ status: 'skipped', error: 'SLACK_WEBHOOK_URL not set' });
});

it('sends only its own message, not other deliveries that are due', async () => {
  const job = scriptedJob((config) => {
    config.rules.test_failures.severity = 'critical';
  });
  servers.current.smtp.fail({ rejectData: true });
  job.observe([{ ruleId: 'test_failures', value: 5 }]);
  await job.run(at('2026-11-20T08:00:00Z'));
  servers.current.smtp.clearFaults();
  servers.current.reset();
  await call(sendTestNotification, { channel: 'slack' });
  expect(servers.current.smtp.mails).toHaveLength(0);
  expect(servers.current.slack.messages).toHaveLength(1);
});

it('accepts one test per channel and minute', async () => {
  await call(sendTestNotification, { channel: 'slack' });
  await expectCode(callError(sendTestNotification, { channel: 'slack' }), 'resource-exhausted', /already sent to slack this minute/);
  await expect(call(sendTestNotification, { channel: 'email' })).resolves.toMatchObject({ status: 'sent' });
  expect(servers.current.slack.messages).toHaveLength(1);
});

it('rejects an unknown channel and extra fields, sending and writing nothing', async () => {
  await expectCode(callError(sendTestNotification, { channel: 'pager' }), 'invalid-argument', /channel: /);
  await expectCode(callError(sendTestNotification, { channel: 'slack', to: '+33600000000' }), 'invalid-argument', /Unrecognized key: "to"/);
  await expectCode(callError(sendTestNotification, {}), 'invalid-argument', /channel: /);
  expect(await allDocs(db, 'monitoring_deliveries')).toEqual([]);
  expect(servers.current.slack.requests).toHaveLength(0);
});
