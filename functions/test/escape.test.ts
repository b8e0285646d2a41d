/**
 * Text taken from data (form names, error codes, vendor and backup error texts, error_logs messages)
 * reaches each channel escaped for that channel: no Slack mention or disguised link, no HTML, no
 * header injection in an email subject, no control character in an SMS.
 */
import { formatterFor } from '../src/rules/locale';
import type { AlertDoc } from '../src/alerts/model';
import { emailSubject } from '../src/notifications/channels/email/escape';
import { emailContent } from '../src/notifications/channels/email/render';
import { escapeSlack, slackLink, slackTextWithin } from '../src/notifications/channels/slack/escape';
import { slackPayload } from '../src/notifications/channels/slack/render';
import { smsText } from '../src/notifications/channels/sms/escape';
import { smsBody } from '../src/notifications/channels/sms/render';
import { bound, isSafeUrl, plainLine } from '../src/notifications/escape';
import { type MessageContext } from '../src/notifications/format';
import { resolveConfig } from '../src/config/schema';
import { getRule } from '../src/rules';

const LONG = 'x'.repeat(5_000);

/** Hostile strings, as a visitor could write them in a form name, error code or error message. */
const HOSTILE: Array<[string, string]> = [
  ['channel mention', 'checkout <!channel> now'],
  ['here mention', '<!here|here> form'],
  ['user mention', 'ping <@U024BE7LH>'],
  ['disguised link', '<https://evil.example|Open runbook>'],
  ['already escaped entity', 'a &lt;!channel&gt; b &amp; c'],
  ['newline forging a field', 'contact\n*Runbook*\n<https://evil.example|Runbook>'],
  ['carriage return + header', 'x\r\nBcc: victim@example.com'],
  ['control characters', 'a\u0000b\u0007c\u001bd\u007fe'],
  ['bidi override', 'invoice\u202Etxt.exe'],
  ['zero width', 'sign\u200bup'],
  ['html', '<img src=x onerror=alert(1)><script>alert(2)</script>'],
  ['very long', LONG],
];

function alertWith(text: string, overrides: Partial<AlertDoc> = {}): AlertDoc {
  return {
    id: 'form_error_rate~key-1234abcd-1',
    ruleId: 'form_error_rate',
    key: text,
    domain: 'functional',
    category: 'forms',
    severity: 'warning',
    title: `Form error rate high: ${text}`,
    message: `40 % of 10 submits of ${text} failed (4 errors). Last error: ${text}`,
    impact: 'Visitors cannot submit the form.',
    suggestedAction: 'Fill in the form yourself.',
    runbookUrl: 'https://docs.example.com/runbook#rule-form_error_rate',
    value: 40,
    threshold: 10,
    direction: 'above',
    unit: 'percent',
    window: 'last 24 h',
    resolution: `Cleared for ${text}`,
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
    ...overrides,
  } as AlertDoc;
}

const context = (alert: AlertDoc, event = 'opened'): MessageContext => ({ alert, event, severity: 'emergency', environment: 'production' });

/** Every mrkdwn / plain_text string of a Block Kit payload, with the fallback text. */
function slackStrings(payload: { text: string; blocks: unknown[] }): string[] {
  const out = [payload.text];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      for (const [name, value] of Object.entries(node)) {
        if (name === 'text' && typeof value === 'string') out.push(value);
        else walk(value);
      }
    }
  };
  walk(payload.blocks);
  return out;
}

/** The only `<...>` sequences allowed in Slack text: the product's own runbook link. */
const OWN_LINK = /<https:\/\/docs\.example\.com\/runbook#rule-form_error_rate\|Runbook>/g;

