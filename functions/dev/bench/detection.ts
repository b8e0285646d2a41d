/**
 * Detection coverage: how long after a breakage starts the first message goes out, for every
 * critical and emergency rule that can be injected (dev/bench/injectors.ts), with the jobs run as
 * Cloud Scheduler runs them: every job of the catalogue (JOBS) at each instant of its cron schedule
 * in its time zone (dev/bench/cron.ts), in time order, through runJob as Cloud Scheduler ticks (the CLI's `--now <t> --scheduled` path).
 * Next to it, the billed reads per day of all jobs together and their monthly cost.
 *
 * Nothing here names a job: jobs and schedules come from JOBS, the rules a job evaluates from a
 * calibration run (RunResult.evaluations), messages from RunResult.deliveries. A new job or new rule
 * semantics are measured by rerunning the benchmark.
 */
import { deleteApp, getApps, initializeApp } from 'firebase-admin/app';
import { getFirestore, type Firestore } from 'firebase-admin/firestore';
import { findJob, JOBS, type JobDefinition } from '../../src/jobs/catalog';
import { JobFailedError, runJob, type RunResult } from '../../src/pipeline/run';
import { RULES } from '../../src/rules';
import type { LocalServers } from '../servers';
import { cronInstants, scheduledRuns, type ScheduledRun } from './cron';
import { INJECTORS, NOT_INJECTED, type Injector, type TimedAction } from './injectors';
import type { Workload } from './workloads/types';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** The simulated day: a Tuesday without a daylight-saving change in Europe/Paris (CET, UTC+1). */
export const SIMULATED_DAY = { label: 'Tuesday 24 November 2026, Europe/Paris', start: Date.parse('2026-11-23T23:00:00Z') };
/**
 * A first message later than this after the burst start counts as missed: 1.5 periods of the most
 * frequent job evaluating the rule, and at least 6 h.
 */
const MIN_HORIZON = 6 * HOUR;
/** Firestore list price per 100,000 document reads (standard edition, europe-west1 / nam5). */
export const READ_PRICE_USD_PER_100K = 0.03;

/**
 * Burst start times: `count` instants spread over the simulated day, every 24 h / count, each shifted
 * by a different number of minutes (1, 8, 15... modulo the spacing) so that the starts fall at every
 * phase of the jobs' periods: just after a run, between runs, just before one, and late in the
 * evening so that bursts run across midnight.
 */
export function burstStarts(count: number, dayStart = SIMULATED_DAY.start): number[] {
  const spacing = DAY / count;
  const spacingMinutes = Math.max(1, Math.floor(spacing / MINUTE));
  return Array.from({ length: count }, (_, k) => dayStart + k * spacing + ((7 * k + 1) % spacingMinutes) * MINUTE);
}

/** Document triggers of functions/src/index.ts that the app's writes fire (onErrorLogCreated). */
const DOCUMENT_TRIGGERS: Record<string, (db: Firestore, id: string, at: number) => Promise<RunResult | null>> = {
  error_logs: async (db, id, at) => {
    const { handleErrorLogCreated } = await import('../../src/triggers/errorTrigger');
    const snapshot = await db.collection('error_logs').doc(id).get();
    const outcome = await handleErrorLogCreated({
      id: `bench-${id}`,
      time: new Date(at).toISOString(),
      data: { id, ref: snapshot.ref, data: () => snapshot.data() },
    });
    return outcome.run;
  },
};

