/**
 * Health summaries for the dashboard's front page. Cheap by construction: counts are aggregation
 * queries with equality filters only (one billed read each, no composite index), and the few
 * documents read (heartbeats, recent runs, recent failed deliveries, locks) are bounded by limits.
 */
import type { DocumentSnapshot, Timestamp } from 'firebase-admin/firestore';
import { z } from 'zod';
import { COLLECTIONS, type DeliveryDoc } from '../alerts/model';
import { loadRuntimeConfig } from '../config/load';
import type { PresentationSettings } from '../config/schema';
import { findJob, JOBS } from '../jobs/catalog';
import { PROBES_COLLECTION, type ProbeDoc } from '../monitors/probes';
import { latencySummary } from '../monitors/probes/history';
import { fs, type Meter } from '../platform/firestore';
import { ALERT_COLLECTIONS, DOMAINS, RULES, SEVERITIES, type Domain, type Severity } from '../rules';
import { defineCallable } from './callable';
import { FUNCTIONAL_CHECKS, FUNCTIONAL_JOB, FUNCTIONAL_JOBS, lockView, lockRef, type LockView } from './functional';
import { iso, toJson } from './schemas';

/** How far back failed deliveries count as recent. */
export const RECENT_DELIVERY_HOURS = 24;
const RECENT_DELIVERIES_SHOWN = 10;
const RECENT_RUNS_SHOWN = 10;
const JOBS_READ = 100;

export interface OpenAlertCounts {
  open: number;
  /** Open and not acknowledged by anyone: what still needs a person. */
  unacknowledged: number;
  bySeverity: Record<Severity, number>;
  /** Per category of the rule catalogue; alerts of categories outside it are counted under `other`. */
  byCategory: Record<string, number>;
}

export async function openAlertCounts(meter: Meter, name: Domain): Promise<OpenAlertCounts> {
  const open = meter.db.collection(ALERT_COLLECTIONS[name]).where('resolved', '==', false);
  const categories = [...new Set(RULES.filter((rule) => rule.domain === name).map((rule) => rule.category))];
  const [severityCounts, unacknowledged, categoryCounts] = await Promise.all([
    Promise.all(SEVERITIES.map((level) => meter.count(open.where('severity', '==', level)))),
    meter.count(open.where('acknowledged', '==', false)),
    Promise.all(categories.map((category) => meter.count(open.where('category', '==', category)))),
  ]);
  const total = severityCounts.reduce((sum, count) => sum + count, 0);
  const byCategory: Record<string, number> = {};
  categories.forEach((category, index) => {
    if (categoryCounts[index] > 0) byCategory[category] = categoryCounts[index];
  });
  const other = total - categoryCounts.reduce((sum, count) => sum + count, 0);
  if (other > 0) byCategory.other = other;
  return {
    open: total,
    unacknowledged,
    bySeverity: Object.fromEntries(SEVERITIES.map((level, index) => [level, severityCounts[index]])) as Record<Severity, number>,
    byCategory,
  };
}

export type JobStatus = 'ok' | 'failing' | 'stale' | 'never-run';

export interface JobHealth {
  job: string;
  exportName: string | null;
  periodMinutes: number | null;
  status: JobStatus;
  lastRunAt: string | null;
  lastSuccessAt: string | null;
  lastOutcome: string | null;
  lastError: string | null;
  lastRunId: string | null;
  consecutiveFailures: number;
}

interface Heartbeat {
  job: string;
  exportName?: string;
  periodMinutes?: number;
  lastRunId?: string;
  lastRunAt?: Timestamp;
  lastSuccessAt?: Timestamp;
  lastOutcome?: string;
  lastError?: string | null;
  consecutiveFailures?: number;
}

/** Same rule as the heartbeat check: stale when the last success is older than 1.5 periods. */
function jobHealth(name: string, heartbeat: Heartbeat | undefined, now: Date): JobHealth {
  const definition = findJob(name);
  const periodMinutes = definition?.periodMinutes ?? heartbeat?.periodMinutes ?? null;
  const lastSuccess = heartbeat?.lastSuccessAt?.toMillis() ?? null;
  let status: JobStatus = 'ok';
  if (!heartbeat) status = 'never-run';
  else if (periodMinutes !== null && (lastSuccess === null || now.getTime() - lastSuccess > 1.5 * periodMinutes * 60_000)) status = 'stale';
  else if (heartbeat.lastOutcome === 'failed') status = 'failing';
  return {
    job: name,
    exportName: definition?.exportName ?? heartbeat?.exportName ?? null,
    periodMinutes,
    status,
    lastRunAt: iso(heartbeat?.lastRunAt),
    lastSuccessAt: iso(heartbeat?.lastSuccessAt),
    lastOutcome: heartbeat?.lastOutcome ?? null,
    lastError: heartbeat?.lastError ?? null,
    lastRunId: heartbeat?.lastRunId ?? null,
    consecutiveFailures: heartbeat?.consecutiveFailures ?? 0,
  };
}

