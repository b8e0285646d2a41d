/**
 * npm run monitor -- <job> [--now <ISO time>] [--scheduled] [--dry-run] [--json] [--<job option> <value>]
 *
 * Runs exactly what the scheduled function runs, against the Firestore the environment names:
 * FIRESTORE_EMULATOR_HOST for an emulator (`npm run firestore` starts one), otherwise the project of
 * GCLOUD_PROJECT (or .firebaserc) with application default credentials.
 *
 * stdout carries the result only (the report, or with --json exactly one JSON document, see
 * docs/cli.md); log lines and errors go to stderr, so `npm run -s monitor -- payment --json | jq` works.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { COLLECTIONS } from '../alerts/model';
import { JOBS, findJob } from '../jobs/catalog';
import { JobFailedError, runJob, UsageError } from '../pipeline/run';
import { firestore, withDeadline } from '../platform/firestore';
import { logToStderr } from '../platform/logger';
import { aliasesOf, applyDeployEnv, formatOrigins, readDeployEnv, summarizeOrigins } from './env';
import { formatRunReport } from './report';

/** How long the CLI waits for Firestore's first answer before it gives up with one line (docs/cli.md). */
export const REACH_TIMEOUT_MS = 10_000;

/** ISO 8601 date-time with an explicit offset: 2026-11-21T08:00:00Z, 2026-11-21T09:00+01:00, fractions allowed. */
const ISO_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})$/i;

/** The instant an ISO 8601 date-time names, or an error message saying what is wrong with it. */
export function parseIsoDateTime(text: string): Date | string {
  const match = ISO_DATE_TIME.exec(text.trim());
  const example = 'examples: 2026-11-21T08:00:00Z, 2026-11-21T09:00:00+01:00';
  if (!match) return `"${text}" is not an ISO 8601 date-time with a time zone (${example})`;
  const [, year, month, day, hour, minute, second = '0'] = match;
  const date = new Date(text.trim());
  // Date would roll 2026-02-30 over to March 2: check that each field is in range.
  const daysInMonth = new Date(Date.UTC(Number(year), Number(month), 0)).getUTCDate();
  if (
    Number.isNaN(date.getTime()) ||
    Number(month) < 1 ||
    Number(month) > 12 ||
    Number(day) < 1 ||
    Number(day) > daysInMonth ||
    Number(hour) > 23 ||
    Number(minute) > 59 ||
    Number(second) > 59
  ) {
    return `"${text}" is not a valid date-time (${example})`;
  }
  return date;
}

/** Demo projects (demo-*) exist only in an emulator: without one, say so instead of asking Google for credentials. */
export function emulatorProblem(project: string, emulatorHost: string | undefined): string | null {
  if (emulatorHost || !project.startsWith('demo-')) return null;
  return [
    `Project "${project}" is a demo project (demo-*), which exists only in an emulator, and FIRESTORE_EMULATOR_HOST is not set.`,
    'Start a local Firestore in another terminal and use the line it prints:',
    '  npm run firestore          # prints: export FIRESTORE_EMULATOR_HOST=127.0.0.1:8080',
    'or run against a real project: GCLOUD_PROJECT=<project id> with application default credentials (gcloud auth application-default login).',
  ].join('\n');
}

export function usage(): string {
  const jobs = JOBS.map((job) => {
    const options = (job.options ?? [])
      .map((option) => `\n      --${option.name} <${option.values.join('|')}>  ${option.description} (default ${option.default})`)
      .join('');
    return `    ${job.name.padEnd(20)} ${job.description}${options}`;
  }).join('\n');
  return [
    'Usage: npm run monitor -- <job> [--now <ISO time>] [--scheduled] [--dry-run] [--json] [--explain] [job options]',
    '       npm run monitor -- doctor [--json]   what the rules can see of the app data (functions/sources.json); exit 1 if a rule is blind',
    '',
    '  --now <ISO time>  evaluate as if it were that instant, an ISO 8601 date-time with a time zone',
    '                    (2026-11-21T08:00:00Z or 2026-11-21T09:00:00+01:00; default: now)',
    '  --scheduled       run as the Cloud Scheduler tick at that instant: windowed rules cover the span since',
    '                    their previous scheduled evaluation and move the coverage cursor (default: the last window only)',
    '  --dry-run         compute and print, write nothing, notify no one',
    '  --json            print the run result as one JSON document on stdout (logs go to stderr; docs/cli.md)',
    '  --explain         list each param and secret with where it comes from, and run nothing',
    '',
    '  Firestore: FIRESTORE_EMULATOR_HOST (npm run firestore starts a local one), else GCLOUD_PROJECT or .firebaserc.',
    '  Params: the environment, else functions/.env.<project> (or .env.<alias>), else functions/.env, as a deploy reads them;',
    '  secrets only from the environment. No answer from Firestore within 10 s: exit 1 with one line.',
    '',
    '  Jobs:',
    jobs || '    (none)',
  ].join('\n');
}

function readFirebaserc(): { projects?: Record<string, string> } | undefined {
  for (const candidate of [resolve(process.cwd(), '.firebaserc'), resolve(process.cwd(), '..', '.firebaserc')]) {
    if (existsSync(candidate)) return JSON.parse(readFileSync(candidate, 'utf8')) as { projects?: Record<string, string> };
  }
  return undefined;
}

