/**
 * npm run bench -- sources [--sizes 1000,10000]: what watching the app's own inputs costs. For each
 * size N, N payments and N analytics events (three weeks of history at a steady rate) are written,
 * then: the doctor (npm run monitor -- doctor) over every source, and one run of the sources job
 * (runSourceHealthCheck, hourly) while the data is fresh and while every source has been silent for
 * 5 hours at an hour that usually has data (each silent source costs its weekly counts). Billed reads
 * are the Meter's (RunResult.metrics.reads: the check's own reads; the run adds its configuration and
 * the alert writes). Section 7 of docs/performance.md.
 */
import { getApps, deleteApp, initializeApp } from 'firebase-admin/app';
import { getFirestore, Timestamp, type Firestore } from 'firebase-admin/firestore';
import { runJob } from '../../src/pipeline/run';
import { RULES } from '../../src/rules';
import { activeSources } from '../../src/sources';
import { runDoctor } from '../../src/sources/doctor';

export const SOURCES_TITLE = '## 7. Watching the app data: the doctor and the sources check';
const HOUR = 3_600_000;

export interface SourcesRow {
  n: number;
  doctorReads: number;
  doctorMs: number;
  freshReads: number;
  silentReads: number;
  silentAlerts: number;
}

async function project(id: string): Promise<Firestore> {
  await Promise.all(getApps().map((app) => deleteApp(app)));
  process.env.GCLOUD_PROJECT = id;
  initializeApp({ projectId: id });
  return getFirestore();
}

async function seed(db: Firestore, n: number, lastMs: number): Promise<void> {
  const spacing = Math.floor((21 * 24 * HOUR) / n);
  let batch = db.batch();
  for (let index = 0; index < n; index += 1) {
    const at = Timestamp.fromMillis(lastMs - index * spacing);
    const failed = index % 20 === 0;
    batch.set(db.collection('payments').doc(), {
      provider: index % 3 ? 'stripe' : 'paypal',
      status: failed ? 'failed' : 'captured',
      createdAt: at,
      authorizedAt: at,
      ...(failed ? { failedAt: at, failureCode: 'card_declined' } : { capturedAt: at }),
      amount: 6_000,
      currency: 'EUR',
    });
    batch.set(db.collection('analytics_events').doc(), {
      eventType: index % 4 ? 'booking_search' : 'signup_page_view',
      formName: 'signup_client',
      timestamp: at,
      sessionId: `s${index}`,
    });
    if ((index + 1) % 200 === 0) {
      await batch.commit();
      batch = db.batch();
    }
  }
  await batch.commit();
}

export async function measureSources(sizes: readonly number[], log: (line: string) => void): Promise<SourcesRow[]> {
  const rows: SourcesRow[] = [];
  const now = new Date('2026-11-25T08:20:00Z');
  for (const n of sizes) {
    log(`  sources: N = ${n}`);
    const fresh = await project(`demo-bench-sources-fresh-${n}`);
    await seed(fresh, n, now.getTime() - 60_000);
    const started = performance.now();
    const doctor = await runDoctor(fresh, activeSources(), RULES, now);
    const doctorMs = Math.round(performance.now() - started);
    const freshRun = await runJob('sources', { trigger: 'cli', now, tickMs: now.getTime() });
    const silent = await project(`demo-bench-sources-silent-${n}`);
    await seed(silent, n, now.getTime() - 5 * HOUR);
    const silentRun = await runJob('sources', { trigger: 'cli', now, tickMs: now.getTime() });
    rows.push({
      n,
      doctorReads: doctor.billedReads,
      doctorMs,
      freshReads: Number(freshRun.metrics.reads),
      silentReads: Number(silentRun.metrics.reads),
      silentAlerts: silentRun.alerts.opened.length,
    });
  }
  return rows;
}

export function sourcesSection(rows: SourcesRow[], command: string, machine: string): string {
  return [
    SOURCES_TITLE,
    '',
    `\`${command}\` on ${machine}. For each N: N payments and N analytics events spread over three weeks, the other sources empty.`,
    'The doctor reads every source once (capped count, a sample of 50, one ordered read per time field, 10 documents per conditional field); the sources check (hourly) reads the newest document of each watched source, 3 weekly counts for each silent one, and samples one source (10 documents). Targets: the check at most 50 billed reads at any size, the doctor a few hundred.',
    '',
    '| N per collection | doctor billed reads | doctor ms | sources check reads, data fresh | sources check reads, every source silent 5 h | alerts opened (silent) |',
    '|---|---|---|---|---|---|',
    ...rows.map(
      (row) => `| ${row.n.toLocaleString('en-US')} | ${row.doctorReads} | ${row.doctorMs} | ${row.freshReads} | ${row.silentReads} | ${row.silentAlerts} |`,
    ),
    '',
  ].join('\n');
}