describe('Slack: every data-derived text escaped, in blocks and fallback text', () => {
  it.each(HOSTILE)('%s', (_name, hostile) => {
    for (const event of ['opened', 'resolved', 'repeat-1']) {
      const payload = slackPayload(context(alertWith(hostile), event));
      for (const text of slackStrings(payload)) {
        const withoutOwnLink = text.replace(OWN_LINK, '');
        expect(withoutOwnLink).not.toMatch(/[<>]/);
        expect(withoutOwnLink).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f\u200b\u202e]/);
        // Every & starts an entity produced by the escaping.
        expect(withoutOwnLink.replace(/&(amp|lt|gt);/g, '')).not.toContain('&');
        expect(text.length).toBeLessThanOrEqual(3_000);
      }
      expect(payload.text.length).toBeLessThanOrEqual(150);
      expect((payload.blocks[0] as { text: { text: string } }).text.text.length).toBeLessThanOrEqual(150);
    }
  });

  it.each(HOSTILE)('grouped message (several alerts in one Slack message, email and SMS): %s', (_name, hostile) => {
    const group = [
      { alert: alertWith(hostile), event: 'opened' },
      { alert: alertWith('plain', { id: 'form_error_rate~other-1' }), event: 'opened' },
    ];
    const grouped: MessageContext = { ...context(group[0].alert), group };
    const payload = slackPayload(grouped);
    expect(payload.blocks.length).toBeGreaterThan(2);
    for (const text of slackStrings(payload)) {
      const withoutOwnLink = text.replace(OWN_LINK, '');
      expect(withoutOwnLink).not.toMatch(/[<>]/);
      expect(withoutOwnLink).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f\u200b\u202e]/);
      expect(withoutOwnLink.replace(/&(amp|lt|gt);/g, '')).not.toContain('&');
      expect(text.length).toBeLessThanOrEqual(3_000);
    }
    const email = emailContent(grouped);
    expect(email.subject).not.toMatch(/[\r\n\u0000-\u001f]/);
    expect(email.html).not.toMatch(/<(img|script)/);
    const sms = smsBody(grouped);
    expect(sms.length).toBeLessThanOrEqual(160);
    expect(sms).not.toMatch(/[\u0000-\u001f\u007f\u200b\u202e]/);
  });

  it('the disguised link arrives as inert text, and an already escaped entity is escaped again', () => {
    const payload = slackPayload(context(alertWith('<https://evil.example|Open runbook> &lt;')));
    const section = slackStrings(payload)[2];
    expect(section).toContain('&lt;https[://]evil[.]example|Open runbook&gt; &amp;lt;');
    expect(payload.text).toContain('&lt;https[://]evil[.]example|Open runbook&gt;');
  });

  it('the one link is the product runbook; a runbook URL that could break out of a link is shown as text', () => {
    const links = slackStrings(slackPayload(context(alertWith('<!channel>'))))
      .join('\n')
      .match(/<[^>]*>/g);
    expect(links).toEqual(['<https://docs.example.com/runbook#rule-form_error_rate|Runbook>']);
    const bad = slackStrings(slackPayload(context(alertWith('x', { runbookUrl: 'https://a.example/x|<!channel>' })))).join('\n');
    expect(bad).not.toMatch(/<[^>]*>/);
    expect(bad).toContain('Runbook: https://a.example/x|&lt;!channel&gt;');
  });

  it('a newline in data cannot start a new mrkdwn line', () => {
    const summary = slackStrings(slackPayload(context(alertWith('contact\n*Runbook*'))))[2];
    expect(summary).toContain('contact *Runbook*');
  });
});

