/**
 * Secret echo: local vendor servers answer 401 with the request's headers and body quoted back (so the
 * Authorization header, Basic base64 of `user:secret` and Bearer keys come back in the error text), the
 * SMTP server refuses the login with a 535 answer quoting the password and the AUTH PLAIN base64, and
 * the app writes an error text with secrets in it. Afterwards every Firestore document, every message
 * delivered, every log line, every Sentry event and the admin API answers are searched for each secret
 * in every encoding.
 */
import * as functionsLogger from 'firebase-functions/logger';
import type { Firestore } from 'firebase-admin/firestore';
import type { AlertDoc, DeliveryDoc } from '../src/alerts/model';
import { COLLECTIONS } from '../src/alerts/model';
import { getActiveAlerts } from '../src/index';
import { runJob } from '../src/pipeline/run';
import { redactText } from '../src/platform/redact';
import { resetErrorReporting } from '../src/platform/sentry';
import { ALERT_COLLECTIONS } from '../src/rules';
import { call } from './support/admin';
import { allDocs, closeFirebase, freshProject } from './support/firebase';
import { NOW } from './support/seed';
import { at, scriptedJob } from './support/scriptedJob';
import { useLocalServers } from './support/servers';

jest.mock('firebase-functions/logger', () => ({ ...jest.requireActual('firebase-functions/logger'), write: jest.fn() }));

const servers = useLocalServers();
let db: Firestore;

beforeEach(async () => {
  db = await freshProject();
  await resetErrorReporting();
  jest.mocked(functionsLogger.write).mockClear();
});
afterAll(async () => {
  await resetErrorReporting();
  await closeFirebase();
});

const b64 = (text: string) => Buffer.from(text).toString('base64');
const b64url = (text: string) => Buffer.from(text).toString('base64url');

/** [user, secret] pairs of every configured credential, as the local servers expect them. */
function credentials(): Array<[string, string]> {
  const { smtp, twilio, stripe, paypal, slack } = servers.current;
  return [
    [smtp.user, smtp.password],
    [twilio.accountSid, twilio.authToken],
    ['', stripe.secretKey],
    [paypal.clientId, paypal.clientSecret],
    ['', slack.webhookUrl.split('/').pop()!],
    ['', slack.webhookUrl],
  ];
}

/** Each secret whole, URL-encoded, base64 and base64url alone, as Basic `user:secret` and as SMTP AUTH PLAIN. */
function encodedSecrets(): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const [user, secret] of credentials()) {
    out.push([`${secret} (whole)`, secret], [`${secret} (url-encoded)`, encodeURIComponent(secret)], [`${secret} (base64)`, b64(secret).replace(/=+$/, '')]);
    out.push([`${secret} (base64url)`, b64url(secret)]);
    if (user)
      out.push(
        [`${user}:${secret} (Basic)`, b64(`${user}:${secret}`).replace(/=+$/, '')],
        [`${secret} (AUTH PLAIN)`, b64(`\0${user}\0${secret}`).replace(/=+$/, '')],
      );
  }
  return out;
}

/** Where each encoded secret was found (none expected). */
function leaks(place: string, value: unknown): string[] {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return encodedSecrets()
    .filter(([, needle]) => text.includes(needle))
    .map(([name]) => `${name} in ${place}`);
}

async function everyDocument(): Promise<Array<[string, unknown]>> {
  const found: Array<[string, unknown]> = [];
  for (const collection of [...Object.values(COLLECTIONS), ...Object.values(ALERT_COLLECTIONS), 'functional_metrics']) {
    for (const doc of await allDocs(db, collection)) {
      found.push([`${collection}/${doc._id}`, doc]);
      if (collection === COLLECTIONS.deliveries) {
        for (const attempt of await allDocs(db, `${collection}/${doc._id}/attempts`)) found.push([`${collection}/${doc._id}/attempts/${attempt._id}`, attempt]);
      }
    }
  }
  return found;
}

function logLines(): unknown[] {
  return jest.mocked(functionsLogger.write).mock.calls.map(([entry]) => entry);
}

/** An error text as the app or a proxy could write it: every encoding at once. */
function hostileText(): string {
  const { smtp, twilio, stripe, paypal } = servers.current;
  return [
    `Authorization: Basic ${b64(`${twilio.accountSid}:${twilio.authToken}`)}`,
    `"authorization":"Bearer ${stripe.secretKey}"`,
    `retry ${servers.current.env.SMTP_URL}`,
    `GET https://api.example.com/v1?key=${encodeURIComponent(paypal.clientSecret)}&page=2`,
    `token in base64 ${b64(twilio.authToken)} and ${b64url(paypal.clientSecret)}`,
    `535 AUTH PLAIN ${b64(`\0${smtp.user}\0${smtp.password}`)}`,
    `raw ${paypal.clientSecret} ${encodeURIComponent(servers.current.env.SLACK_WEBHOOK_URL)}`,
  ].join(' | ');
}

