/**
 * npm run setup: the params and secrets of a first deploy, asked one by one. For each param it shows
 * the description and what needs it, offers the current value (functions/.env.<project>) or the
 * default, refuses example values and malformed ones, and writes functions/.env.<project>; then, for
 * each secret, it runs `firebase functions:secrets:set` (firebase-tools asks for the value, hidden)
 * unless told to skip. The dashboard's Hosting site is asked first: DASHBOARD_ORIGINS and
 * ACK_LINK_BASE_URL are derived from it.
 *
 *   npm run setup                          # project of .firebaserc (npm run firebase -- use <project-id> --alias default), or GCLOUD_PROJECT
 *   npm run setup -- --project <id>
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface, type Interface } from 'node:readline/promises';
import { OPT_OUT, PARAMS, placeholderReason, type ParamEntry } from '../config/params';
import { readDeployEnv } from './env';

const EMAIL = /^[^\s@<>,]+@[^\s@<>,]+\.[^\s@<>,]+$/;
const E164 = /^\+[1-9]\d{6,14}$/;
const HTTPS_URL = /^https:\/\/[^\s/?#]+(\/[^\s]*)?$/;
const ORIGIN = /^https?:\/\/[a-z0-9.-]+(:\d{1,5})?$/i;

/** Format rules beyond "not an example": the reason a value is refused, or null. */
const FORMATS: Record<string, (value: string) => string | null> = {
  ALERT_EMAIL_FROM: (value) => (EMAIL.test(/<([^>]+)>\s*$/.exec(value)?.[1] ?? value) ? null : 'an email address, optionally as "Name <address>"'),
  ALERT_EMAIL_TO: (value) => (items(value).every((item) => EMAIL.test(item)) ? null : 'comma-separated email addresses'),
  TWILIO_ACCOUNT_SID: (value) => (/^AC[0-9a-f]{32}$/.test(value) ? null : 'AC followed by 32 hexadecimal characters (Twilio console)'),
  TWILIO_FROM_NUMBER: (value) => (E164.test(value) ? null : 'a phone number in E.164 form (+33612345678)'),
  ALERT_SMS_TO: (value) => (items(value).every((item) => E164.test(item)) ? null : 'comma-separated phone numbers in E.164 form'),
  PAYPAL_ENVIRONMENT: (value) => (['live', 'sandbox'].includes(value) ? null : 'live or sandbox'),
  RUNBOOK_BASE_URL: (value) => (HTTPS_URL.test(value) ? null : 'an https:// URL'),
  ACK_LINK_BASE_URL: (value) => (HTTPS_URL.test(value.replaceAll('{project}', 'p')) ? null : 'an https:// URL'),
  DASHBOARD_ORIGINS: (value) => (items(value).every((item) => ORIGIN.test(item)) ? null : 'comma-separated origins, scheme://host[:port] without a path'),
  ADMIN_ENFORCE_APP_CHECK: (value) => (['true', 'false'].includes(value) ? null : 'true or false'),
  MONITORING_SERVICE_ACCOUNT: (value) =>
    value === 'default' || /^[a-z][a-z0-9-]{4,28}[a-z0-9]@([a-z0-9.-]+\.iam\.gserviceaccount\.com)?$/.test(value)
      ? null
      : 'default, name@ or a service account email',
};
const items = (value: string) =>
  value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);

/** Why `value` cannot be `entry`'s value, or null when it can. */
export function paramProblem(entry: ParamEntry, value: string): string | null {
  const text = value.trim();
  if (!text) return entry.defaultValue === undefined ? 'a value is needed' : null;
  if (text.toLowerCase() === OPT_OUT) return entry.optOut ? null : `${OPT_OUT} is not allowed here (the param has a default)`;
  const placeholder = placeholderReason(text);
  if (placeholder) return `an example value: ${placeholder}`;
  return FORMATS[entry.param.name]?.(text) ?? null;
}

/** The values derived from the dashboard's Hosting site name. */
export function siteDefaults(site: string): Record<string, string> {
  return {
    DASHBOARD_ORIGINS: `https://${site}.web.app,https://${site}.firebaseapp.com`,
    ACK_LINK_BASE_URL: `https://${site}.web.app/ack`,
  };
}

