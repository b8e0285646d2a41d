/**
 * The messages the local Slack, SMTP and Twilio servers received, written to a folder a person can
 * open (npm start names it): Slack payloads rendered as text (and the JSON as sent), emails as .eml
 * (the raw message, opens in any mail client) and .html, SMS as text. Local dev tooling only.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CapturedMail } from './servers/smtp';
import type { SlackMessage } from './servers/slack';
import type { SentSms } from './servers/twilio';

type Block = Record<string, unknown>;
const textOf = (value: unknown): string => (value && typeof value === 'object' && 'text' in value ? String((value as { text: unknown }).text) : '');

/** A Slack Block Kit payload as plain text: header, sections, fields, context lines and buttons with their URL. */
export function slackAsText(message: SlackMessage): string {
  const lines: string[] = [];
  for (const block of message.blocks ?? []) {
    const type = (block as Block).type;
    if (type === 'header') lines.push(`# ${textOf(block.text)}`);
    else if (type === 'section') {
      if (block.text) lines.push(textOf(block.text));
      for (const field of (block.fields as unknown[] | undefined) ?? []) lines.push(`  ${textOf(field).replace(/\n/g, ' ')}`);
    } else if (type === 'context') lines.push(((block.elements as unknown[] | undefined) ?? []).map(textOf).join(' '));
    else if (type === 'actions') {
      for (const element of (block.elements as Block[] | undefined) ?? []) lines.push(`[${textOf(element.text)}] ${String(element.url ?? '')}`);
    } else if (type === 'divider') lines.push('---');
  }
  return `${lines.length ? lines.join('\n') : message.text}\n`;
}

const pad = (index: number) => String(index + 1).padStart(2, '0');
const slug = (text: string) =>
  text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 50) || 'message';

export interface CapturedMessages {
  slack: SlackMessage[];
  mails: CapturedMail[];
  sms: SentSms[];
}

/** Writes every message under `dir` (emptied first) and returns the files written, relative to it. */
export function writeCapturedMessages(dir: string, captured: CapturedMessages): string[] {
  rmSync(dir, { recursive: true, force: true });
  for (const sub of ['slack', 'email', 'sms']) mkdirSync(join(dir, sub), { recursive: true });
  const files: string[] = [];
  const write = (path: string, content: string) => {
    writeFileSync(join(dir, path), content);
    files.push(path);
  };
  captured.slack.forEach((message, index) => {
    const name = `slack/${pad(index)}-${slug(message.text)}`;
    write(`${name}.txt`, slackAsText(message));
    write(`${name}.json`, `${JSON.stringify(message, null, 2)}\n`);
  });
  captured.mails.forEach((mail, index) => {
    const name = `email/${pad(index)}-${slug(mail.subject)}`;
    write(`${name}.eml`, mail.raw);
    write(`${name}.html`, mail.html);
  });
  captured.sms.forEach((sms, index) => write(`sms/${pad(index)}-${slug(sms.to)}.txt`, `To: ${sms.to}\nFrom: ${sms.from}\n\n${sms.body}\n`));
  return files;
}
