/** npm start: progress as it runs, what to do next, and the captured messages in a folder it names. */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { slackAsText, writeCapturedMessages } from '../dev/captured';
import { JOBS } from '../src/jobs/catalog';

const slack = {
  text: 'CRITICAL: Backup overdue',
  blocks: [
    { type: 'header', text: { type: 'plain_text', text: 'CRITICAL: Backup overdue' } },
    { type: 'section', text: { type: 'mrkdwn', text: 'Last success 30 h ago.' }, fields: [{ type: 'mrkdwn', text: '*Severity*\nCRITICAL' }] },
    { type: 'divider' },
    { type: 'actions', elements: [{ type: 'button', text: { type: 'plain_text', text: 'Acknowledge' }, url: 'https://monitoring.localhost/ack?t=x' }] },
    {
      type: 'context',
      elements: [
        { type: 'mrkdwn', text: 'demo' },
        { type: 'mrkdwn', text: 'run `r1`' },
      ],
    },
  ],
};

it('renders Slack blocks as text: header, section, fields, buttons with their link, context', () => {
  expect(slackAsText(slack)).toBe(
    '# CRITICAL: Backup overdue\nLast success 30 h ago.\n  *Severity* CRITICAL\n---\n[Acknowledge] https://monitoring.localhost/ack?t=x\ndemo run `r1`\n',
  );
  expect(slackAsText({ text: 'plain', blocks: [] })).toBe('plain\n');
});

it('writes Slack as .txt and .json, email as .eml (the raw message) and .html, SMS as .txt', () => {
  const dir = mkdtempSync(join(tmpdir(), 'captured-'));
  try {
    const raw = 'Subject: CRITICAL: Backup overdue\r\n\r\nbody';
    const files = writeCapturedMessages(dir, {
      slack: [slack],
      mails: [{ from: 'a@b.fr', to: ['c@d.fr'], subject: 'CRITICAL: Backup overdue', text: 'body', html: '<p>body</p>', raw, messageId: '<1@b>' }],
      sms: [{ to: '+33612345678', from: '+15005550006', body: 'CRITICAL: Backup overdue' }],
    });
    expect(files).toEqual([
      'slack/01-critical-backup-overdue.txt',
      'slack/01-critical-backup-overdue.json',
      'email/01-critical-backup-overdue.eml',
      'email/01-critical-backup-overdue.html',
      'sms/01-33612345678.txt',
    ]);
    expect(readFileSync(join(dir, 'email/01-critical-backup-overdue.eml'), 'utf8')).toBe(raw);
    expect(readFileSync(join(dir, 'sms/01-33612345678.txt'), 'utf8')).toBe('To: +33612345678\nFrom: +15005550006\n\nCRITICAL: Backup overdue\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

it('npm start prints progress on stderr, then the report, the folder of the captured messages and what to do next', async () => {
  const out = mkdtempSync(join(tmpdir(), 'demo-out-'));
  try {
    const root = resolve(__dirname, '..');
    const { stdout, stderr } = await promisify(execFile)(resolve(root, 'node_modules/.bin/tsx'), ['dev/demo.ts', '--out', out], {
      cwd: root,
      env: { ...process.env, FIRESTORE_EMULATOR_HOST: '', INIT_CWD: root },
      timeout: 240_000,
    });
    const progress = stderr.split('\n').filter(Boolean);
    expect(progress[0]).toMatch(/^\[ +0 s\] Starting the embedded Firestore/);
    for (const [index, job] of JOBS.entries())
      expect(progress).toContainEqual(expect.stringMatching(new RegExp(`\\] Running ${job.name} \\(${index + 1}/${JOBS.length}\\)$`)));
    expect(progress.at(-1)).toMatch(/\] Done$/);

    const count = Number(/Captured messages \((\d+) files\) in (.+):/.exec(stdout)?.[1]);
    expect(stdout).toContain(`Captured messages (${count} files) in ${out}:`);
    expect(stdout).toMatch(/Next:\n {2}npm run dashboard /);
    // Open alerts that these runs did not open are explained next to the count.
    expect(stdout).toMatch(/Open alerts \(\d+(: \d+ opened by these runs, \d+ seeded already open by the scenario)?\):/);

    const slackCount = Number(/Slack received (\d+) message/.exec(stdout)?.[1]);
    const emailCount = Number(/Email received (\d+) message/.exec(stdout)?.[1]);
    const smsCount = Number(/SMS sent (\d+):/.exec(stdout)?.[1]);
    expect(slackCount * emailCount * smsCount).toBeGreaterThan(0);
    expect(readdirSync(join(out, 'slack'))).toHaveLength(2 * slackCount);
    expect(readdirSync(join(out, 'email'))).toHaveLength(2 * emailCount);
    expect(readdirSync(join(out, 'sms'))).toHaveLength(smsCount);
    expect(count).toBe(2 * slackCount + 2 * emailCount + smsCount);
    const firstSlack = readdirSync(join(out, 'slack')).find((name) => name.endsWith('.txt'))!;
    expect(readFileSync(join(out, 'slack', firstSlack), 'utf8')).toMatch(/^# (WARNING|CRITICAL|EMERGENCY) \[demo\]: /);
    const firstMail = readdirSync(join(out, 'email')).find((name) => name.endsWith('.eml'))!;
    expect(readFileSync(join(out, 'email', firstMail), 'utf8')).toMatch(/^[\s\S]*\r?\nSubject: /i);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}, 250_000);
