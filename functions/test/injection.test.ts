/**
 * Hostile text through the real pipeline: a critical error_logs entry (source and message written by
 * the app) and a rejected configuration key reach Slack (real @slack/webhook) and email (nodemailer
 * to a real SMTP server) escaped for each channel; the stored alert keeps the raw, bounded text.
 */
import type { Firestore } from 'firebase-admin/firestore';
import { Timestamp } from 'firebase-admin/firestore';
import type { AlertDoc } from '../src/alerts/model';
import { handleErrorLogCreated } from '../src/triggers/errorTrigger';
import { runJob } from '../src/pipeline/run';
import { allDocs, closeFirebase, freshProject } from './support/firebase';
import { useLocalServers } from './support/servers';

const servers = useLocalServers();
let db: Firestore;

beforeEach(async () => {
  db = await freshProject();
});
afterAll(closeFirebase);

const HOSTILE = '<!here> <https://evil.example|Open runbook> &lt;b&gt;\nBcc: victim@example.com';

/** Every text of the Slack payloads, blocks and fallback. */
const slackTexts = () => {
  const texts: string[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object')
      for (const [name, value] of Object.entries(node)) {
        if (name === 'text' && typeof value === 'string') texts.push(value);
        else walk(value);
      }
  };
  walk(servers.current.slack.messages);
  return texts;
};

it('a critical error_logs entry with mentions, a disguised link and a header injection', async () => {
  await db
    .collection('monitoring_config')
    .doc('settings')
    .set({ recipients: { emails: ['oncall@example.com'] }, rules: { backup_stale: { enabled: false } } });
  const at = Date.parse('2026-11-20T08:00:00Z');
  await db
    .collection('error_logs')
    .doc('e1')
    .set({
      timestamp: Timestamp.fromMillis(at),
      expireAt: Timestamp.fromMillis(at + 30 * 86_400_000),
      severity: 'critical',
      source: '<!channel>',
      message: HOSTILE,
      correlationId: 'req-1',
    });
  const snapshot = await db.collection('error_logs').doc('e1').get();
  await handleErrorLogCreated({ id: 'event-e1', time: new Date(at).toISOString(), data: snapshot });

  const [alert] = await allDocs<AlertDoc>(db, 'system_alerts');
  expect(alert.key).toBe('<!channel>');
  expect(alert.title).toContain('<!channel>');

  const texts = slackTexts();
  expect(texts.length).toBeGreaterThan(3);
  const joined = texts.join('\n');
  expect(joined).not.toMatch(/<!(channel|here)/);
  expect(joined).not.toContain('<https://evil.example');
  expect(joined).toContain('&lt;!channel&gt;');
  expect(servers.current.slack.messages[0].text).toContain('&lt;!channel&gt;');

  const [mail] = servers.current.smtp.mails;
  expect(mail.subject).toContain('<!channel>');
  expect(mail.subject).not.toMatch(/[\r\n]/);
  // No header of its own: the header block ends at the first empty line (body lines may wrap anywhere, quoted-printable).
  expect(mail.raw.split(/\r?\n\r?\n/)[0]).not.toMatch(/^Bcc:/im);
  expect(mail.to).toEqual(['oncall@example.com']);
  expect(mail.html).not.toContain('<https://evil.example');
  expect(mail.html).not.toContain('<!here>');
  expect(mail.html).toContain('&lt;!channel&gt;');
});

it('config_invalid quotes a hostile unknown key escaped in Slack', async () => {
  await db.collection('monitoring_config').doc('settings').set({ '<!channel> <https://evil.example|fix here>': 1 });
  await runJob('watchdog', { trigger: 'test', now: new Date('2026-11-20T08:00:00Z') });
  const [alert] = (await allDocs<AlertDoc>(db, 'system_alerts')).filter((item) => item.ruleId === 'config_invalid');
  expect(alert.message).toContain('Unrecognized key: "<!channel> <https://evil.example|fix here>"');
  const joined = slackTexts().join('\n');
  expect(joined).toContain('Unrecognized key: "&lt;!channel&gt; &lt;https[://]evil[.]example|fix here&gt;"');
  expect(joined).not.toMatch(/<!channel>|<https:\/\/evil/);
});
