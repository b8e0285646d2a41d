/**
 * Notification channels through their real SDKs (@slack/webhook, nodemailer, twilio) against local
 * servers: one failing channel never blocks the others, failures are recorded and retried later
 * without duplicates.
 */
import type { Firestore } from 'firebase-admin/firestore';
import type { AlertDoc, DeliveryDoc } from '../src/alerts/model';
import { allDocs, closeFirebase, freshProject } from './support/firebase';
import { at, scriptedJob, type ScriptedJob } from './support/scriptedJob';
import { useLocalServers } from './support/servers';

const servers = useLocalServers();
let db: Firestore;

beforeEach(async () => {
  db = await freshProject();
});
afterAll(closeFirebase);

const emergencyJob = (configure: Parameters<typeof scriptedJob>[0] = () => undefined): ScriptedJob => {
  const job = scriptedJob((config) => {
    config.rules.test_failures.severity = 'emergency';
    // Generous for a loaded CI machine; the hang test sets its own short timeout.
    config.notifications.channelTimeoutMs = 5_000;
    // Retries are what these tests look at: no "still firing" reminders in between.
    config.notifications.repeatIntervalMinutes = { warning: 0, critical: 0, emergency: 0 };
    configure(config);
  });
  job.observe([{ ruleId: 'test_failures', value: 5 }]);
  return job;
};
const inAnHour = () => new Date(Date.now() + 3_600_000);
const alert = async () => (await allDocs<AlertDoc>(db, 'payment_alerts'))[0];
const delivery = async (channel: string) => (await allDocs<DeliveryDoc>(db, 'monitoring_deliveries')).find((item) => item.channel === channel)!;

