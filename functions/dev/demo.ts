/**
 * npm start: the product on this machine, nothing leaving it. Starts an embedded Firestore and local
 * stand-ins for every vendor, seeds an incident scenario, runs every scheduled job once with the
 * same code as the Cloud Functions, and prints what was found and what each channel received.
 * Options: --verbose prints each run's full report; --json prints the run results as JSON;
 * --app <name> runs the same scenario for the app configured by dev/apps/<name>/sources.json (its own
 * collection, field and status names: docs/integration.md).
 * --out <dir> is where the captured messages go (default demo-output/ at the repository root).
 * Progress goes to stderr as it happens; the report to stdout at the end.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { deleteApp, getApp, initializeApp } from 'firebase-admin/app';
import { getFirestore, type Firestore } from 'firebase-admin/firestore';
import { COLLECTIONS, type AlertDoc, type DeliveryDoc } from '../src/alerts/model';
import { acknowledge } from '../src/admin/alerts';
import { formatRunReport } from '../src/cli/report';
import { JOBS } from '../src/jobs/catalog';
import { runJob, type RunResult } from '../src/pipeline/run';
import { Meter } from '../src/platform/firestore';
import { ALERT_COLLECTIONS, SEVERITIES } from '../src/rules';
import { RULES } from '../src/rules';
import { activeSources, readSourcesFile, useSources } from '../src/sources';
import { runDoctor } from '../src/sources/doctor';
import { writeCapturedMessages } from './captured';
import { startFirestore } from './emulator';
import { SCENARIO } from './scenario';
import { startLocalServers } from './servers';
import { appSourcesPath, demoApps } from './sourceFiles';

async function main(): Promise<void> {
  const verbose = process.argv.includes('--verbose');
  const json = process.argv.includes('--json');
  const appIndex = process.argv.indexOf('--app');
  const app = appIndex >= 0 ? process.argv[appIndex + 1] : undefined;
  if (appIndex >= 0 && (!app || !demoApps().includes(app))) {
    throw new Error(`--app: expected one of ${demoApps().join(', ')} (dev/apps/<name>/sources.json), got ${app ?? 'nothing'}`);
  }
  // The app's own names come from its mapping only: the code and the scenario are the same.
  if (app) useSources(readSourcesFile(appSourcesPath(app)));
  const outIndex = process.argv.indexOf('--out');
  const outDir = resolve(process.env.INIT_CWD ?? process.cwd(), outIndex > 0 ? process.argv[outIndex + 1] : resolve(__dirname, '..', '..', 'demo-output'));
  const started = Date.now();
  const step = (text: string) => process.stderr.write(`[${((Date.now() - started) / 1000).toFixed(0).padStart(3)} s] ${text}\n`);
  process.env.MONITORING_LOG_LEVEL ??= verbose ? 'info' : 'error';
  step('Starting the embedded Firestore and the local Slack/SMTP/Twilio/Sentry/Stripe/PayPal servers');
  const firestore = await startFirestore();
  const servers = await startLocalServers();
  Object.assign(process.env, servers.env, {
    MONITORING_ENVIRONMENT: 'demo',
    // The runbook of this checkout: links in the demo's messages open locally.
    RUNBOOK_BASE_URL: process.env.RUNBOOK_BASE_URL ?? pathToFileURL(resolve(__dirname, '..', '..', 'docs', 'runbook.md')).href,
  });
  const now = new Date(Math.floor(Date.now() / 60_000) * 60_000);
  const out: string[] = [];
  const print = (line = '') => out.push(line);

  // Before: the same storm, one message per alert and no inhibition (a separate project on the same emulator).
  const useProject = async (projectId: string): Promise<Firestore> => {
    try {
      await deleteApp(getApp());
    } catch {
      // no app yet
    }
    process.env.GCLOUD_PROJECT = projectId;
    initializeApp({ projectId });
    return getFirestore();
  };
  step(`Baseline: the same storm with grouping and inhibition off, every job once (${JOBS.length} jobs)`);
  const beforeDb = await useProject('demo-monitoring-before');
  for (const part of SCENARIO) await part.seed({ db: beforeDb, now, servers });
  await beforeDb
    .collection('monitoring_config')
    .doc('settings')
    .set({ grouping: { by: 'none' }, inhibition: { enabled: false } }, { merge: true });
  for (const job of JOBS) await runJob(job.name, { trigger: 'cli', now }).catch(() => undefined);
  const before = { slack: servers.slack.messages.length, email: servers.smtp.mails.length, sms: servers.twilio.sms.length, pagerduty: servers.pagerduty.pages };
  servers.reset();

  const db = await useProject('demo-monitoring');

  print(
    `Demo: ${firestore.embedded ? 'embedded Firestore emulator' : `Firestore emulator at ${firestore.host}`}, local Slack/SMTP/Twilio/PagerDuty/Sentry servers, evaluated at ${now.toISOString()}`,
  );
  print();
  print(app ? `App: ${app} (source mapping dev/apps/${app}/sources.json)` : 'App: the default data model (functions/sources.json absent: docs/data-model.md)');
  print('Scenario seeded:');
  for (const part of SCENARIO) {
    await part.seed({ db, now, servers });
    for (const line of part.story) print(`  - ${line}`);
  }
  // What the rules can see of the seeded data (npm run monitor -- doctor), read-only.
  const doctor = await runDoctor(db, activeSources(), RULES, now);
  const visibility = (kind: string) => doctor.rules.filter((rule) => rule.visibility === kind);
  print(
    `Doctor: ${visibility('ok').length} rules see their data, ${visibility('off').length} off by the mapping${
      visibility('off').length
        ? ` (${visibility('off')
            .map((rule) => rule.id)
            .join(', ')})`
        : ''
    }, ${visibility('unverified').length} with nothing to check yet, ${visibility('blind').length} blind; ${doctor.billedReads} billed reads`,
  );

  const results: RunResult[] = [];
  print();
  print('Runs:');
  for (const [index, job] of JOBS.entries()) {
    step(`Running ${job.name} (${index + 1}/${JOBS.length})`);
    const result = await runJob(job.name, { trigger: 'cli', now }).catch((error: { result?: RunResult }) => {
      if (error.result) return error.result;
      throw error;
    });
    results.push(result);
    print(
      `  ${job.name.padEnd(20)} ${result.outcome.padEnd(8)} ${String(result.alerts.opened.length).padStart(2)} opened, ${result.alerts.resolved.length} resolved, ${result.deliveries.filter((d) => d.status === 'sent').length} messages sent, ~${result.reads.billedReads} billed reads, ${result.durationMs} ms`,
    );
    if (verbose) print(formatRunReport(result).replace(/^/gm, '    '));
  }
  if (JOBS.length === 0) print('  (no jobs registered)');

  const alerts: AlertDoc[] = [];
  for (const collection of Object.values(ALERT_COLLECTIONS)) {
    const snapshot = await db.collection(collection).where('resolved', '==', false).get();
    alerts.push(...snapshot.docs.map((doc) => doc.data() as AlertDoc));
  }
  const openedIds = new Set(results.flatMap((result) => result.alerts.opened.map((change) => change.alertId)));
  const alreadyOpen = alerts.filter((alert) => !openedIds.has(alert.id)).length;
  print();
  print(
    `Open alerts (${alerts.length}${alreadyOpen ? `: ${alerts.length - alreadyOpen} opened by these runs, ${alreadyOpen} seeded already open by the scenario` : ''}):`,
  );
  for (const severity of [...SEVERITIES].reverse()) {
    const group = alerts.filter((alert) => alert.severity === severity);
    if (group.length === 0) continue;
    print(`  ${severity.toUpperCase()} (${group.length})`);
    for (const alert of group) {
      print(`    ${alert.title}`);
      print(`      ${alert.message}`);
      if (alert.domain === 'functional') print(`      impact: ${alert.impact}\n      do: ${alert.suggestedAction}`);
    }
  }

  print();
  print(`Slack received ${servers.slack.messages.length} message(s):`);
  for (const message of servers.slack.messages) print(`  - ${message.text}`);
  print(`Email received ${servers.smtp.mails.length} message(s):`);
  for (const mail of servers.smtp.mails) print(`  - to ${mail.to.join(', ')}: ${mail.subject}`);
  print(`SMS sent ${servers.twilio.sms.length}:`);
  for (const sms of servers.twilio.sms) print(`  - to ${sms.to}: ${sms.body}`);
  print(`PagerDuty received ${servers.pagerduty.events.length} event(s), ${servers.pagerduty.pages} incident(s):`);
  for (const event of servers.pagerduty.events)
    print(`  - ${event.event_action} ${event.dedup_key}${event.payload ? ` (${event.payload.severity}): ${event.payload.summary}` : ''}`);
  print(`Dead man's switch received ${servers.heartbeat.pings.length} ping(s): ${servers.heartbeat.pings.map((ping) => ping.kind).join(', ') || 'none'}`);
  const failed = results.filter((result) => result.outcome === 'failed');

  // Grouping and inhibition, measured: messages per channel for the same storm, and per run.
  const after = { slack: servers.slack.messages.length, email: servers.smtp.mails.length, sms: servers.twilio.sms.length, pagerduty: servers.pagerduty.pages };
  const phones = new Set(servers.twilio.sms.map((sms) => sms.to)).size || 1;
  print();
  print('Messages per channel for this storm (every job once):');
  print(`  ${''.padEnd(34)} ${'before'.padStart(7)} ${'after'.padStart(7)}`);
  print(`  ${'Slack'.padEnd(34)} ${String(before.slack).padStart(7)} ${String(after.slack).padStart(7)}`);
  print(`  ${'Email'.padEnd(34)} ${String(before.email).padStart(7)} ${String(after.email).padStart(7)}`);
  print(`  ${`SMS (${phones} phones)`.padEnd(34)} ${String(before.sms).padStart(7)} ${String(after.sms).padStart(7)}`);
  print(`  ${'PagerDuty incidents'.padEnd(34)} ${String(before.pagerduty).padStart(7)} ${String(after.pagerduty).padStart(7)}`);
  print('  before: grouping.by none, inhibition off (one message per alert); after: the defaults (grouping.by all, inhibition on)');
  const sent = (await db.collection(COLLECTIONS.deliveries).where('status', '==', 'sent').get()).docs.map((doc) => doc.data() as DeliveryDoc);
  const perRun = new Map<string, number>();
  for (const delivery of sent) {
    const key = `${delivery.runId}|${delivery.channel}|${delivery.severity}`;
    perRun.set(key, (perRun.get(key) ?? 0) + 1);
  }
  const worst = Math.max(0, ...perRun.values());
  const opened = results.flatMap((result) => result.alerts.opened.map((change) => change.alertId));
  const all: AlertDoc[] = [];
  for (const collection of Object.values(ALERT_COLLECTIONS)) all.push(...(await db.collection(collection).get()).docs.map((doc) => doc.data() as AlertDoc));
  const openedDocs = all.filter((alert) => opened.includes(alert.id));
  const inhibited = openedDocs.filter((alert) => alert.inhibitedBy);
  const untold = openedDocs.filter((alert) => !alert.inhibitedBy && !alert.silencedBy && alert.notifiedChannels.length === 0);
  print(`  most messages one run sent to one channel at one severity: ${worst} (SMS: one per phone)`);
  print(
    `  alerts opened: ${openedDocs.length}; in a sent message: ${openedDocs.length - inhibited.length - untold.length}; inhibited (recorded, not notified): ${inhibited.length}${inhibited.length ? ` (${inhibited.map((alert) => `${alert.ruleId} by ${alert.inhibitedBy}`).join(', ')})` : ''}; not told: ${untold.length}${untold.length ? ` (${untold.map((alert) => alert.id).join(', ')})` : ''}`,
  );

  // The incident tool follows the alert: acknowledging an alert in the dashboard (or by link)
  // acknowledges its PagerDuty incident at the next run of any job (here the fast job).
  const paged = servers.pagerduty.incidents[0];
  if (paged) {
    await acknowledge({ meter: new Meter(db), now, uid: 'demo-admin' }, paged.dedupKey);
    await runJob('fast', { trigger: 'cli', now: new Date(now.getTime() + 5 * 60_000) }).catch(() => undefined);
    const last = servers.pagerduty.events.at(-1);
    print();
    print(
      `Acknowledged ${paged.dedupKey} in the dashboard; the next run sent PagerDuty: ${last?.event_action ?? 'nothing'} ${last?.dedup_key ?? ''}; incident ${paged.status}.`,
    );
  }

  step(`Writing the captured messages to ${outDir}`);
  const files = writeCapturedMessages(outDir, { slack: servers.slack.messages, mails: servers.smtp.mails, sms: servers.twilio.sms });
  print();
  print(`Captured messages (${files.length} files) in ${outDir}:`);
  print(`  slack/*.txt   each Slack message as text (buttons with their link), *.json as posted`);
  print(`  email/*.eml   each email as sent (opens in a mail client), *.html its HTML part`);
  print(`  sms/*.txt     each SMS with its recipient`);
  print();
  print('Next:');
  print('  npm run dashboard                      the admin dashboard on this data (http://localhost:5173, login printed)');
  print('  npm start -- --verbose                 every run in full');
  print("  npm run monitor -- --help              one job by hand (docs/cli.md); the README's Deploy section for a real project");

  await servers.stop();
  await firestore.stop();
  step('Done');
  if (json) process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
  else process.stdout.write(`${out.join('\n')}\n`);
  if (failed.length) {
    process.stderr.write(`Failed runs: ${failed.map((result) => `${result.job}: ${result.error}`).join('; ')}\n`);
    process.exit(1);
  }
  process.exit(0);
}

main().catch((error: unknown) => {
  process.stderr.write(`Demo failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