describe('redactText', () => {
  it('removes every secret in every encoding from the hostile text, keeps the rest', () => {
    Object.assign(process.env, servers.current.env);
    const clean = redactText(hostileText());
    expect(leaks('redacted text', clean)).toEqual([]);
    expect(clean).toContain('Authorization: Basic [redacted]');
    expect(clean).toContain('?key=[redacted]&page=2');
    expect(clean).toContain('retry smtp://[redacted]@127.0.0.1');
  });

  it('leaves ordinary text alone', () => {
    const text = 'Stripe answered 401 for GET /v1/events (request req_123); 12 events, 40 %, run payment-20261120T080000000Z-ab12cd';
    expect(redactText(text)).toBe(text);
  });
});

describe('vendors and transports echoing credentials', () => {
  it('vendor checks answering 401 / 500 with the request echoed: alerts, runs and logs hold no secret', async () => {
    servers.current.stripe.fail({ status: 401, echo: true });
    servers.current.paypal.fail({ status: 401, echo: true });
    servers.current.twilio.fail({ status: 500, echo: true });
    await runJob('payment', { trigger: 'test', now: NOW });
    // The echo did reach the product (the test would prove nothing otherwise).
    const failures = (await allDocs<AlertDoc>(db, 'system_alerts')).filter((alert) => alert.ruleId === 'monitor_check_failed');
    expect(failures.length).toBeGreaterThanOrEqual(2);
    expect(failures.map((alert) => alert.message).join('\n')).toMatch(/\[redacted\]/);

    const found = (await everyDocument()).flatMap(([path, doc]) => leaks(path, doc));
    expect([...found, ...logLines().flatMap((line) => leaks('log line', line))]).toEqual([]);
  });

  it('channels answering 401 / 535 with credentials echoed, and app text carrying secrets: deliveries, alerts, messages, logs, Sentry, admin answers', async () => {
    const job = scriptedJob((config) => {
      config.rules.test_failures.severity = 'emergency';
      config.notifications.channelTimeoutMs = 5_000;
      config.notifications.repeatIntervalMinutes = { warning: 0, critical: 0, emergency: 0 };
    });
    job.observe([{ ruleId: 'test_failures', value: 5, details: { note: hostileText() } }]);
    servers.current.slack.fail({ status: 401, echo: true });
    servers.current.twilio.fail({ status: 401, echo: true });
    servers.current.smtp.fail({ echoCredentials: true });
    const first = await job.run(at('2026-11-20T08:00:00Z'));
    expect(first.deliveries.map((item) => item.status)).toEqual(['failed', 'failed', 'failed']);
    const deliveries = await allDocs<DeliveryDoc>(db, 'monitoring_deliveries');
    expect(deliveries.map((item) => item.lastError).join('\n')).toMatch(/535|401/);

    // The channels recover: the messages go out and are searched too.
    servers.current.slack.clearFaults();
    servers.current.twilio.clearFaults();
    servers.current.smtp.clearFaults();
    await job.run({ ...at('2026-11-20T09:00:00Z'), clock: () => new Date(Date.now() + 3_600_000) });
    expect(servers.current.slack.messages).toHaveLength(1);
    expect(servers.current.smtp.mails).toHaveLength(1);

    // A job failure quoting a secret goes to Sentry and the run record.
    job.failWith(new Error(`payments unreachable: ${hostileText()}`));
    await job.run(at('2026-11-20T10:00:00Z')).catch(() => undefined);
    expect(servers.current.sentry.events).toHaveLength(1);

    // An alert written before redaction existed: the admin API answer is redacted on the way out.
    const [alert] = await allDocs<AlertDoc>(db, 'payment_alerts');
    await db
      .collection('payment_alerts')
      .doc(alert._id)
      .update({ message: `legacy ${hostileText()}` });
    const answer = await call(getActiveAlerts, {});
    expect(JSON.stringify(answer)).toContain('legacy');

    const found = [
      ...(await everyDocument()).flatMap(([path, doc]) => leaks(path, doc)).filter((leak) => !leak.endsWith(`payment_alerts/${alert._id}`)),
      ...servers.current.slack.messages.flatMap((message) => leaks('Slack message', message)),
      ...servers.current.smtp.mails.flatMap((mail) => leaks('email', { subject: mail.subject, text: mail.text, html: mail.html })),
      ...servers.current.twilio.sms.flatMap((sms) => leaks('SMS', sms)),
      ...servers.current.sentry.events.flatMap((event) => leaks('Sentry event', event)),
      ...servers.current.sentry.requests.flatMap((request) => leaks('Sentry envelope', request.body)),
      ...logLines().flatMap((line) => leaks('log line', line)),
      ...leaks('admin answer', answer),
    ];
    expect(found).toEqual([]);
  });
});
