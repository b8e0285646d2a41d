/**
 * npm run dashboard: the dashboard on this machine, with the demo data (see stack.ts). Prints the URL
 * and the demo logins; Ctrl-C stops every part (emulators, Firestore, local servers) and removes the
 * files it wrote.
 */
import { DEMO_ADMIN, DEMO_USER, startDashboardStack } from './stack';

async function main(): Promise<void> {
  const port = Number(process.env.DASHBOARD_PORT ?? 5173);
  const stack = await startDashboardStack({ dashboardPort: port, log: (line) => process.stdout.write(`- ${line}\n`) });
  const links = stack.servers.smtp.mails.map((mail) => /Acknowledge: (\S+)/.exec(mail.text)?.[1]).filter(Boolean);
  process.stdout.write(
    [
      '',
      `Dashboard:  ${stack.url}`,
      `Admin:      ${DEMO_ADMIN.email} / ${DEMO_ADMIN.password}`,
      `Not admin:  ${DEMO_USER.email} / ${DEMO_USER.password}`,
      `Emails captured by the local SMTP server: ${stack.servers.smtp.mails.length}${links.length ? `; an acknowledge link from one of them:\n            ${links[0]}` : ''}`,
      `Jobs do not run on a schedule here: use the Actions page, or FIRESTORE_EMULATOR_HOST=${stack.firestoreHost} GCLOUD_PROJECT=${stack.projectId} npm run monitor -- <job>`,
      'Ctrl-C to stop.',
      '',
    ].join('\n'),
  );
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    process.stdout.write('\nStopping…\n');
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
