/**
 * npm run dashboard: the dashboard on this machine, with the demo data (see stack.ts). Prints the URL
 * and the demo logins; while it is up every job runs on its schedule (schedule.ts), as deployed.
 * Ctrl-C stops every part (emulators, Firestore, local servers, scheduler) and removes the files it
 * wrote, among them the environment file of the `npm run monitor` command it prints.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PARAMS } from '../../src/config/params';
import { JOBS } from '../../src/jobs/catalog';
import { runJob } from '../../src/pipeline/run';
import { exportLines } from '../shellEnv';
import { startLocalSchedule } from './schedule';
import { DEMO_ADMIN, DEMO_USER, startDashboardStack } from './stack';

async function main(): Promise<void> {
  const port = Number(process.env.DASHBOARD_PORT ?? 5173);
  const stack = await startDashboardStack({ dashboardPort: port, log: (line) => process.stdout.write(`- ${line}\n`) });
  // What a job run by hand needs to behave like the stack's own runs: its Firestore, project, params, local secrets and vendor URLs.
  const envDir = mkdtempSync(join(tmpdir(), 'dashboard-monitor-'));
  const envFile = join(envDir, 'monitor.env');
  const names = [
    'FIRESTORE_EMULATOR_HOST',
    'GCLOUD_PROJECT',
    ...PARAMS.map((entry) => entry.param.name),
    'TWILIO_API_BASE_URL',
    'STRIPE_API_BASE_URL',
    'PAYPAL_API_BASE_URL',
  ];
  writeFileSync(envFile, `${exportLines({ ...process.env, FIRESTORE_EMULATOR_HOST: stack.firestoreHost, GCLOUD_PROJECT: stack.projectId }, names)}\n`, {
    mode: 0o600,
  });
  const schedule = startLocalSchedule({
    jobs: JOBS,
    since: stack.now.getTime(),
    run: (due) =>
      runJob(due.job, { trigger: 'schedule', now: due.at, tickMs: due.at.getTime() }).catch((error: { result?: unknown }) =>
        error.result ? undefined : Promise.reject(error),
      ),
    log: (line) => process.stdout.write(`- ${line}\n`),
  });
  const links = stack.servers.smtp.mails.map((mail) => /Acknowledge: (\S+)/.exec(mail.text)?.[1]).filter(Boolean);
  process.stdout.write(
    [
      '',
      `Dashboard:  ${stack.url}`,
      `Admin:      ${DEMO_ADMIN.email} / ${DEMO_ADMIN.password}`,
      `Not admin:  ${DEMO_USER.email} / ${DEMO_USER.password}`,
      `Emails captured by the local SMTP server: ${stack.servers.smtp.mails.length}${links.length ? `; an acknowledge link from one of them:\n            ${links[0]}` : ''}`,
      'Jobs run on their schedule while this is up (fast and probes every 5 min, watchdog every 15; README, Jobs).',
      `Run one by hand with the stack's Firestore, params and local servers: (. ${envFile} && npm run monitor -- <job>)`,
      'Ctrl-C to stop.',
      '',
    ].join('\n'),
  );
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    process.stdout.write('\nStopping…\n');
    await schedule.stop();
    rmSync(envDir, { recursive: true, force: true });
    await stack.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

main().catch((error: unknown) => {
  process.stderr.write(`Dashboard failed to start: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
