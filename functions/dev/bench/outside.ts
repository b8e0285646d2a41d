/**
 * Checks from the outside: billed reads, writes and wall time of one steady-state run of the probes
 * job (per number of endpoints) and of the delivery job (email_logs of a given size, a Twilio message
 * list), and what that makes per day at their schedules.
 */
import { deleteApp, getApps, initializeApp } from 'firebase-admin/app';
import { getFirestore, Timestamp } from 'firebase-admin/firestore';
import type { Firestore } from 'firebase-admin/firestore';
import { findJob, JOBS } from '../../src/jobs/catalog';
import { runJob, type RunResult } from '../../src/pipeline/run';
import type { LocalServers } from '../servers';

export interface OutsideRow {
  job: string;
  case: string;
  runsPerDay: number;
  wallMs: number;
  billedReads: number;
  /** Billed reads of the job's own measurement (the rest is config, heartbeats, silences, escalation). */
  ownReads: number;
  writes: number;
}

async function freshDb(name: string) {
  await Promise.all(getApps().map((app) => deleteApp(app)));
  const projectId = `demo-bench-${name}-${Date.now().toString(36)}`;
  process.env.GCLOUD_PROJECT = projectId;
  initializeApp({ projectId });
  return getFirestore();
}

// Runs per day of a job on an every-N-minutes, hourly or daily schedule (the only shapes used here).
function runsPerDay(job: string): number {
  const schedule = findJob(job)!.schedule;
  if (schedule.startsWith('*/')) return (24 * 60) / Number(schedule.split(' ')[0].slice(2));
  if (schedule.split(' ')[1] === '*') return 24;
  return 1;
}

/** Every job ran successfully just before `at`: the measured run sees healthy heartbeats, as in production. */
async function freshHeartbeats(db: Firestore, at: Date): Promise<void> {
  const batch = db.batch();
  for (const job of JOBS) {
    batch.set(db.collection('monitoring_jobs').doc(job.name), {
      job: job.name,
      exportName: job.exportName,
      periodMinutes: job.periodMinutes,
      lastSuccessAt: Timestamp.fromMillis(at.getTime() - 60_000),
      lastOutcome: 'success',
      consecutiveFailures: 0,
    });
  }
  await batch.commit();
}

const row = (job: string, label: string, result: RunResult, wallMs: number, ownReads: number): OutsideRow => ({
  job,
  case: label,
  runsPerDay: runsPerDay(job),
  wallMs: Math.round(wallMs),
  billedReads: result.reads.billedReads,
  ownReads,
  writes: result.reads.writes,
});

export async function measureOutside(servers: LocalServers, log: (line: string) => void): Promise<OutsideRow[]> {
  const rows: OutsideRow[] = [];
  const now = new Date(Math.floor(Date.now() / 300_000) * 300_000);
  for (const endpoints of [1, 5, 20]) {
    const db = await freshDb(`probes-${endpoints}`);
    servers.reset();
    Object.assign(process.env, servers.env);
    await db
      .collection('monitoring_config')
      .doc('settings')
      .set({
        probes: {
          endpoints: Array.from({ length: endpoints }, (_, index) => ({
            name: `endpoint-${index}`,
            url: `${servers.probeTargets.url}/health`,
            jsonCondition: '$.status == "ok"',
          })),
        },
      });
    // The first run creates the heartbeat documents; the second is the steady state.
    await runJob('probes', { trigger: 'cli', now });
    const next = new Date(now.getTime() + 300_000);
    await freshHeartbeats(db, next);
    const started = performance.now();
    const result = await runJob('probes', { trigger: 'cli', now: next });
    rows.push(row('probes', `${endpoints} endpoint${endpoints > 1 ? 's' : ''}`, result, performance.now() - started, endpoints));
    log(`  probes, ${endpoints} endpoints: ${result.reads.billedReads} billed reads, ${result.reads.writes} writes`);
  }

  for (const logs of [1_000, 3_000]) {
    const db = await freshDb(`delivery-${logs}`);
    servers.reset();
    Object.assign(process.env, servers.env);
    servers.twilio.messages = Array.from({ length: 200 }, (_, index) => ({
      sid: `SM${String(index).padStart(32, '0')}`,
      status: index % 25 === 0 ? 'undelivered' : 'delivered',
      direction: 'outbound-api',
      date_sent: new Date(now.getTime() - (index + 1) * 60_000).toISOString(),
      error_code: index % 25 === 0 ? 30007 : null,
      to: '+33612345678',
      from: '+15005550006',
    }));
    for (let start = 0; start < logs; start += 500) {
      const batch = db.batch();
      for (let index = start; index < Math.min(logs, start + 500); index += 1) {
        batch.set(db.collection('email_logs').doc(), {
          status: index % 50 === 0 ? 'bounced' : index % 97 === 0 ? 'complained' : 'delivered',
          timestamp: Timestamp.fromMillis(now.getTime() - ((index % 1_300) + 1) * 60_000),
          template: 'booking-confirmation',
        });
      }
      await batch.commit();
    }
    await runJob('delivery', { trigger: 'cli', now });
    const next = new Date(now.getTime() + 3_600_000);
    await freshHeartbeats(db, next);
    const started = performance.now();
    const result = await runJob('delivery', { trigger: 'cli', now: next });
    // Three count aggregations, one billed read per 1,000 index entries each.
    const total = (result.metrics.email as { total: number; bounced: number; complained: number }) ?? { total: 0, bounced: 0, complained: 0 };
    const own = [total.total, total.bounced, total.complained].reduce((sum, count) => sum + Math.max(1, Math.ceil(count / 1_000)), 0);
    rows.push(row('delivery', `${logs} email_logs in the window, 200 SMS`, result, performance.now() - started, own));
    log(`  delivery, ${logs} email logs: ${result.reads.billedReads} billed reads, ${result.reads.writes} writes`);
  }
  return rows;
}