export interface DeliveryView {
  deliveryId: string;
  alertId: string;
  channel: string;
  event: string;
  status: string;
  attempts: number;
  lastError: string | null;
  /** Next retry for a failed delivery; when it was abandoned for a dead one. */
  nextAttemptAt: string | null;
}

function deliveryView(doc: DocumentSnapshot): DeliveryView {
  const delivery = doc.data() as DeliveryDoc;
  return {
    deliveryId: doc.id,
    alertId: delivery.alertId,
    channel: delivery.channel,
    event: delivery.event,
    status: delivery.status,
    attempts: delivery.attempts,
    lastError: delivery.lastError ?? null,
    nextAttemptAt: iso(delivery.nextAttemptAt),
  };
}

/** Probed endpoints shown (the configuration allows at most 20). */
const ENDPOINTS_READ = 20;
/** Latest results returned per endpoint, for a sparkline. */
const ENDPOINT_RESULTS_SHOWN = 24;

export interface EndpointHealth {
  name: string;
  target: string;
  checkedAt: string | null;
  lastOk: boolean;
  lastStatus: number | null;
  lastLatencyMs: number | null;
  lastError: string | null;
  lastSuccessAt: string | null;
  consecutiveFailures: number;
  /** Over the stored history (`probes.historySize` results). */
  uptimePercent: number | null;
  p95Ms: number | null;
  results: number;
  certificateDaysLeft: number | null;
  /** Newest last. */
  recent: Array<{ at: string; ok: boolean; status: number | null; ms: number | null; error: string | null }>;
}

function endpointHealth(doc: DocumentSnapshot): EndpointHealth {
  const probe = doc.data() as ProbeDoc;
  const recent = Array.isArray(probe.recent) ? probe.recent : [];
  const ok = recent.filter((entry) => entry.ok).length;
  return {
    name: doc.id,
    target: String(probe.target ?? ''),
    checkedAt: iso(probe.checkedAt),
    lastOk: probe.lastOk === true,
    lastStatus: probe.lastStatus ?? null,
    lastLatencyMs: probe.lastLatencyMs ?? null,
    lastError: probe.lastError ?? null,
    lastSuccessAt: iso(probe.lastSuccessAt ?? undefined),
    consecutiveFailures: probe.consecutiveFailures ?? 0,
    uptimePercent: recent.length ? Math.round((ok / recent.length) * 1000) / 10 : null,
    p95Ms: latencySummary(recent, 0).p95Ms,
    results: recent.length,
    certificateDaysLeft: probe.certificate?.daysLeft ?? null,
    recent: recent
      .slice(-ENDPOINT_RESULTS_SHOWN)
      .map((entry) => ({ at: new Date(entry.t).toISOString(), ok: entry.ok, status: entry.status, ms: entry.ms, error: entry.error })),
  };
}

export interface SystemHealthSummary {
  generatedAt: string;
  alerts: { open: number; unacknowledged: number; bySeverity: Record<Severity, number>; byDomain: Record<Domain, OpenAlertCounts> };
  jobs: JobHealth[];
  deliveries: {
    /** Failed and waiting for a retry. */
    retrying: number;
    /** Abandoned after the last attempt, in the last RECENT_DELIVERY_HOURS hours. */
    deadRecently: number;
    recentFailures: DeliveryView[];
  };
  /** HTTP probes (monitoring_probes): one entry per probed endpoint, by name. */
  endpoints: EndpointHealth[];
  /** The team's language and time zone (runtime configuration `presentation`): the dashboard shows its times in that zone. */
  presentation: PresentationSettings;
}