describe('a failing channel', () => {
  it('Slack answering 500: email and SMS still go out, the failure is recorded and retried once later', async () => {
    const job = emergencyJob();
    servers.current.slack.fail({ status: 500, body: 'internal_error' });
    const first = await job.run(at('2026-11-20T08:00:00Z'));

    expect(first.deliveries.map((item) => [item.channel, item.status]).sort()).toEqual([
      ['email', 'sent'],
      ['slack', 'failed'],
      ['sms', 'sent'],
    ]);
    expect(servers.current.smtp.mails).toHaveLength(1);
    expect(servers.current.twilio.sms).toHaveLength(2);
    const failed = await delivery('slack');
    expect(failed).toMatchObject({ status: 'failed', attempts: 1 });
    expect(failed.lastError).toMatch(/500/);
    expect(failed.nextAttemptAt.toMillis()).toBeGreaterThan(Date.now());
    expect((await alert()).notifications).toEqual(
      expect.arrayContaining([expect.objectContaining({ channel: 'slack', status: 'failed', attempt: 1, error: expect.stringMatching(/500/) })]),
    );

    // Not due yet: the next run does not hammer Slack.
    servers.current.slack.clearFaults();
    await job.run(at('2026-11-20T08:10:00Z'));
    expect(servers.current.slack.requests).toHaveLength(1);

    // Due: delivered once; email and SMS are not sent again.
    const retry = await job.run({ ...at('2026-11-20T09:00:00Z'), clock: inAnHour });
    expect(retry.deliveries).toEqual([expect.objectContaining({ channel: 'slack', status: 'sent', attempt: 2 })]);
    expect(servers.current.slack.messages).toHaveLength(1);
    expect(servers.current.smtp.mails).toHaveLength(1);
    expect(servers.current.twilio.sms).toHaveLength(2);
    expect((await alert()).notifiedChannels.sort()).toEqual(['email', 'slack', 'sms']);
  });

  it('Slack never answering: bounded by the channel timeout, the others deliver', async () => {
    const job = emergencyJob((config) => {
      config.notifications.channelTimeoutMs = 1_000;
    });
    servers.current.slack.fail({ hang: true });
    const result = await job.run(at('2026-11-20T08:00:00Z'));
    const slack = result.deliveries.find((item) => item.channel === 'slack')!;
    // No answer: it may have been posted. Recorded as ambiguous, named after the channel.
    expect(slack.status).toBe('ambiguous');
    expect(slack.error).toMatch(/^slack: timed out/);
    expect(servers.current.smtp.mails).toHaveLength(1);
    expect(servers.current.twilio.sms).toHaveLength(2);
  });

  it('SMTP rejecting the message: Slack and SMS still go out, email retried later exactly once', async () => {
    const job = emergencyJob();
    servers.current.smtp.fail({ rejectRecipients: true });
    const first = await job.run(at('2026-11-20T08:00:00Z'));
    const email = first.deliveries.find((item) => item.channel === 'email')!;
    expect(email).toMatchObject({ status: 'failed' });
    expect(email.error).toMatch(/550|Mailbox unavailable|recipient/i);
    // Named after the channel, with the SMTP reply code and nodemailer's error code.
    expect(email.error).toMatch(/^email: SMTP 5\d\d, vendor code E[A-Z]+: /);
    expect(servers.current.slack.messages).toHaveLength(1);
    expect(servers.current.twilio.sms).toHaveLength(2);

    servers.current.smtp.clearFaults();
    await job.run({ ...at('2026-11-20T09:00:00Z'), clock: inAnHour });
    await job.run({ ...at('2026-11-20T10:00:00Z'), clock: () => new Date(Date.now() + 7_200_000) });
    expect(servers.current.smtp.mails).toHaveLength(1);
    expect(servers.current.smtp.mails[0].to).toEqual(['oncall@example.com']);
    expect(servers.current.slack.messages).toHaveLength(1);
  });

  it('Twilio answering 4xx for one number: the other number is texted once, the failed one is retried alone', async () => {
    const job = emergencyJob((config) => {
      config.recipients.phones = ['+33612345678', '+3361'];
    });
    const first = await job.run(at('2026-11-20T08:00:00Z'));
    const sms = first.deliveries.find((item) => item.channel === 'sms')!;
    expect(sms.status).toBe('failed');
    expect(sms.error).toBe(
      "sms: HTTP 400, vendor code 21211: 1 of 2 SMS not sent: +…61: HTTP 400, Twilio 21211: The 'To' number +…61 is not a valid phone number.",
    );
    expect(servers.current.twilio.sms.map((item) => item.to)).toEqual(['+33612345678']);
    expect(servers.current.slack.messages).toHaveLength(1);
    expect(servers.current.smtp.mails).toHaveLength(1);
    expect((await delivery('sms')).sentTo).toEqual(['+33612345678']);

    await job.run({ ...at('2026-11-20T09:00:00Z'), clock: inAnHour });
    const attempts = servers.current.twilio.requests.filter((request) => request.path.endsWith('/Messages.json'));
    expect(attempts.map((request) => new URLSearchParams(request.body).get('To'))).toEqual(['+33612345678', '+3361', '+3361']);
    expect(servers.current.twilio.sms.map((item) => item.to)).toEqual(['+33612345678']);
  });

  it('Twilio rejecting the credentials: recorded with the vendor message, without the token', async () => {
    const job = emergencyJob();
    process.env.TWILIO_AUTH_TOKEN = 'a-wrong-token-value';
    const result = await job.run(at('2026-11-20T08:00:00Z'));
    const sms = result.deliveries.find((item) => item.channel === 'sms')!;
    expect(sms.status).toBe('failed');
    expect(sms.error).toMatch(/Authenticat/);
    // Not an empty error: the channel, the HTTP status and Twilio's error code.
    expect(sms.error).toMatch(/^sms: HTTP 401, vendor code 20003: 2 of 2 SMS not sent: \+…78: HTTP 401, Twilio 20003: Authenticat/);
    expect(JSON.stringify(await alert())).not.toContain('a-wrong-token-value');
    expect(servers.current.slack.messages).toHaveLength(1);
  });

  it('gives up after the configured number of attempts', async () => {
    const job = emergencyJob((config) => {
      config.notifications.maxAttempts = 2;
    });
    servers.current.slack.fail({ status: 503 });
    await job.run(at('2026-11-20T08:00:00Z'));
    await job.run({ ...at('2026-11-20T09:00:00Z'), clock: inAnHour });
    await job.run({ ...at('2026-11-20T10:00:00Z'), clock: () => new Date(Date.now() + 86_400_000) });
    expect(servers.current.slack.requests).toHaveLength(2);
    expect(await delivery('slack')).toMatchObject({ status: 'dead', attempts: 2 });
  });

  it('skips a channel whose secret is missing, with the reason, and delivers the others', async () => {
    delete process.env.SLACK_WEBHOOK_URL;
    const job = emergencyJob();
    const result = await job.run(at('2026-11-20T08:00:00Z'));
    expect(result.outcome).toBe('success');
    expect(result.deliveries.find((item) => item.channel === 'slack')).toMatchObject({ status: 'skipped', error: 'SLACK_WEBHOOK_URL not set' });
    expect(servers.current.smtp.mails).toHaveLength(1);
    expect(servers.current.twilio.sms).toHaveLength(2);
  });

  it('treats a secret set to "none" as missing', async () => {
    process.env.SMTP_URL = 'none';
    const job = emergencyJob();
    const result = await job.run(at('2026-11-20T08:00:00Z'));
    expect(result.deliveries.find((item) => item.channel === 'email')).toMatchObject({ status: 'skipped', error: 'SMTP_URL not set' });
  });
});

