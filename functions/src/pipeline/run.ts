/**
 * One job execution, the same for the scheduler, the CLI and the admin API, as named stages:
 *   load configuration -> send what is due -> run the monitor (measure) -> evaluate against
 *   thresholds -> reconcile with open alerts -> escalate unacknowledged ones -> dispatch -> record.
 * A run that fails is recorded, reported to Sentry and rethrown, so that Cloud Scheduler retries it.
 */
import { randomBytes } from 'node:crypto';
import { evaluate, type Candidate, type Evaluation, type Observation } from '../alerts/evaluate';
import { escalateUnacknowledged, reconcile, type AlertChange, type EscalationChange } from '../alerts/engine';
import { COLLECTIONS, tickLabel } from '../alerts/model';
import { loadActiveSilences } from '../alerts/silences';
import { loadRuntimeConfig, type ConfigSource } from '../config/load';
import { RUNBOOK_BASE_URL, readParam } from '../config/params';
import type { MonitoringConfig } from '../config/schema';
import { findJob, JOBS, secretStatuses, type JobDefinition } from '../jobs/catalog';
import { observeHeartbeats } from '../monitors/system/heartbeat';
import type { MonitorContext } from '../monitors/types';
import { activeSources, blindReason, Sources } from '../sources';
import { cleanError, dispatch, type DeliveryOutcome, type DispatchContext } from '../notifications/dispatcher';
import type { Channel } from '../notifications/channels';
import { firestore, fs, Meter, withDeadline, type ReadStats } from '../platform/firestore';
import { createLogger, describeError, type Logger } from '../platform/logger';
import { prepareErrorReporting, reportError } from '../platform/sentry';
import { getRule, type RuleDefinition } from '../rules';

export type Trigger = 'schedule' | 'cli' | 'callable' | 'firestore' | 'test';

export interface RunOptions {
  trigger: Trigger;
  /** Evaluation instant; defaults to the wall clock. */
  now?: Date;
  /** Identifies the tick (defaults to `now`): two runs of the same job for the same tick are one. */
  tickMs?: number;
  dryRun?: boolean;
  options?: Record<string, string>;
  /** Who asked (admin uid for callables). */
  requestedBy?: string;
  /** Wall clock used for delivery scheduling (tests move it forward to exercise retries). */
  clock?: () => Date;
  channels?: Record<string, Channel>;
}

export interface EvaluationSummary {
  ruleId: string;
  key: string | null;
  status: Evaluation['status'];
  value: number | null;
  threshold: number;
  severity: string | null;
  reason: string | null;
}

export interface RunResult {
  runId: string;
  job: string;
  trigger: Trigger;
  dryRun: boolean;
  tick: string;
  startedAt: string;
  durationMs: number;
  outcome: 'success' | 'failed';
  options: Record<string, string>;
  config: { source: ConfigSource; problems: string[] };
  metrics: Record<string, unknown>;
  evaluations: EvaluationSummary[];
  candidates: Candidate[];
  alerts: { opened: AlertChange[]; updated: AlertChange[]; resolved: AlertChange[]; pending: AlertChange[] };
  /** Open alerts re-notified because nobody acknowledged them in time. */
  escalations: EscalationChange[];
  deliveries: DeliveryOutcome[];
  skippedChecks: Array<{ check: string; reason: string }>;
  reads: ReadStats;
  /** Milliseconds spent measuring, reconciling alerts and delivering messages. */
  timings: { monitorMs: number; engineMs: number; dispatchMs: number };
  error: string | null;
}

export class UsageError extends Error {}

export function validateJobOptions(job: JobDefinition, given: Record<string, string> = {}): Record<string, string> {
  const specs = job.options ?? [];
  const result: Record<string, string> = {};
  for (const name of Object.keys(given)) {
    if (!specs.some((spec) => spec.name === name)) {
      throw new UsageError(`Job "${job.name}" has no option "${name}"${specs.length ? ` (options: ${specs.map((s) => s.name).join(', ')})` : ''}`);
    }
  }
  for (const spec of specs) {
    const value = given[spec.name] ?? spec.default;
    if (!spec.values.includes(value)) {
      throw new UsageError(`Invalid ${spec.name} "${value}" for job "${job.name}": expected one of ${spec.values.join(', ')}`);
    }
    result[spec.name] = value;
  }
  return result;
}

export async function runJob(name: string, options: RunOptions): Promise<RunResult> {
  const job = findJob(name);
  if (!job) throw new UsageError(`Unknown job "${name}"`);
  return executeRun(job, options);
}

