/**
 * A job whose monitor reports scripted observations, to exercise the pipeline (engine, dispatcher,
 * run records) independently of any real monitor.
 */
import type { Observation } from '../src/alerts/evaluate';
import { defaultConfig, type MonitoringConfig } from '../src/config/schema';
import type { JobDefinition } from '../src/jobs/catalog';
import { executeRun, type RunOptions, type RunResult } from '../src/pipeline/run';
import { defineRules, getRule, type RuleDefinition } from '../src/rules';

export const testRules = defineRules({
  id: 'test_failures',
  domain: 'payment',
  category: 'test',
  title: 'Test failures',
  summary: 'Failures counted by the scripted test monitor.',
  unit: 'count',
  direction: 'above',
  threshold: 3,
  severity: 'warning',
  thresholdRange: { min: 0, max: 1000 },
  window: () => 'last 60 min',
  source: 'test script',
  impact: 'Nothing real.',
  suggestedAction: 'Nothing to do.',
  message: ({ value, threshold, details }) => `${value} failures (threshold ${threshold})${details.note ? `: ${String(details.note)}` : ''}`,
  runbook: { meaning: 'test', confirm: [], diagnose: [], fix: [], resolvedWhen: 'test' },
  fr: {
    title: 'Échecs de test',
    impact: 'Rien de réel.',
    suggestedAction: 'Rien à faire.',
    window: () => '60 dernières minutes',
    message: ({ value, threshold, details }) => `${value} échecs (seuil ${threshold})${details.note ? ` : ${String(details.note)}` : ''}`,
  },
} satisfies RuleDefinition);

export interface ScriptedJob {
  job: JobDefinition;
  config: MonitoringConfig;
  /** Observations the next runs report. */
  observe(observations: Observation[]): void;
  /** Makes the next runs throw. */
  failWith(error: Error | null): void;
  run(options?: Partial<RunOptions>): Promise<RunResult>;
}

export function scriptedJob(configure: (config: MonitoringConfig) => void = () => undefined): ScriptedJob {
  let script: Observation[] = [];
  let failure: Error | null = null;
  const config = defaultConfig([...testRules]);
  config.recipients = { emails: ['oncall@example.com'], phones: ['+33612345678', '+33698765432'] };
  // The engine and channel tests count messages over hours of ticks: the re-notification of
  // unacknowledged alerts has its own tests (test/escalation.test.ts), which switch it on.
  config.escalation.enabled = false;
  configure(config);
  const job: JobDefinition = {
    name: 'scripted',
    exportName: 'runScripted',
    description: 'test job',
    schedule: 'every 1 hours',
    timeZone: 'Europe/Paris',
    periodMinutes: 60,
    retryCount: 1,
    timeoutSeconds: 60,
    secrets: [],
    load: async () => ({
      run: async (ctx) => {
        if (failure) throw failure;
        for (const observation of script) ctx.observe(observation);
        return { observed: script.length };
      },
    }),
  };
  return {
    job,
    config,
    observe: (observations) => {
      script = observations;
    },
    failWith: (error) => {
      failure = error;
    },
    run: (options = {}) =>
      executeRun(job, { trigger: 'test', ...options }, { config, rule: (id) => (testRules as RuleDefinition[]).find((rule) => rule.id === id) ?? getRule(id) }),
  };
}

export const at = (iso: string) => ({ now: new Date(iso), tickMs: Date.parse(iso) });
