/**
 * Reads against data size: each job runs on N documents per source collection, next to a naive
 * document-scan implementation of the same metrics on the same data, in the same process.
 */
import { deleteApp, getApps, initializeApp } from 'firebase-admin/app';
import { getFirestore } from 'firebase-admin/firestore';
import { defaultConfig } from '../../src/config/schema';
import { runJob } from '../../src/pipeline/run';
import type { LocalServers } from '../servers';
import type { CountingFirestore } from './rpc';
import type { Workload } from './workloads/types';

export interface ReadsRow {
  job: string;
  n: number;
  job_ms: number;
  job_rpcs: number;
  job_documents: number;
  job_billed: number;
  scan_ms: number;
  scan_rpcs: number;
  scan_documents: number;
  scan_billed: number;
  /** scan billed reads / job billed reads. */
  ratio: number;
  /** The job's measured values equal the scan's for every metric compared. */
  valuesMatch: boolean;
  mismatches: string[];
}

export async function measureReads(
  workloads: Workload[],
  sizes: number[],
  counting: CountingFirestore,
  servers: LocalServers,
  log: (line: string) => void,
): Promise<ReadsRow[]> {
  const rows: ReadsRow[] = [];
  const now = new Date(Math.floor(Date.now() / 60_000) * 60_000);
  for (const n of sizes) {
    await Promise.all(getApps().map((app) => deleteApp(app)));
    const projectId = `demo-bench-${n}-${Date.now().toString(36)}`;
    process.env.GCLOUD_PROJECT = projectId;
    initializeApp({ projectId });
    const db = getFirestore();
    const seedStart = Date.now();
    for (const workload of workloads) await workload.seed(db, n, now);
    log(`  seeded N=${n} per collection (${workloads.flatMap((w) => w.collections).length} collections) in ${((Date.now() - seedStart) / 1000).toFixed(1)} s`);

    for (const workload of workloads) {
      servers.reset();
      Object.assign(process.env, servers.env);
      counting.reset();
      const jobStart = process.hrtime.bigint();
      const result = await runJob(workload.job, { trigger: 'cli', now });
      const jobMs = Number(process.hrtime.bigint() - jobStart) / 1e6;
      const jobRpcs = counting.total();

      counting.reset();
      const scanStart = process.hrtime.bigint();
      const scan = await workload.scan(db, now, defaultConfig());
      const scanMs = Number(process.hrtime.bigint() - scanStart) / 1e6;
      const scanRpcs = counting.total();

      const mismatches: string[] = [];
      for (const [name, expected] of Object.entries(scan.values)) {
        const [ruleId, key] = name.split('/');
        const measured = result.evaluations.find((item) => item.ruleId === ruleId && (key === undefined || item.key === key))?.value;
        if (measured === undefined || measured === null || Math.abs(measured - expected) > 1e-9)
          mismatches.push(`${name}: job ${measured} vs scan ${expected}`);
      }
      const scanBilled = Math.max(scan.queries, scan.documents);
      rows.push({
        job: workload.job,
        n,
        job_ms: Math.round(jobMs),
        job_rpcs: jobRpcs,
        job_documents: result.reads.documents,
        job_billed: result.reads.billedReads,
        scan_ms: Math.round(scanMs),
        scan_rpcs: scanRpcs,
        scan_documents: scan.documents,
        scan_billed: scanBilled,
        ratio: scanBilled / result.reads.billedReads,
        valuesMatch: mismatches.length === 0,
        mismatches,
      });
      log(
        `  ${workload.job} N=${n}: job ${Math.round(jobMs)} ms, ${result.reads.billedReads} billed reads; scan ${Math.round(scanMs)} ms, ${scanBilled} reads; values ${mismatches.length ? `DIFFER (${mismatches.join('; ')})` : 'match'}`,
      );
    }
  }
  return rows;
}