describe('message content', () => {
  it('Slack gets Block Kit with severity, value vs threshold, impact, action and runbook, with personal data masked', async () => {
    process.env.RUNBOOK_BASE_URL = 'https://runbooks.example.com/runbook.md';
    const job = emergencyJob();
    job.observe([{ ruleId: 'test_failures', value: 5, details: { note: 'customer jane.doe@example.com called from +33 6 12 34 56 78' } }]);
    await job.run(at('2026-11-20T08:00:00Z'));

    const [slack] = servers.current.slack.messages;
    const text = JSON.stringify(slack);
    expect(slack.text).toBe('EMERGENCY: Test failures');
    expect(slack.blocks[0]).toEqual({ type: 'header', text: { type: 'plain_text', text: 'EMERGENCY: Test failures', emoji: true } });
    expect(text).toContain('*Severity*\\nEMERGENCY');
    expect(text).toContain('5 (alert when more than 3)');
    expect(text).toContain('*Impact*\\nNothing real.');
    expect(text).toContain('<https://runbooks.example.com/runbook.md#rule-test_failures|Runbook>');
    expect(text).toContain('j***@e***.com');
    expect(text).toContain('+*********78');
    expect(text).not.toContain('jane.doe');
    expect(text).not.toContain('12 34 56');

    const [sms] = servers.current.twilio.sms;
    expect(sms.body.length).toBeLessThanOrEqual(160);
    expect(sms.body).toContain('EMERGENCY: Test failures');
    expect(sms.body).not.toContain('jane.doe');

    const [mail] = servers.current.smtp.mails;
    expect(mail.subject).toBe('EMERGENCY: Test failures');
    expect(mail.text).toContain('Suggested action: Nothing to do.');
    expect(mail.html).toContain('<th align="left">Impact</th><td>Nothing real.</td>');
    expect(mail.html).toContain('<a href="https://runbooks.example.com/runbook.md#rule-test_failures">');
    expect(mail.from).toBe('alerts@monitoring.localhost');
  });

  it('with presentation.locale "fr", Slack, email and SMS are in French with Paris time', async () => {
    const job = emergencyJob((config) => {
      config.presentation = { locale: 'fr', timeZone: 'Europe/Paris' };
    });
    await job.run(at('2026-11-20T08:00:00Z'));

    const stored = await alert();
    expect(stored).toMatchObject({ title: 'Échecs de test', message: '5 échecs (seuil 3)', window: '60 dernières minutes', impact: 'Rien de réel.' });

    const text = JSON.stringify(servers.current.slack.messages[0]);
    expect(servers.current.slack.messages[0].text).toBe('URGENCE: Échecs de test');
    expect(text).toContain('*Valeur*\\n5 (alerte au-dessus de 3)');
    expect(text).toContain('*Depuis*\\n20 nov. 2026, 09:00 UTC+1');
    expect(text).toContain('*Action suggérée*\\nRien à faire.');

    const [mail] = servers.current.smtp.mails;
    expect(mail.subject).toBe('URGENCE: Échecs de test');
    expect(mail.text).toContain('Fenêtre: 60 dernières minutes');

    const [sms] = servers.current.twilio.sms;
    // The acknowledge link names the alert; the French label leads it.
    expect(sms.body).toMatch(new RegExp(`^URGENCE: Échecs de test\\. 5 \\(alerte au-dessus de 3\\)\\. Acquitter: https://\\S+/ack\\?t=${stored.id}\\.\\S+$`));
    expect(sms.body.length).toBeLessThanOrEqual(160);
  });
});