export interface RunDependencies {
  /** Rule lookup (tests run jobs whose rules are not in the catalogue). */
  rule?: (id: string) => RuleDefinition;
  /** Configuration to use instead of the Firestore document (tests). */
  config?: MonitoringConfig;
}

/** What every stage of one run shares: who it is, its clock, its meter, and the result it fills in. */
interface Run {
  job: JobDefinition;
  options: RunOptions;
  deps: RunDependencies;
  runId: string;
  now: Date;
  tickMs: number;
  dryRun: boolean;
  started: number;
  meter: Meter;
  log: Logger;
  result: RunResult;
  timed<T>(phase: keyof RunResult['timings'], work: () => Promise<T>): Promise<T>;
}

/**
 * One run as named stages: load the configuration, send what is due, measure, evaluate, reconcile,
 * escalate, dispatch, record. What differs per job is declared in the job catalogue (housekeeping,
 * external heartbeat), never tested by name here.
 */
export async function executeRun(job: JobDefinition, options: RunOptions, deps: RunDependencies = {}): Promise<RunResult> {
  const run = startRun(job, options, deps);
  const { result, log } = run;
  log.info('Run started', { trigger: options.trigger, tick: result.tick, dryRun: run.dryRun, options: result.options });
  const outside = await externalHeartbeatOf(run);
  // Everything the run does (Firestore, vendors, channels) is bounded to finish inside the function
  // timeout, leaving time to record the run and report a failure (see runBudget).
  const budget = runBudget(job.timeoutSeconds);
  try {
    await withDeadline(
      (async () => {
        const loaded = await loadStage(run);
        await outside.start(loaded.config);
        const observations: Observation[] = [];
        const ctx = monitorContext(run, loaded.config, observations);
        const dispatchContext: DispatchContext = {
          meter: run.meter,
          config: loaded.config,
          runId: run.runId,
          log,
          clock: options.clock,
          channels: options.channels,
        };
        // Messages already due (retries, re-checks of skipped channels) go out before anything is
        // measured: a channel that works again has its success recorded before channel_failing looks.
        if (!run.dryRun) result.deliveries = await run.timed('dispatchMs', () => dispatch({ ...dispatchContext, sweep: true }, []));
        await measureStage(run, ctx, loaded, observations);
        const evaluations = evaluateStage(run, loaded.config, observations);
        if (run.dryRun) return;
        const engine = await run.timed('engineMs', async () => ({
          meter: run.meter,
          now: run.now,
          tickMs: run.tickMs,
          runId: run.runId,
          job: job.name,
          config: loaded.config,
          silences: await loadActiveSilences(run.meter, run.now),
          log,
          clock: options.clock,
        }));
        const reconciled = await reconcileStage(run, engine, evaluations);
        const escalated = await escalateStage(run, engine);
        const created = await run.timed('dispatchMs', () => dispatch({ ...dispatchContext, sweep: false }, [...reconciled, ...escalated]));
        result.deliveries = [...result.deliveries, ...created];
      })(),
      // Counted from the start of the run (loading the SDKs included), like the function timeout.
      run.started + budget.workMs - Date.now(),
      `${job.name} run`,
    );
  } catch (error) {
    result.outcome = 'failed';
    result.error = cleanError(error);
    log.error('Run failed', { error: describeError(error) });
    // The report follows the run record: load the client meanwhile.
    prepareErrorReporting();
  }
  return finishRun(run, budget, outside);
}

function startRun(job: JobDefinition, options: RunOptions, deps: RunDependencies): Run {
  const jobOptions = validateJobOptions(job, options.options);
  const now = options.now ?? new Date();
  const tickMs = options.tickMs ?? now.getTime();
  const runId = `${job.name}-${tickLabel(tickMs)}-${randomBytes(3).toString('hex')}`;
  const dryRun = options.dryRun ?? false;
  const started = Date.now();
  const meter = new Meter(firestore());
  const result: RunResult = {
    runId,
    job: job.name,
    trigger: options.trigger,
    dryRun,
    tick: new Date(tickMs).toISOString(),
    startedAt: new Date(started).toISOString(),
    durationMs: 0,
    outcome: 'success',
    options: jobOptions,
    config: { source: 'defaults', problems: [] },
    metrics: {},
    evaluations: [],
    candidates: [],
    alerts: { opened: [], updated: [], resolved: [], pending: [] },
    escalations: [],
    deliveries: [],
    skippedChecks: [],
    reads: meter.stats,
    timings: { monitorMs: 0, engineMs: 0, dispatchMs: 0 },
    error: null,
  };
  const timed = async <T>(phase: keyof RunResult['timings'], work: () => Promise<T>): Promise<T> => {
    const phaseStart = Date.now();
    try {
      return await work();
    } finally {
      result.timings[phase] += Date.now() - phaseStart;
    }
  };
  return { job, options, deps, runId, now, tickMs, dryRun, started, meter, log: createLogger({ job: job.name, runId }), result, timed };
}