function freshProject(label: string): Firestore {
  const projectId = `demo-detect-${label}-${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
  process.env.GCLOUD_PROJECT = projectId;
  initializeApp({ projectId });
  return getFirestore();
}

async function closeApps(): Promise<void> {
  await Promise.all(getApps().map((app) => deleteApp(app)));
}

type RuleAction = TimedAction & { ruleId: string };

/**
 * Applies the actions due at or before `until` (in time order), running document triggers. Actions
 * of a rule in `skip` (already messaged: its data no longer matters) are dropped.
 */
class World {
  private next = 0;
  readonly triggered: Array<{ at: number; result: RunResult }> = [];
  private readonly actions: RuleAction[];
  constructor(
    private readonly db: Firestore,
    private readonly servers: LocalServers,
    injectors: Injector[],
    start: number,
    end: number,
    private readonly skip: { has(ruleId: string): boolean } = new Set<string>(),
  ) {
    this.actions = injectors.flatMap((injector) => injector.actions(start, end).map((action) => ({ ...action, ruleId: injector.ruleId })));
    this.actions.sort((a, b) => a.at - b.at);
  }

  /** Some action writes to a collection with a document trigger. */
  get hasTriggers(): boolean {
    return this.actions.some((action) => action.writes?.some((write) => write.collection in DOCUMENT_TRIGGERS));
  }

  async advanceTo(until: number): Promise<void> {
    let batch = this.db.batch();
    let pending = 0;
    const flush = async () => {
      if (pending) await batch.commit();
      batch = this.db.batch();
      pending = 0;
    };
    while (this.next < this.actions.length && this.actions[this.next].at <= until) {
      const action = this.actions[this.next];
      this.next += 1;
      if (this.skip.has(action.ruleId)) continue;
      action.vendor?.(this.servers);
      for (const write of action.writes ?? []) {
        const ref = write.id ? this.db.collection(write.collection).doc(write.id) : this.db.collection(write.collection).doc();
        const trigger = DOCUMENT_TRIGGERS[write.collection];
        if (trigger) {
          await flush();
          await ref.set(write.data);
          const result = await trigger(this.db, ref.id, action.at);
          if (result) this.triggered.push({ at: action.at, result });
          continue;
        }
        batch.set(ref, write.data);
        pending += 1;
        if (pending >= 400) await flush();
      }
    }
    await flush();
  }
}

/** Rule of each alert id, from the changes the runs reported (alert ids start with the rule id). */
class MessageLog {
  private readonly ruleOfAlert = new Map<string, string>();
  /** First sent message per rule: the tick of the run (or the trigger instant) that sent it. */
  readonly first = new Map<string, number>();

  note(result: RunResult, at: number): void {
    const { opened, updated, resolved, pending } = result.alerts;
    for (const change of [...opened, ...updated, ...resolved, ...pending]) if (change.alertId) this.ruleOfAlert.set(change.alertId, change.ruleId);
    for (const change of result.escalations) this.ruleOfAlert.set(change.alertId, change.ruleId);
    for (const delivery of result.deliveries) {
      if (delivery.status !== 'sent') continue;
      const ruleId = this.ruleOfAlert.get(delivery.alertId) ?? ruleOfAlertId(delivery.alertId);
      if (ruleId && !this.first.has(ruleId)) this.first.set(ruleId, at);
    }
  }
}

function ruleOfAlertId(alertId: string): string | undefined {
  return RULES.filter((rule) => alertId.startsWith(rule.id)).sort((a, b) => b.id.length - a.id.length)[0]?.id;
}

async function runAt(job: string, at: number, failures: string[]): Promise<RunResult | null> {
  try {
    return await runJob(job, { trigger: 'schedule', now: new Date(at), tickMs: at });
  } catch (error) {
    // Cloud Scheduler would retry; the run's alerts (if any) are in the failed result.
    failures.push(`${job} at ${new Date(at).toISOString()}: ${(error as Error).message}`);
    return error instanceof JobFailedError ? error.result : null;
  }
}

/**
 * Which scheduled jobs evaluate which rule: every job of JOBS runs once, in a fresh project holding
 * every injected burst, and reports the rules it evaluated (RunResult.evaluations).
 */
export async function calibrate(servers: LocalServers, injectors: Injector[]): Promise<Map<string, string[]>> {
  await closeApps();
  const db = freshProject('calibration');
  servers.reset();
  Object.assign(process.env, servers.env);
  const t = SIMULATED_DAY.start + 12 * HOUR;
  const world = new World(db, servers, injectors, t, t + 2 * HOUR);
  await world.advanceTo(t + 2 * HOUR);
  const byRule = new Map<string, string[]>(injectors.map((injector) => [injector.ruleId, []]));
  const failures: string[] = [];
  for (const job of JOBS) {
    const result = await runAt(job.name, t + 2 * HOUR, failures);
    for (const ruleId of new Set(result?.evaluations.map((evaluation) => evaluation.ruleId) ?? [])) byRule.get(ruleId)?.push(job.name);
  }
  if (failures.length) throw new Error(`Calibration runs failed: ${failures.join('; ')}`);
  await closeApps();
  return byRule;
}

export interface SimulationGroup {
  /** The jobs run, in catalogue order (those evaluating the group's rules). */
  jobs: string[];
  injectors: Injector[];
  horizonMs: number;
}

/** Rules evaluated by the same jobs are simulated together (their bursts do not touch each other's data). */
export function groupRules(injectors: Injector[], jobsOfRule: Map<string, string[]>, allJobs: readonly JobDefinition[] = JOBS): SimulationGroup[] {
  const groups = new Map<string, SimulationGroup>();
  for (const injector of injectors) {
    const jobs = jobsOfRule.get(injector.ruleId) ?? [];
    const key = jobs.join(',');
    // 1.5 periods of the most frequent job evaluating the rule (at least MIN_HORIZON), counted from when
    // the condition first holds: one that takes hours to build up (meta_capi_inactive: 12 h without a
    // send) gets the same horizon after that as any other.
    const shortest = Math.min(...jobs.map((name) => allJobs.find((job) => job.name === name)?.periodMinutes ?? 0));
    const base = Math.max(MIN_HORIZON, jobs.length ? 1.5 * shortest * MINUTE : 0);
    let group = groups.get(key);
    if (!group) {
      group = { jobs, injectors: [], horizonMs: base };
      groups.set(key, group);
    }
    group.injectors.push(injector);
    group.horizonMs = Math.max(group.horizonMs, injector.breachAfterMin * MINUTE + base);
  }
  return [...groups.values()];
}

export interface SimulationResult {
  start: number;
  /** Minutes from the burst start to the first message, per rule; null when none within the horizon. */
  minutes: Record<string, number | null>;
  runs: number;
  failures: string[];
  /** Injected rules that sent a message before the burst start (from the history alone). */
  falseAlarms: string[];
  wallMs: number;
}

/**
 * One simulation: a fresh project, the group's bursts starting at `start`, each job of the group run
 * once at its last instant before `start`, then every run of the group's jobs from `start` in time
 * order until each rule has sent a message or the horizon ends.
 */
export async function simulate(group: SimulationGroup, start: number, servers: LocalServers, schedule: ScheduledRun[]): Promise<SimulationResult> {
  const wallStart = Date.now();
  await closeApps();
  const db = freshProject(group.jobs.join('-').slice(0, 30) || 'triggers');
  // Detection is measured per rule: one message per alert (no grouping) and no inhibition, so that each
  // rule's first message is its own (several rules are injected together in one project).
  await db
    .collection('monitoring_config')
    .doc('settings')
    .set({ grouping: { by: 'none' }, inhibition: { enabled: false } });
  servers.reset();
  Object.assign(process.env, servers.env);
  const end = start + group.horizonMs;
  const messages = new MessageLog();
  const world = new World(db, servers, group.injectors, start, end, messages.first);
  const rules = group.injectors.map((injector) => injector.ruleId);
  const done = () => rules.every((ruleId) => messages.first.has(ruleId));
  const failures: string[] = [];
  let runs = 0;
  const runsInGroup = schedule.filter((run) => run.at >= start && run.at <= end && group.jobs.includes(run.job));
  let seenTriggers = 0;
  const noteTriggers = () => {
    for (; seenTriggers < world.triggered.length; seenTriggers += 1) messages.note(world.triggered[seenTriggers].result, world.triggered[seenTriggers].at);
  };
  // The jobs ran before the burst: each runs once at its last instant before it, on the history, so
  // that state kept between runs (previous evaluation, open alerts) is what it would be. A message
  // about an injected rule there is a false alarm from the history, reported as such.
  const before = group.jobs
    .map((job) => [...schedule].reverse().find((run) => run.job === job && run.at < start))
    .filter((run): run is ScheduledRun => run !== undefined)
    .sort((a, b) => a.at - b.at);
  for (const run of before) {
    await world.advanceTo(run.at);
    const result = await runAt(run.job, run.at, failures);
    runs += 1;
    if (result) messages.note(result, run.at);
  }
  noteTriggers();
  const falseAlarms = rules.filter((ruleId) => messages.first.has(ruleId));
  for (const ruleId of falseAlarms) messages.first.delete(ruleId);
  for (const run of runsInGroup) {
    await world.advanceTo(run.at);
    noteTriggers();
    if (done()) break;
    const result = await runAt(run.job, run.at, failures);
    runs += 1;
    if (result) messages.note(result, run.at);
    if (done()) break;
  }
  // Writes after the last run matter only where they fire a document trigger.
  if (!done() && world.hasTriggers) {
    await world.advanceTo(end);
    noteTriggers();
  }
  const minutes: Record<string, number | null> = {};
  for (const ruleId of rules) {
    const at = messages.first.get(ruleId);
    minutes[ruleId] = at === undefined || at > end ? null : (at - start) / MINUTE;
  }
  await closeApps();
  return { start, minutes, runs, failures, falseAlarms, wallMs: Date.now() - wallStart };
}

export interface RuleCoverage {
  ruleId: string;
  severity: string;
  vendor: boolean;
  burst: string;
  breachAfterMin: number;
  jobs: string[];
  horizonHours: number;
  bursts: number;
  detected: number;
  /** Simulations in which the rule sent a message before its burst started. */
  falseAlarms: number;
  p50: number | null;
  p95: number | null;
  max: number | null;
  /** Target on the p95: 10 min (Firestore only) or one schedule period of the jobs evaluating it (vendor checks). */
  targetMinutes: number;
  met: boolean;
}

export interface JobReads {
  job: string;
  schedule: string;
  runsPerDay: number;
  billedReadsPerRun: number;
}

export interface DailyReads {
  n: number;
  jobs: JobReads[];
  readsPerDay: number;
  monthlyUsd: number;
  /** Set when this size could not be measured (the rest of the report is kept). */
  error?: string;
}

export interface DetectionReport {
  date: string;
  commit: string;
  machine: string;
  command: string;
  starts: number;
  /** Wall time of the simulation part and of the reads part. */
  wallSeconds: number;
  readsSeconds: number;
  totalRuns: number;
  failures: string[];
  rules: RuleCoverage[];
  notInjected: Record<string, string>;
  reads: DailyReads[];
}

/** Nearest-rank percentile of the detected times (null when none). */
export function percentile(values: number[], p: number): number | null {
  if (!values.length) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/** The coverage figures of one rule from its simulations. */
export function coverage(injector: Injector, group: SimulationGroup, results: SimulationResult[], severity: string): RuleCoverage {
  const times = results.map((result) => result.minutes[injector.ruleId]);
  const detected = times.filter((value): value is number => value !== null && value !== undefined);
  const periods = group.jobs.map((name) => findJob(name)?.periodMinutes ?? 0);
  const targetMinutes = injector.vendor ? Math.min(...(periods.length ? periods : [0])) : 10;
  const p95 = percentile(detected, 95);
  return {
    ruleId: injector.ruleId,
    severity,
    vendor: injector.vendor,
    burst: injector.burst,
    breachAfterMin: injector.breachAfterMin,
    jobs: group.jobs,
    horizonHours: group.horizonMs / HOUR,
    bursts: times.length,
    detected: detected.length,
    falseAlarms: results.filter((result) => result.falseAlarms.includes(injector.ruleId)).length,
    p50: percentile(detected, 50),
    p95,
    max: detected.length ? Math.max(...detected) : null,
    targetMinutes,
    met: detected.length === times.length && p95 !== null && p95 <= targetMinutes && !results.some((result) => result.falseAlarms.includes(injector.ruleId)),
  };
}

export interface DetectionOptions {
  starts: number;
  /** Only these rules (default: every injector). */
  rules?: string[];
  log: (line: string) => void;
}

export async function measureDetection(
  servers: LocalServers,
  options: DetectionOptions,
): Promise<{ rules: RuleCoverage[]; totalRuns: number; failures: string[] }> {
  const injectors = INJECTORS.filter((injector) => !options.rules || options.rules.includes(injector.ruleId));
  const unknown = (options.rules ?? []).filter((ruleId) => !INJECTORS.some((injector) => injector.ruleId === ruleId));
  if (unknown.length) throw new Error(`No injector for rule(s) ${unknown.join(', ')}; injectable: ${INJECTORS.map((injector) => injector.ruleId).join(', ')}`);
  const jobsOfRule = await calibrate(servers, injectors);
  const groups = groupRules(injectors, jobsOfRule);
  const starts = burstStarts(options.starts);
  const longest = Math.max(...groups.map((group) => group.horizonMs));
  const longestPeriod = Math.max(...JOBS.map((job) => job.periodMinutes)) * MINUTE;
  const schedule = scheduledRuns(JOBS, new Date(starts[0] - longestPeriod - HOUR), new Date(starts[starts.length - 1] + longest + MINUTE));
  options.log(
    `  ${injectors.length} rules in ${groups.length} groups by evaluating jobs: ${groups.map((group) => `[${group.jobs.join(', ') || 'document triggers only'}] ${group.injectors.map((i) => i.ruleId).join(', ')}`).join('; ')}`,
  );
  const resultsByGroup = new Map<SimulationGroup, SimulationResult[]>(groups.map((group) => [group, []]));
  let totalRuns = 0;
  const failures: string[] = [];
  const started = Date.now();
  for (const [index, start] of starts.entries()) {
    const line: string[] = [];
    for (const group of groups) {
      const result = await simulate(group, start, servers, schedule);
      resultsByGroup.get(group)!.push(result);
      totalRuns += result.runs;
      failures.push(...result.failures);
      line.push(
        `[${result.runs} runs ${(result.wallMs / 1000).toFixed(1)} s${result.falseAlarms.length ? `, messages before the burst: ${result.falseAlarms.join(' ')}` : ''}]`,
      );
      line.push(...Object.entries(result.minutes).map(([ruleId, minutes]) => `${ruleId} ${minutes === null ? 'missed' : `${Math.round(minutes)}m`}`));
    }
    const local = new Date(start).toLocaleTimeString('en-GB', { timeZone: 'Europe/Paris', hour: '2-digit', minute: '2-digit' });
    options.log(`  [${index + 1}/${starts.length}] burst at ${local} (${((Date.now() - started) / 1000).toFixed(0)} s, ${totalRuns} runs): ${line.join(', ')}`);
  }
  const severity = (ruleId: string) => RULES.find((rule) => rule.id === ruleId)?.severity ?? '?';
  const rules = groups.flatMap((group) => group.injectors.map((injector) => coverage(injector, group, resultsByGroup.get(group)!, severity(injector.ruleId))));
  rules.sort((a, b) => INJECTORS.findIndex((i) => i.ruleId === a.ruleId) - INJECTORS.findIndex((i) => i.ruleId === b.ruleId));
  return { rules, totalRuns, failures };
}

/**
 * Billed reads per day of all jobs together on N documents per collection (the reads workloads'
 * seeding): every job of JOBS runs at its last two scheduled instants before the reference time (the
 * first warms up: alerts opened, a previous evaluation recorded), the second is measured, and its
 * billed reads are multiplied by the job's runs per day.
 */
export async function measureDailyReads(workloads: Workload[], sizes: number[], servers: LocalServers, log: (line: string) => void): Promise<DailyReads[]> {
  const reference = SIMULATED_DAY.start + 12 * HOUR + 7 * MINUTE;
  const dayRuns = scheduledRuns(JOBS, new Date(SIMULATED_DAY.start), new Date(SIMULATED_DAY.start + DAY));
  const out: DailyReads[] = [];
  for (const n of sizes) {
    try {
      out.push(await dailyReadsAt(n, workloads, reference, dayRuns, servers, log));
    } catch (error) {
      log(`  N=${n}: not measured: ${(error as Error).message}`);
      out.push({ n, jobs: [], readsPerDay: 0, monthlyUsd: 0, error: (error as Error).message.split('\n')[0] });
    }
  }
  await closeApps();
  return out;
}

async function dailyReadsAt(
  n: number,
  workloads: Workload[],
  reference: number,
  dayRuns: ScheduledRun[],
  servers: LocalServers,
  log: (line: string) => void,
): Promise<DailyReads> {
  {
    await closeApps();
    const db = freshProject(`reads-${n}`);
    servers.reset();
    Object.assign(process.env, servers.env);
    const seedStart = Date.now();
    for (const workload of workloads) await workload.seed(db, n, new Date(reference));
    log(`  seeded N=${n} in ${((Date.now() - seedStart) / 1000).toFixed(1)} s`);
    const jobs: JobReads[] = [];
    const failures: string[] = [];
    for (const job of JOBS) {
      const instants = cronInstants(job.schedule, job.timeZone, new Date(reference - 3 * DAY), new Date(reference + 1));
      const [previous, last] = instants.slice(-2);
      await runAt(job.name, previous.getTime(), failures);
      const result = await runAt(job.name, last.getTime(), failures);
      const runsPerDay = dayRuns.filter((run) => run.job === job.name).length;
      jobs.push({ job: job.name, schedule: job.schedule, runsPerDay, billedReadsPerRun: result?.reads.billedReads ?? 0 });
    }
    if (failures.length) throw new Error(`Runs failed while measuring reads: ${failures.join('; ')}`);
    const readsPerDay = jobs.reduce((sum, job) => sum + job.runsPerDay * job.billedReadsPerRun, 0);
    const monthlyUsd = ((readsPerDay * 30) / 100_000) * READ_PRICE_USD_PER_100K;
    log(`  N=${n}: ${readsPerDay} billed reads per day, USD ${monthlyUsd.toFixed(2)} per month`);
    return { n, jobs, readsPerDay, monthlyUsd };
  }
}

export interface DetectionBenchmarkOptions {
  starts: number;
  rules?: string[];
  sizes: number[];
  command: string;
  machine: string;
  commit: string;
  log: (line: string) => void;
}

/** The whole detection benchmark: coverage per rule, then reads per day. */
export async function runDetectionBenchmark(servers: LocalServers, workloads: Workload[], options: DetectionBenchmarkOptions): Promise<DetectionReport> {
  options.log(`4a. Billed reads per day of all jobs, N = ${options.sizes.join(', ')}`);
  const readsStart = Date.now();
  const reads = await measureDailyReads(workloads, options.sizes, servers, options.log);
  const readsSeconds = (Date.now() - readsStart) / 1000;
  const started = Date.now();
  options.log(`4b. Detection simulation: ${options.starts} burst starts`);
  const detection = await measureDetection(servers, { starts: options.starts, rules: options.rules, log: options.log });
  const wallSeconds = (Date.now() - started) / 1000;
  return {
    date: new Date().toISOString().slice(0, 10),
    commit: options.commit,
    machine: options.machine,
    command: options.command,
    starts: options.starts,
    wallSeconds,
    readsSeconds,
    totalRuns: detection.totalRuns,
    failures: detection.failures,
    rules: detection.rules,
    notInjected: NOT_INJECTED,
    reads,
  };
}