/** Null when Firestore answers a read within `timeoutMs`, else the one line that says why not. */
export async function firestoreProblem(project: string, emulatorHost: string | undefined, timeoutMs = REACH_TIMEOUT_MS): Promise<string | null> {
  try {
    await withDeadline(firestore().collection(COLLECTIONS.config).doc('settings').get(), timeoutMs, 'Firestore');
    return null;
  } catch (error) {
    const seconds = Math.round(timeoutMs / 1000);
    const timedOut = (error as Error).name === 'DeadlineExceededError';
    const why = timedOut ? `no answer within ${seconds} s` : ((error as Error).message.split('\n')[0] ?? 'error').slice(0, 300);
    return emulatorHost
      ? `Firestore emulator at ${emulatorHost} is unreachable (${why}): is it running? (npm run firestore starts one and prints its address)`
      : `Firestore of project "${project}" is unreachable (${why}): check the network and the credentials (gcloud auth application-default login).`;
  }
}

export interface MainOptions {
  /** Where the env files are (functions/); tests point it elsewhere. */
  functionsDir?: string;
}

export interface CliOutcome {
  code: number;
  stdout: string;
  stderr: string;
}

export async function main(argv: string[], mainOptions: MainOptions = {}): Promise<CliOutcome> {
  const [jobName, ...rest] = argv;
  if (jobName === 'doctor') {
    process.env.GCLOUD_PROJECT ??= readFirebaserc()?.projects?.default ?? 'demo-monitoring';
    const problem = emulatorProblem(process.env.GCLOUD_PROJECT, process.env.FIRESTORE_EMULATOR_HOST);
    if (problem) return { code: 2, stdout: '', stderr: problem };
    const unreachable = await firestoreProblem(process.env.GCLOUD_PROJECT, process.env.FIRESTORE_EMULATOR_HOST);
    if (unreachable) return { code: 1, stdout: '', stderr: unreachable };
    const { doctorMain } = await import('./doctor');
    return doctorMain(rest);
  }
  if (!jobName || jobName === '--help' || jobName === '-h') {
    return { code: jobName ? 0 : 2, stdout: jobName ? usage() : '', stderr: jobName ? '' : `Missing job name.\n\n${usage()}` };
  }
  const job = findJob(jobName);
  if (!job) return { code: 2, stdout: '', stderr: `Unknown job "${jobName}".\n\n${usage()}` };

  let parsed;
  try {
    parsed = parseArgs({
      args: rest,
      strict: true,
      allowPositionals: false,
      options: {
        now: { type: 'string' },
        'dry-run': { type: 'boolean' },
        scheduled: { type: 'boolean' },
        json: { type: 'boolean' },
        explain: { type: 'boolean' },
        ...Object.fromEntries((job.options ?? []).map((option) => [option.name, { type: 'string' as const }])),
      },
    });
  } catch (error) {
    return { code: 2, stdout: '', stderr: `${(error as Error).message}\n\n${usage()}` };
  }
  const values = parsed.values as Record<string, string | boolean | undefined>;
  let now: Date | undefined;
  if (values.now !== undefined) {
    const parsedNow = parseIsoDateTime(String(values.now));
    if (typeof parsedNow === 'string') return { code: 2, stdout: '', stderr: `--now: ${parsedNow}.\n\n${usage()}` };
    now = parsedNow;
  }
  const jobOptions = Object.fromEntries(
    (job.options ?? []).filter((option) => values[option.name] !== undefined).map((option) => [option.name, String(values[option.name])]),
  );

  const firebaserc = readFirebaserc();
  process.env.GCLOUD_PROJECT ??= firebaserc?.projects?.default ?? 'demo-monitoring';
  const project = process.env.GCLOUD_PROJECT;
  // The params a deploy to this project would set, under whatever the environment already sets.
  let notes = '';
  try {
    const deployEnv = readDeployEnv(mainOptions.functionsDir ?? resolve(__dirname, '..', '..'), project, aliasesOf(firebaserc, project));
    const origins = applyDeployEnv(deployEnv);
    if (values.explain) return { code: 0, stdout: formatOrigins(origins, deployEnv.files), stderr: '' };
    if (values['dry-run']) notes = summarizeOrigins(origins);
  } catch (error) {
    return { code: 2, stdout: '', stderr: (error as Error).message };
  }
  const problem = emulatorProblem(project, process.env.FIRESTORE_EMULATOR_HOST);
  if (problem) return { code: 2, stdout: '', stderr: problem };
  const unreachable = await firestoreProblem(project, process.env.FIRESTORE_EMULATOR_HOST);
  if (unreachable) return { code: 1, stdout: '', stderr: unreachable };
  try {
    const scheduled = Boolean(values.scheduled);
    const at = now ?? new Date();
    const result = await runJob(job.name, {
      trigger: scheduled ? 'schedule' : 'cli',
      now: at,
      ...(scheduled ? { tickMs: at.getTime() } : {}),
      dryRun: Boolean(values['dry-run']),
      options: jobOptions,
    });
    return { code: 0, stdout: values.json ? JSON.stringify(result, null, 2) : formatRunReport(result), stderr: notes };
  } catch (error) {
    if (error instanceof UsageError) return { code: 2, stdout: '', stderr: `${error.message}\n\n${usage()}` };
    if (error instanceof JobFailedError) {
      return { code: 1, stdout: values.json ? JSON.stringify(error.result, null, 2) : formatRunReport(error.result), stderr: error.message };
    }
    return { code: 1, stdout: '', stderr: `Run failed: ${(error as Error).message}` };
  }
}

if (require.main === module) {
  logToStderr();
  main(process.argv.slice(2)).then(
    (outcome) => {
      if (outcome.stdout) process.stdout.write(`${outcome.stdout}\n`);
      if (outcome.stderr) process.stderr.write(`${outcome.stderr}\n`);
      process.exit(outcome.code);
    },
    (error) => {
      process.stderr.write(`${(error as Error).stack ?? error}\n`);
      process.exit(1);
    },
  );
}