type Loaded = Awaited<ReturnType<typeof loadRuntimeConfig>>;

/** The runtime configuration (tests give their own), validated field by field. */
async function loadStage(run: Run): Promise<Loaded> {
  const loaded: Loaded = run.deps.config
    ? { config: run.deps.config, source: 'defaults', problems: [], fallbacks: [], fallbackLabel: 'the built-in defaults' }
    : await loadRuntimeConfig(run.meter, { persistLastValid: !run.dryRun, log: run.log });
  run.result.config = { source: loaded.source, problems: loaded.problems };
  return loaded;
}

/** What a monitor sees of the run: its clock, metered Firestore, settings, and where observations go. */
function monitorContext(run: Run, config: MonitoringConfig, observations: Observation[]): MonitorContext {
  const { job, log, result, dryRun, meter } = run;
  const sources = new Sources(meter.db, activeSources());
  return {
    job: job.name,
    jobs: JOBS,
    runId: run.runId,
    now: run.now,
    tickMs: run.tickMs,
    scheduled: run.options.trigger === 'schedule',
    dryRun,
    db: meter,
    sources,
    blind: (ruleId) => blindReason((run.deps.rule ?? getRule)(ruleId)?.reads, sources.mapping),
    config,
    settings: (ruleId) => {
      const settings = config.rules[ruleId];
      if (!settings) throw new Error(`No settings for rule "${ruleId}"`);
      return settings;
    },
    log,
    options: result.options,
    observe: (observation) => observations.push(observation),
    check: async (name, work) => {
      const key = `${job.name}/${name}`;
      try {
        const value = await work();
        observations.push({ ruleId: 'monitor_check_failed', key, value: 0 });
        return value;
      } catch (error) {
        const message = cleanError(error);
        log.warn('Check failed, the rest of the job carries on', { check: name, error: message });
        observations.push({ ruleId: 'monitor_check_failed', key, value: 1, details: { error: message } });
        return undefined;
      }
    },
    skip: (name, reason) => {
      log.info('Check skipped', { check: name, reason });
      result.skippedChecks.push({ check: name, reason });
    },
    write: async (collection, id, data) => {
      if (dryRun) return;
      await meter.db.collection(collection).doc(id).set(data);
      meter.noteWrites(1);
    },
  };
}

/** The job's monitor, the other jobs' heartbeats (housekeeping jobs), and the configuration's own problems. */
async function measureStage(run: Run, ctx: MonitorContext, loaded: Loaded, observations: Observation[]): Promise<void> {
  const { job, result, timed } = run;
  const monitor = await job.load();
  result.metrics = (await timed('monitorMs', () => monitor.run(ctx))) ?? {};
  // Dead man's switch: every scheduled job checks the heartbeats of the others on each run, so a
  // stopped job is noticed within the period of the most frequent one (see monitors/system/heartbeat.ts).
  const rules = loaded.config.rules;
  if (JOBS.some((scheduled) => scheduled.name === job.name) && job.housekeeping !== false && rules.job_not_running && rules.job_failing) {
    const heartbeats = await timed('monitorMs', () => ctx.check('heartbeats', () => observeHeartbeats(ctx, JOBS)));
    if (heartbeats) result.metrics = { ...result.metrics, heartbeats };
  }
  if (!run.deps.config) {
    observations.push({
      ruleId: 'config_invalid',
      value: loaded.problems.length,
      details: { problems: loaded.problems, fallback: loaded.fallbackLabel, fields: loaded.fallbacks },
    });
  }
}

/** Each observation against its rule's effective settings (pure). */
function evaluateStage(run: Run, config: MonitoringConfig, observations: Observation[]): Evaluation[] {
  const runbookBase = readParam(RUNBOOK_BASE_URL) ?? 'docs/runbook.md';
  const lookup = run.deps.rule ?? getRule;
  const evaluations = observations.map((observation) => evaluate(observation, config, runbookBase, lookup(observation.ruleId)));
  run.result.evaluations = evaluations.map((evaluation) => ({
    ruleId: evaluation.rule.id,
    key: evaluation.key,
    status: evaluation.status,
    value: evaluation.candidate?.value ?? null,
    threshold: evaluation.candidate?.threshold ?? evaluation.settings.threshold,
    severity: evaluation.status === 'breach' ? evaluation.candidate!.severity : null,
    reason: evaluation.reason,
  }));
  run.result.candidates = evaluations.filter((evaluation) => evaluation.status === 'breach').map((evaluation) => evaluation.candidate!);
  return evaluations;
}

