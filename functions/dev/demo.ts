/**
 * npm start: the product on this machine, nothing leaving it. Starts an embedded Firestore and local
 * stand-ins for every vendor, seeds an incident scenario, runs every scheduled job once with the
 * same code as the Cloud Functions, and prints what was found and what each channel received.
 * Options: --verbose prints each run's full report; --json prints the run results as JSON.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { initializeApp } from 'firebase-admin/app';
import { getFirestore } from 'firebase-admin/firestore';
import type { AlertDoc } from '../src/alerts/model';
import { formatRunReport } from '../src/cli/report';
import { JOBS } from '../src/jobs/catalog';
import { runJob, type RunResult } from '../src/pipeline/run';
import { ALERT_COLLECTIONS, SEVERITIES } from '../src/rules';
import { startFirestore } from './emulator';
import { SCENARIO } from './scenario';
import { startLocalServers } from './servers';

async function main(): Promise<void> {
  const verbose = process.argv.includes('--verbose');
  const json = process.argv.includes('--json');
  process.env.MONITORING_LOG_LEVEL ??= verbose ? 'info' : 'error';
  const firestore = await startFirestore();
  const servers = await startLocalServers();
  Object.assign(process.env, servers.env, {
    GCLOUD_PROJECT: 'demo-monitoring',
    MONITORING_ENVIRONMENT: 'demo',
    // The runbook of this checkout: links in the demo's messages open locally.
    RUNBOOK_BASE_URL: process.env.RUNBOOK_BASE_URL ?? pathToFileURL(resolve(__dirname, '..', '..', 'docs', 'runbook.md')).href,
  });
  initializeApp({ projectId: 'demo-monitoring' });
  const db = getFirestore();
  const now = new Date(Math.floor(Date.now() / 60_000) * 60_000);
  const out: string[] = [];
  const print = (line = '') => out.push(line);

  print(`Demo: ${firestore.embedded ? 'embedded Firestore emulator' : `Firestore emulator at ${firestore.host}`}, local Slack/SMTP/Twilio/Sentry servers, evaluated at ${now.toISOString()}`);
  print();
  print('Scenario seeded:');
  for (const part of SCENARIO) {
    await part.seed({ db, now, servers });
    for (const line of part.story) print(`  - ${line}`);
  }

  const results: RunResult[] = [];
  print();
  print('Runs:');
  for (const job of JOBS) {
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
  print();
  print(`Open alerts (${alerts.length}):`);
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
  const failed = results.filter((result) => result.outcome === 'failed');

  await servers.stop();
  await firestore.stop();
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