describe('email: HTML escaped, subject on one line', () => {
  it.each(HOSTILE)('%s', (_name, hostile) => {
    for (const event of ['opened', 'resolved']) {
      const { subject, html, text } = emailContent(context(alertWith(hostile), event));
      expect(subject).not.toMatch(/[\u0000-\u001f\u007f\u2028\u2029\u202e]/);
      expect(subject.length).toBeLessThanOrEqual(200);
      // The only tags are the template's own.
      const tags = html.match(/<\/?[a-z0-9]+/gi)!.map((tag) => tag.toLowerCase().replace('/', ''));
      expect(new Set(tags)).toEqual(new Set(['<h2', '<p', '<table', '<tr', '<th', '<td', '<a']));
      expect(html).not.toMatch(/<(script|img)/i);
      expect(html).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f\u202e]/);
      // Plain-text part: the template's line breaks only; each value on its own line.
      for (const line of text.split('\n')) {
        expect(line).not.toMatch(/[\u0000-\u001f\u007f\u202e]/);
        expect(line).not.toMatch(/^Bcc:/);
      }
    }
  });

  it('an entity in data is escaped again, and a hostile runbook URL is not a link', () => {
    const { html } = emailContent(context(alertWith('&lt;b&gt;', { runbookUrl: 'javascript:alert(1)' })));
    expect(html).toContain('&amp;lt;b&amp;gt;');
    expect(html).not.toContain('href="javascript');
  });
});

describe('SMS: plain text, no control characters, bounded', () => {
  it.each(HOSTILE)('%s', (_name, hostile) => {
    for (const event of ['opened', 'resolved']) {
      const body = smsBody(context(alertWith(hostile), event));
      expect(body.length).toBeLessThanOrEqual(160);
      expect(body).not.toMatch(/[\u0000-\u001f\u007f\u200b\u202e]/);
    }
  });
});

describe('escape helpers', () => {
  it.each([
    ['<!channel>', '&lt;!channel&gt;'],
    ['&lt;', '&amp;lt;'],
    ['a & b', 'a &amp; b'],
    ['plain', 'plain'],
  ])('escapeSlack(%j) = %j', (input, expected) => expect(escapeSlack(input)).toBe(expected));

  it.each([
    ['a\r\nb', 'a b'],
    ['a\t\tb', 'a b'],
    ['  x  ', 'x'],
    ['a\u2028b', 'a b'],
    [null, ''],
    [42, '42'],
  ])('plainLine(%j) = %j', (input, expected) => expect(plainLine(input)).toBe(expected));

  it('bounds with an ellipsis, never splitting a surrogate pair', () => {
    expect(bound('abcdef', 5)).toBe('ab...');
    expect(bound('ab\u{1F600}cdef', 6)).toBe('ab...');
    expect(smsText('y'.repeat(500))).toHaveLength(160);
    expect(emailSubject('Subject\r\nBcc: x@example.com')).toBe('Subject Bcc: x@example.com');
  });

  it('keeps the escaped text within the limit', () => {
    const escaped = slackTextWithin('&'.repeat(200), 150);
    expect(escaped.length).toBeLessThanOrEqual(150);
    expect(escaped.startsWith('&amp;')).toBe(true);
  });

  it.each([
    ['https://docs.example.com/runbook#rule-x', true],
    ['http://localhost:5000/x?a=1&b=2', true],
    ['javascript:alert(1)', false],
    ['https://a.example/x|<!channel>', false],
    ['https://a.example/x y', false],
    ['https://a.example/"onmouseover', false],
  ])('isSafeUrl(%j) = %j', (url, expected) => expect(isSafeUrl(url)).toBe(expected));

  it('a link escapes & in its URL', () => {
    expect(slackLink('https://x.example/?a=1&b=2', 'Open')).toBe('<https://x.example/?a=1&amp;b=2|Open>');
  });
});

describe('config_invalid quotes rejected keys safely', () => {
  it('a hostile unknown key is one bounded line in the stored message and escaped in Slack', () => {
    const { problems } = resolveConfig({ ['<!channel>\n*fake*' + 'k'.repeat(400)]: 1 });
    const message = getRule('config_invalid').message({
      value: problems.length,
      threshold: 0,
      key: null,
      window: null,
      params: {},
      details: { problems },
      format: formatterFor('en'),
    });
    expect(message).not.toContain('\n');
    expect(message.length).toBeLessThan(400);
    const slack = slackStrings(slackPayload(context(alertWith('x', { message }))));
    expect(slack[2]).toContain('Unrecognized key: "&lt;!channel&gt; *fake*');
    expect(slack.join('')).not.toContain('<!channel>');
  });
});