type EngineContext = Parameters<typeof reconcile>[0];

/** Opens, updates and resolves alerts; returns the deliveries it planned. */
async function reconcileStage(run: Run, engine: EngineContext, evaluations: Evaluation[]): Promise<string[]> {
  const reconciled = await run.timed('engineMs', () => reconcile(engine, evaluations));
  for (const item of reconciled.changes) {
    if (item.action === 'opened' || item.action === 'updated' || item.action === 'resolved' || item.action === 'pending')
      run.result.alerts[item.action].push(item);
  }
  return reconciled.deliveryIds;
}

/**
 * Every housekeeping run (not the lean fast path and probes, see JobDefinition.housekeeping) also
 * re-notifies open alerts nobody acknowledged in time (any domain). A failure there (an index not
 * deployed yet...) is reported but never blocks this run's own alerts.
 */
async function escalateStage(run: Run, engine: EngineContext): Promise<string[]> {
  const { job, log, result, runId } = run;
  if (job.housekeeping === false) return [];
  const escalated = await run.timed('engineMs', () =>
    escalateUnacknowledged(engine).catch(async (error: unknown) => {
      log.error('Escalation of unacknowledged alerts failed', { error: describeError(error) });
      result.skippedChecks.push({ check: 'escalation', reason: `failed: ${cleanError(error)}` });
      await reportError(error, { source: job.name, runId, extra: { step: 'escalation' } });
      return { changes: [], deliveryIds: [] };
    }),
  );
  result.escalations = escalated.changes;
  return escalated.deliveryIds;
}

interface OutsideHeartbeat {
  start(config: MonitoringConfig): Promise<void>;
  finish(): Promise<void>;
}

/**
 * External heartbeat (monitors/system/watchdog.ts): the runs of a job that declares
 * `pingsExternalHeartbeat` ping a dead man's switch outside the project at start and with their
 * outcome; bounded, never failing the run.
 */
async function externalHeartbeatOf(run: Run): Promise<OutsideHeartbeat> {
  if (!run.job.pingsExternalHeartbeat || run.dryRun) return { start: async () => undefined, finish: async () => undefined };
  const { pingExternalHeartbeat } = await import('../monitors/system/watchdog');
  const { result, runId, log } = run;
  let settings: MonitoringConfig['externalHeartbeat'] | null = null;
  const pings: unknown[] = [];
  return {
    async start(config) {
      if (!config.externalHeartbeat.url) return;
      settings = config.externalHeartbeat;
      pings.push(await pingExternalHeartbeat(settings, 'start', `run ${runId} started`, log));
    },
    async finish() {
      if (!settings) return;
      const failedDeliveries = result.deliveries.filter((delivery) => delivery.status === 'failed' || delivery.status === 'dead').length;
      const body =
        result.outcome === 'success'
          ? `success: run ${runId}, ${result.alerts.opened.length} opened, ${result.alerts.resolved.length} resolved, ${failedDeliveries} failed deliveries, ${result.durationMs} ms`
          : `failed: run ${runId}: ${result.error ?? 'unknown error'}`;
      pings.push(await pingExternalHeartbeat(settings, result.outcome === 'success' ? 'success' : 'fail', body, log));
      result.metrics = { ...result.metrics, externalHeartbeat: pings };
    },
  };
}

/** Records the run (within its share of the reserve), pings the outside, logs, and reports a failure (rethrown). */
async function finishRun(run: Run, budget: RunBudget, outside: OutsideHeartbeat): Promise<RunResult> {
  const { job, result, log, options } = run;
  result.durationMs = Date.now() - run.started;
  const recordEnd = run.started + budget.workMs + budget.recordMs;
  // A late work phase (the event loop blocked past its deadline) still leaves the record a try.
  if (!run.dryRun) await recordRun(run.meter, job, result, options.requestedBy, log, Math.max(Math.round(budget.recordMs / 4), recordEnd - Date.now()));
  await outside.finish();
  log.info('Run finished', {
    outcome: result.outcome,
    durationMs: result.durationMs,
    opened: result.alerts.opened.length,
    updated: result.alerts.updated.length,
    resolved: result.alerts.resolved.length,
    escalated: result.escalations.length,
    deliveries: result.deliveries.length,
    billedReads: result.reads.billedReads,
  });
  if (result.outcome === 'failed') {
    const error = new JobFailedError(job.name, run.runId, result.error ?? 'unknown error', result);
    // Whatever is left of the reserve, at least the report's own share.
    await reportError(
      error,
      { source: job.name, runId: run.runId, extra: { trigger: options.trigger, tick: result.tick } },
      Math.max(budget.reportMs, recordEnd + budget.reportMs - Date.now()),
    );
    throw error;
  }
  return result;
}

