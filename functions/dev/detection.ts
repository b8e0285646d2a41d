/**
 * How quickly each rule can page, computed from the definitions (rules, jobs, default settings) for
 * docs/alerts.md. Pure: no I/O.
 *
 * Worst case from the start of a condition to the first message, for a rule evaluated by scheduled
 * jobs: the condition can start just after an evaluation and is seen by the next one, `period` later,
 * where `period` is the shortest period of the jobs that evaluate it (the fast path: its
 * `fastPath.everyMinutes`); a rule that must hold on k consecutive runs needs k periods. Messages are
 * sent by the same run (plus the run's own duration, seconds). For windowed rules this holds because
 * every window since the previous evaluation is examined (sliding coverage) or because the window is at
 * least as long as the longest gap between runs; a plain window shorter than that gap can miss a burst,
 * and the table says so. Rules counted since the last success page once the traffic threshold is
 * reached: the delay is counted from that moment. Age-limited states (held for more than 6 h...) count
 * from the moment the age limit is passed.
 */
import { DEFAULT_COVERAGE, DEFAULT_FAST_PATH } from '../src/config/schema';
import type { JobDefinition } from '../src/jobs/catalog';
import { FUNCTIONAL_CHECKS } from '../src/monitors/functional/checks';
import { stepMinutesFor } from '../src/monitors/coverage';
import { balanceRules } from '../src/rules/balances';
import type { RuleDefinition } from '../src/rules';

/** The spec's "Délai max" table (../shared/spec/monitoring-system.md, section Alertes), by what the rule watches. */
export function specPromise(rule: RuleDefinition): string | null {
  if (balanceRules.some((balance) => balance.id === rule.id)) return '24 h (soldes services bas)';
  if (rule.id === 'backup_stale') return '24 h (backups en retard)';
  if (rule.id === 'critical_errors') return 'immediate (bug critique)';
  if (rule.domain === 'payment' || rule.category === 'payment_flow') return '4 h (paiements cassés)';
  if (rule.category === 'signup') return '4 h (inscriptions bloquées)';
  if (rule.category === 'booking' || rule.category === 'providers') return '4 h (réservations impossibles)';
  if (rule.category === 'tracking') return '12 h (tracking cassé)';
  if (rule.category === 'forms') return '12 h (formulaires bugués)';
  return null;
}

/** Jobs evaluating the system rules, which are spread over several jobs and a trigger. */
const SYSTEM_JOBS: Record<string, string[] | 'every'> = {
  config_invalid: 'every',
  monitor_check_failed: 'every',
  job_not_running: ['watchdog'],
  job_failing: ['watchdog'],
  critical_errors: ['watchdog', 'system'],
  error_logs_high: ['system'],
  error_logs_medium: ['system'],
  backup_stale: ['system'],
  deployment_config_missing: ['system'],
  channel_failing: ['watchdog'],
};

/** Names of the jobs that evaluate a rule. */
export function jobsEvaluating(rule: RuleDefinition, jobs: readonly JobDefinition[]): string[] {
  const names = new Set<string>();
  const has = (name: string) => jobs.some((job) => job.name === name);
  if (rule.fastPath && has('fast')) names.add('fast');
  if (balanceRules.some((balance) => balance.id === rule.id)) names.add('balances');
  else if (rule.domain === 'payment') names.add('payment');
  else if (rule.domain === 'functional') {
    names.add('functional');
    const check = FUNCTIONAL_CHECKS.find((item) => item.rules.includes(rule.id));
    if (check?.critical) names.add('functional-critical');
  } else {
    const system = SYSTEM_JOBS[rule.id];
    if (system === 'every') jobs.forEach((job) => names.add(job.name));
    else (system ?? []).forEach((name) => names.add(name));
  }
  return jobs.filter((job) => names.has(job.name)).map((job) => job.name);
}

/** Minutes between two evaluations by a job at the default settings. */
export function evaluationPeriod(job: JobDefinition): number {
  return job.name === 'fast' ? Math.max(job.periodMinutes, DEFAULT_FAST_PATH.everyMinutes) : job.periodMinutes;
}

function windowMinutes(rule: RuleDefinition): number | null {
  const params = rule.params ?? {};
  if (params.windowMinutes) return params.windowMinutes.default;
  if (params.windowHours) return params.windowHours.default * 60;
  return null;
}

export function durationText(minutes: number): string {
  if (minutes < 60) return `${minutes} min`;
  if (minutes % 60 === 0) return `${minutes / 60} h`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

export interface Detection {
  jobs: string[];
  /** Shortest evaluation period, minutes. */
  periodMinutes: number | null;
  coverage: string;
  worstCase: string;
  promise: string | null;
}

export function detectionOf(rule: RuleDefinition, jobs: readonly JobDefinition[]): Detection {
  const names = jobsEvaluating(rule, jobs);
  const evaluating = jobs.filter((job) => names.includes(job.name));
  const periods = evaluating.map(evaluationPeriod);
  const period = periods.length ? Math.min(...periods) : null;
  // periodMinutes is each job's longest normal gap: the rule's longest gap is the shortest of those.
  const longestGap = period;
  const runs = rule.consecutiveRuns ?? 1;
  const w = windowMinutes(rule);
  let coverage: string;
  let worstCase: string;
  if (rule.id === 'critical_errors') {
    coverage = 'each new critical entry (Firestore trigger), refreshed by the watchdog';
    worstCase = 'seconds (trigger on the error_logs write)';
  } else if (rule.id === 'job_not_running') {
    coverage = 'since the last successful run of each job';
    worstCase = "1.5 x the job's period + 15 min (watchdog), e.g. 22 min 30 s for the fast path";
  } else if (period === null) {
    coverage = '-';
    worstCase = '-';
  } else {
    const base = durationText(period * runs);
    if (rule.coverage?.kind === 'sliding' && w !== null) {
      const step = stepMinutesFor(w);
      coverage = `every ${durationText(w)} window since the previous evaluation (ends every ${durationText(step)}, look-back ${durationText(DEFAULT_COVERAGE.maxLookbackMinutes)}); a burst of up to ${durationText(w - step)} is counted whole`;
      worstCase = base;
    } else if (rule.coverage?.kind === 'sinceLastSuccess' && w !== null) {
      coverage = `attempts since the last success, at most ${durationText(w)} back`;
      worstCase = `${base} after the attempts since the last success pass the subject's learned count`;
    } else if (w !== null && longestGap !== null && w < longestGap) {
      coverage = `last ${durationText(w)} at each run: shorter than the ${durationText(longestGap)} between runs`;
      worstCase = `${base} if the condition lasts until a run; a burst shorter than ${durationText(longestGap - w)} between runs can be missed`;
    } else if (w !== null) {
      coverage = `last ${durationText(w)} at each run (no gap: at least the ${durationText(longestGap ?? 0)} between runs)`;
      worstCase = base;
    } else {
      coverage = rule.window
        ? `state: ${rule.window(Object.fromEntries(Object.entries(rule.params ?? {}).map(([name, spec]) => [name, spec.default])))}`
        : 'state at each run';
      worstCase = rule.params?.olderThanHours || rule.params?.graceMinutes || rule.params?.maxAgeDays ? `${base} after the age limit is passed` : base;
    }
    if (runs > 1) worstCase += ` (${runs} consecutive runs)`;
  }
  return { jobs: names, periodMinutes: period, coverage, worstCase, promise: specPromise(rule) };
}
