/**
 * npm run monitor -- <job> [--now <ISO time>] [--scheduled] [--dry-run] [--json] [--<job option> <value>]
 *
 * Runs exactly what the scheduled function runs, against the Firestore the environment names:
 * FIRESTORE_EMULATOR_HOST for an emulator, otherwise the project of GCLOUD_PROJECT (or .firebaserc)
 * with application default credentials.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { JOBS, findJob } from '../jobs/catalog';
import { JobFailedError, runJob, UsageError } from '../pipeline/run';
import { formatRunReport } from './report';

export function usage(): string {
  const jobs = JOBS.map((job) => {
    const options = (job.options ?? []).map((option) => `\n      --${option.name} <${option.values.join('|')}>  ${option.description} (default ${option.default})`).join('');
    return `    ${job.name.padEnd(20)} ${job.description}${options}`;
  }).join('\n');
  return [
    'Usage: npm run monitor -- <job> [--now <ISO time>] [--scheduled] [--dry-run] [--json] [job options]',
    '',
    '  --now <ISO time>  evaluate as if it were that instant (default: now)',
    '  --scheduled       run as the Cloud Scheduler tick at that instant: windowed rules cover the span since',
    '                    their previous scheduled evaluation and move the coverage cursor (default: the last window only)',
    '  --dry-run         compute and print, write nothing, notify no one',
    '  --json            print the run result as JSON',
    '',
    '  Jobs:',
    jobs || '    (none)',
  ].join('\n');
}

function projectFromFirebaserc(): string | undefined {
  for (const candidate of [resolve(process.cwd(), '.firebaserc'), resolve(process.cwd(), '..', '.firebaserc')]) {
    if (existsSync(candidate)) {
      const parsed = JSON.parse(readFileSync(candidate, 'utf8')) as { projects?: { default?: string } };
      if (parsed.projects?.default) return parsed.projects.default;
    }
  }
  return undefined;
}

export interface CliOutcome {
  code: number;
  stdout: string;
  stderr: string;
}

export async function main(argv: string[]): Promise<CliOutcome> {
  const [jobName, ...rest] = argv;
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
        ...Object.fromEntries((job.options ?? []).map((option) => [option.name, { type: 'string' as const }])),
      },
    });
  } catch (error) {
    return { code: 2, stdout: '', stderr: `${(error as Error).message}\n\n${usage()}` };
  }
  const values = parsed.values as Record<string, string | boolean | undefined>;
  let now: Date | undefined;
  if (values.now !== undefined) {
    now = new Date(String(values.now));
    if (Number.isNaN(now.getTime())) {
      return { code: 2, stdout: '', stderr: `--now: "${values.now}" is not an ISO date-time (example: 2026-11-21T08:00:00Z).\n\n${usage()}` };
    }
  }
  const jobOptions = Object.fromEntries(
    (job.options ?? []).filter((option) => values[option.name] !== undefined).map((option) => [option.name, String(values[option.name])]),
  );

  process.env.GCLOUD_PROJECT ??= projectFromFirebaserc() ?? 'demo-monitoring';
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
    return { code: 0, stdout: values.json ? JSON.stringify(result, null, 2) : formatRunReport(result), stderr: '' };
  } catch (error) {
    if (error instanceof UsageError) return { code: 2, stdout: '', stderr: `${error.message}\n\n${usage()}` };
    if (error instanceof JobFailedError) {
      return { code: 1, stdout: values.json ? JSON.stringify(error.result, null, 2) : formatRunReport(error.result), stderr: error.message };
    }
    return { code: 1, stdout: '', stderr: `Run failed: ${(error as Error).message}` };
  }
}

if (require.main === module) {
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