export class JobFailedError extends Error {
  constructor(
    readonly job: string,
    readonly runId: string,
    reason: string,
    readonly result: RunResult,
  ) {
    super(`Job ${job} failed (run ${runId}): ${reason}`);
    this.name = 'JobFailedError';
  }
}

export interface RunBudget {
  /** Measuring, alerting and delivering must finish within this. */
  workMs: number;
  /** Writing the run record and heartbeat. */
  recordMs: number;
  /** Flushing the failure report to Sentry. */
  reportMs: number;
}

/**
 * How a job's function timeout is shared: the last quarter (at least 6 s, at most 30 s) is kept to
 * record the run (a third of it) and flush the Sentry report (a third), the last third being slack
 * for an event loop that runs late (module loading, a busy instance); so a run that cannot reach
 * Firestore is still logged and reported before the platform kills the instance.
 */
export function runBudget(timeoutSeconds: number): RunBudget {
  const totalMs = timeoutSeconds * 1_000;
  const reserveMs = Math.min(30_000, Math.max(6_000, Math.round(totalMs / 4)));
  return { workMs: totalMs - reserveMs, recordMs: Math.round(reserveMs / 3), reportMs: Math.round(reserveMs / 3) };
}

/** Run record and heartbeat. Failures to record are logged, never hide the run's own outcome. */
async function recordRun(
  meter: Meter,
  job: JobDefinition,
  result: RunResult,
  requestedBy: string | undefined,
  log: ReturnType<typeof createLogger>,
  deadlineMs: number,
) {
  const { Timestamp, FieldValue } = fs();
  const count = (status: string) => result.deliveries.filter((delivery) => delivery.status === status).length;
  const finishedAt = Timestamp.fromMillis(Date.parse(result.startedAt) + result.durationMs);
  try {
    const batch = meter.db.batch();
    batch.set(meter.db.collection(COLLECTIONS.runs).doc(result.runId), {
      runId: result.runId,
      job: result.job,
      trigger: result.trigger,
      requestedBy: requestedBy ?? null,
      tick: Timestamp.fromMillis(Date.parse(result.tick)),
      startedAt: Timestamp.fromMillis(Date.parse(result.startedAt)),
      finishedAt,
      durationMs: result.durationMs,
      outcome: result.outcome,
      error: result.error,
      options: result.options,
      configSource: result.config.source,
      candidates: result.candidates.length,
      alerts: {
        opened: result.alerts.opened.length,
        updated: result.alerts.updated.length,
        resolved: result.alerts.resolved.length,
        pending: result.alerts.pending.length,
        escalated: result.escalations.length,
      },
      alertIds: [...result.alerts.opened, ...result.alerts.updated, ...result.alerts.resolved].map((item) => item.alertId),
      deliveries: {
        sent: count('sent'),
        failed: count('failed'),
        ambiguous: count('ambiguous'),
        dead: count('dead'),
        skipped: count('skipped'),
        cancelled: count('cancelled'),
      },
      skippedChecks: result.skippedChecks,
      reads: { ...result.reads },
      timings: result.timings,
    });
    const success = result.outcome === 'success';
    batch.set(
      meter.db.collection(COLLECTIONS.jobs).doc(job.name),
      {
        job: job.name,
        exportName: job.exportName,
        periodMinutes: job.periodMinutes,
        lastRunId: result.runId,
        lastRunAt: finishedAt,
        lastOutcome: result.outcome,
        lastError: result.error,
        // Deployed functions only (a CLI run has the caller's environment): names and set/missing, never values.
        ...(result.trigger === 'schedule' || result.trigger === 'callable' ? { secrets: secretStatuses(job), secretsReportedAt: finishedAt } : {}),
        ...(success ? { lastSuccessAt: finishedAt, consecutiveFailures: 0 } : { lastFailureAt: finishedAt, consecutiveFailures: FieldValue.increment(1) }),
      },
      { merge: true },
    );
    await withDeadline(batch.commit(), deadlineMs, 'run record');
    meter.noteWrites(2);
  } catch (error) {
    log.error('Could not write the run record', { error: describeError(error) });
  }
}