export function envFileText(project: string, values: Record<string, string>): string {
  const lines = PARAMS.filter((entry) => entry.kind !== 'secret' && values[entry.param.name] !== undefined).map(
    (entry) => `${entry.param.name}=${JSON.stringify(values[entry.param.name])}`,
  );
  return `# Params of ${project}, written by npm run setup (check them with npm run check:env). No secrets here.\n${lines.join('\n')}\n`;
}

export interface SetupIO {
  rl: Pick<Interface, 'question'>;
  write: (text: string) => void;
  /** Runs `firebase functions:secrets:set NAME` for a secret (firebase-tools asks for the value). */
  setSecret: (name: string) => boolean;
}

export async function setup(functionsDir: string, project: string, io: SetupIO): Promise<number> {
  const existing = readDeployEnv(functionsDir, project).values;
  const values: Record<string, string> = {};
  const ask = async (prompt: string, fallback: string | undefined) =>
    (await io.rl.question(`${prompt}${fallback ? ` [${fallback}]` : ''}: `)).trim() || fallback || '';

  io.write(`Params of ${project}, one by one (Enter keeps the value in brackets; ${OPT_OUT} goes without an optional feature).\n\n`);
  const site = await ask("The dashboard's own Hosting site (npm run firebase -- hosting:sites:create <site>)", `${project}-monitoring`);
  const derived = siteDefaults(site);
  for (const entry of PARAMS.filter((item) => item.kind !== 'secret')) {
    const name = entry.param.name;
    io.write(`\n${name} (${entry.usedBy}): ${entry.description}\n`);
    const current = existing[name] ?? derived[name] ?? entry.defaultValue;
    for (;;) {
      const answer = await ask(name, current && !placeholderReason(current) ? current : undefined);
      const problem = paramProblem(entry, answer);
      if (!problem) {
        values[name] = answer || entry.defaultValue!;
        break;
      }
      io.write(`  Not accepted: ${problem}.\n`);
    }
  }
  const file = join(functionsDir, `.env.${project}`);
  writeFileSync(file, envFileText(project, values));
  io.write(`\nWrote functions/.env.${project}.\n`);

  const secrets = PARAMS.filter((entry) => entry.kind === 'secret');
  const answer = (
    await ask(`\nSet the ${secrets.length} secrets in Secret Manager now (firebase-tools asks for each value, hidden)? yes/no`, 'yes')
  ).toLowerCase();
  if (answer.startsWith('y')) {
    for (const entry of secrets) {
      io.write(`\n${entry.param.name} (${entry.usedBy}): ${entry.description}\n`);
      if (!io.setSecret(entry.param.name)) io.write(`  Not set: run npm run firebase -- functions:secrets:set ${entry.param.name} later.\n`);
    }
  } else io.write(`Secrets not set: npm run firebase -- functions:secrets:set <NAME> for ${secrets.map((entry) => entry.param.name).join(', ')}.\n`);
  io.write(`\nNext: GCLOUD_PROJECT=${project} npm run check:env, then the README's Deploy steps (indexes, npm run deploy).\n`);
  return 0;
}

if (require.main === module) {
  const args = process.argv.slice(2);
  const rc = [resolve(process.cwd(), '.firebaserc'), resolve(process.cwd(), '..', '.firebaserc')].find((path) => existsSync(path));
  const fromRc = rc ? (JSON.parse(readFileSync(rc, 'utf8')) as { projects?: { default?: string } }).projects?.default : undefined;
  const project = args.includes('--project') ? args[args.indexOf('--project') + 1] : (process.env.GCLOUD_PROJECT ?? fromRc);
  if (!project || project.startsWith('demo-')) {
    process.stderr.write(
      `No real project (${project ?? 'none'}): run npm run firebase -- use <project-id> --alias default first, or npm run setup -- --project <project-id>.\n`,
    );
    process.exit(2);
  }
  const functionsDir = resolve(__dirname, '..', '..');
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  const firebase = join(functionsDir, 'node_modules', '.bin', 'firebase');
  setup(functionsDir, project, {
    rl,
    write: (text) => process.stdout.write(text),
    setSecret: (name) => {
      rl.pause();
      const result = spawnSync(firebase, ['functions:secrets:set', name, '--project', project], { stdio: 'inherit', cwd: resolve(functionsDir, '..') });
      rl.resume();
      return result.status === 0;
    },
  }).then(
    (code) => {
      rl.close();
      process.exit(code);
    },
    (error) => {
      rl.close();
      process.stderr.write(`setup failed: ${(error as Error).message}\n`);
      process.exit(1);
    },
  );
}