export const getSystemHealthSummary = defineCallable({
  input: z.strictObject({}),
  mutates: false,
  errors: [],
  async handler(_input, { meter, now, log }): Promise<SystemHealthSummary> {
    const { Timestamp } = fs();
    const since = Timestamp.fromMillis(now.getTime() - RECENT_DELIVERY_HOURS * 3_600_000);
    const deliveries = meter.db.collection(COLLECTIONS.deliveries);
    const [domains, heartbeats, retrying, deadRecently, recent, probes, loaded] = await Promise.all([
      Promise.all(DOMAINS.map((name) => openAlertCounts(meter, name))),
      meter.docs(meter.db.collection(COLLECTIONS.jobs).limit(JOBS_READ)),
      meter.count(deliveries.where('status', 'in', ['failed', 'ambiguous'])),
      meter.count(deliveries.where('status', '==', 'dead').where('nextAttemptAt', '>=', since)),
      meter.docs(
        deliveries
          .where('status', 'in', ['failed', 'ambiguous', 'dead'])
          .where('nextAttemptAt', '>=', since)
          .orderBy('nextAttemptAt', 'desc')
          .limit(RECENT_DELIVERIES_SHOWN),
      ),
      meter.docs(meter.db.collection(PROBES_COLLECTION).limit(ENDPOINTS_READ)),
      loadRuntimeConfig(meter, { persistLastValid: false, log }),
    ]);
    const byDomain = Object.fromEntries(DOMAINS.map((name, index) => [name, domains[index]])) as Record<Domain, OpenAlertCounts>;
    const bySeverity = Object.fromEntries(SEVERITIES.map((level) => [level, domains.reduce((sum, counts) => sum + counts.bySeverity[level], 0)])) as Record<
      Severity,
      number
    >;
    const beats = new Map(heartbeats.map((doc) => [doc.id, doc.data() as Heartbeat]));
    const names = [...new Set([...JOBS.map((job) => job.name), ...beats.keys()])];
    return {
      generatedAt: now.toISOString(),
      alerts: {
        open: domains.reduce((sum, counts) => sum + counts.open, 0),
        unacknowledged: domains.reduce((sum, counts) => sum + counts.unacknowledged, 0),
        bySeverity,
        byDomain,
      },
      jobs: names.map((name) => jobHealth(name, beats.get(name), now)),
      deliveries: { retrying, deadRecently, recentFailures: recent.map(deliveryView) },
      endpoints: probes.map(endpointHealth),
      presentation: { locale: loaded.config.presentation.locale, timeZone: loaded.config.presentation.timeZone },
    };
  },
});

export interface RunView {
  runId: string;
  job: string;
  trigger: string;
  requestedBy: string | null;
  startedAt: string | null;
  durationMs: number | null;
  outcome: string;
  error: string | null;
  options: unknown;
  alerts: unknown;
  deliveries: unknown;
  skippedChecks: unknown;
}

function runView(doc: DocumentSnapshot): RunView {
  const run = doc.data() as Record<string, unknown>;
  return {
    runId: doc.id,
    job: String(run.job ?? ''),
    trigger: String(run.trigger ?? ''),
    requestedBy: (run.requestedBy as string | null) ?? null,
    startedAt: iso(run.startedAt as Timestamp | undefined),
    durationMs: typeof run.durationMs === 'number' ? run.durationMs : null,
    outcome: String(run.outcome ?? ''),
    error: (run.error as string | null) ?? null,
    options: toJson(run.options ?? {}),
    alerts: toJson(run.alerts ?? {}),
    deliveries: toJson(run.deliveries ?? {}),
    skippedChecks: toJson(run.skippedChecks ?? []),
  };
}

export interface FunctionalHealthSummary {
  generatedAt: string;
  /** Whether the functional monitoring job is deployed (registered in the job catalogue). */
  jobRegistered: boolean;
  alerts: OpenAlertCounts;
  jobs: JobHealth[];
  recentRuns: RunView[];
  /** Check sets started from the dashboard and still running. */
  running: LockView[];
}

export const getFunctionalHealthSummary = defineCallable({
  input: z.strictObject({}),
  mutates: false,
  errors: [],
  async handler(_input, { meter, now }): Promise<FunctionalHealthSummary> {
    const db = meter.db;
    const [alerts, heartbeats, runs, locks] = await Promise.all([
      openAlertCounts(meter, 'functional'),
      meter.getAll(FUNCTIONAL_JOBS.map((name) => db.collection(COLLECTIONS.jobs).doc(name))),
      meter.docs(
        db
          .collection(COLLECTIONS.runs)
          .where('job', 'in', [...FUNCTIONAL_JOBS])
          .orderBy('startedAt', 'desc')
          .limit(RECENT_RUNS_SHOWN),
      ),
      meter.getAll(FUNCTIONAL_CHECKS.map((check) => lockRef(db, check))),
    ]);
    return {
      generatedAt: now.toISOString(),
      jobRegistered: findJob(FUNCTIONAL_JOB) !== undefined,
      alerts,
      jobs: FUNCTIONAL_JOBS.map((name, index) => jobHealth(name, heartbeats[index].data() as Heartbeat | undefined, now)),
      recentRuns: runs.map(runView),
      running: locks.map((snapshot) => lockView(snapshot, now)).filter((lock): lock is LockView => lock !== null),
    };
  },
});
