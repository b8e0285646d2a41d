/**
 * Links planted in untrusted text (form names, error codes, vendor error texts, probe targets) are
 * defanged in every channel so that no client auto-links them; the product's own links stay live.
 */
import type { AlertDoc } from '../src/alerts/model';
import { isSafeSubject } from '../src/config/subjects';
import { defang } from '../src/notifications/defang';
import { emailContent } from '../src/notifications/channels/email/render';
import { slackPayload } from '../src/notifications/channels/slack/render';
import { smsBody } from '../src/notifications/channels/sms/render';
import type { MessageContext } from '../src/notifications/format';

describe('defang', () => {
  it.each([
    ['https://evil.example/login', 'https[://]evil[.]example/login'],
    ['http://evil.example', 'http[://]evil[.]example'],
    ['HTTPS://Evil.Example.COM/login.php', 'HTTPS[://]Evil[.]Example[.]COM/login[.]php'],
    ['go to www.evil.example/reset now', 'go to www[.]evil[.]example/reset now'],
    ['WWW.evil.example', 'WWW[.]evil[.]example'],
    ['evil.example/reset', 'evil[.]example/reset'],
    ['login at bank.evil.co.uk.', 'login at bank[.]evil[.]co[.]uk.'],
    ['ftp://files.evil.example/x', 'ftp[://]files[.]evil[.]example/x'],
    ['javascript://evil.example', 'javascript[://]evil[.]example'],
    ['http://169.254.169.254/computeMetadata', 'http[://]169[.]254[.]169[.]254/computeMetadata'],
    ['(see "https://a.example")', '(see "https[://]a[.]example")'],
    // Not links: left as they are.
    ['checkout_step-2', 'checkout_step-2'],
    ['payment_intent.v2', 'payment_intent.v2'],
    ['3.5 % of 10.2k', '3.5 % of 10.2k'],
    ['auth/invalid-email', 'auth/invalid-email'],
    ['card_declined: insufficient_funds', 'card_declined: insufficient_funds'],
    ['write to j***@e***.com', 'write to j***@e***.com'],
    ['victim@example.com', 'victim@example.com'],
    ['e.g. this', 'e.g. this'],
    ['', ''],
  ])('%j -> %j', (text, expected) => {
    expect(defang(text)).toBe(expected);
  });

  it('is idempotent', () => {
    for (const text of ['https://evil.example/login', 'www.evil.example', 'a.b.example x']) expect(defang(defang(text))).toBe(defang(text));
  });
});

describe('the safe-name pattern refuses link-shaped names', () => {
  it.each([
    ['signup', true],
    ['checkout.step2', true],
    ['auth/invalid-email', true],
    ['payment:card_declined', true],
    ['https://evil.example/login', false],
    ['http://x', false],
    ['a://b', false],
    ['www.evil.example', false],
    ['WWW.evil.example/reset', false],
    ['wwwsignup', true],
  ])('%s -> %s', (name, safe) => {
    expect(isSafeSubject(name)).toBe(safe);
  });
});

describe('every channel', () => {
  const PLANTED = 'https://evil.example/login';
  const alert = {
    id: 'form_error_rate~key-1',
    ruleId: 'form_error_rate',
    key: 'www.evil.example',
    domain: 'functional',
    category: 'forms',
    severity: 'critical',
    title: 'Form error rate high: www.evil.example',
    message: `40 % of 10 submits failed. Last error: ${PLANTED}`,
    impact: 'Visitors cannot submit the form.',
    suggestedAction: 'Fill in the form yourself at evil.example/reset.',
    runbookUrl: 'https://docs.example.com/runbook#rule-form_error_rate',
    value: 40,
    threshold: 10,
    direction: 'above',
    unit: 'percent',
    window: 'last 24 h',
    resolution: null,
    metadata: {
      job: 'functional',
      stateId: 's',
      incident: 1,
      openedByRunId: 'r1',
      lastRunId: 'run-1',
      resolvedByRunId: null,
      lastTickMs: 0,
      sample: 10,
      details: {},
    },
  } as unknown as AlertDoc;
  const ACK = 'https://monitoring.example.com/ack?t=abc.def';
  const context: MessageContext = { alert, event: 'opened', severity: 'emergency', environment: 'production', ackUrl: ACK };
  /** What an auto-linker would pick up: a scheme, `www.`, or a dotted host name ending in letters. */
  const linkLike = /[A-Za-z][A-Za-z0-9+.-]*:\/\/|www\.|[A-Za-z0-9-]+\.(?:[A-Za-z0-9-]+\.)*[A-Za-z]{2,}/g;

  it('Slack: planted links defanged; the runbook link and the acknowledge button stay live', () => {
    const payload = slackPayload(context);
    const all = JSON.stringify(payload);
    expect(all).toContain('https[://]evil[.]example/login');
    expect(all).toContain('www[.]evil[.]example');
    expect(all).toContain('evil[.]example/reset');
    expect(all).not.toContain('evil.example');
    expect(all).toContain('<https://docs.example.com/runbook#rule-form_error_rate|Runbook>');
    expect(all).toContain(`"url":"${ACK}"`);
  });

  it('email: planted links defanged in the subject, the HTML and the text part; the product links stay links', () => {
    const email = emailContent(context);
    for (const part of [email.subject, email.html, email.text]) expect(part).not.toContain('evil.example');
    expect(email.html).toContain('https[://]evil[.]example/login');
    expect(email.html).toContain('<a href="https://docs.example.com/runbook#rule-form_error_rate">');
    expect(email.html).toContain(`<a href="${ACK}">`);
    expect(email.text).toContain('https://docs.example.com/runbook#rule-form_error_rate');
    expect(email.text).toContain(ACK);
  });

  it('SMS: nothing link-like but the acknowledge link', () => {
    const sms = smsBody(context);
    expect(sms.length).toBeLessThanOrEqual(160);
    expect(sms.endsWith(ACK)).toBe(true);
    expect(sms.slice(0, -ACK.length).match(linkLike)).toBeNull();
    expect(sms).toContain('www[.]evil[.]example');
  });
});
