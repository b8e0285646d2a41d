/**
 * Calling the exported callables as the Functions runtime does (`run` invokes the handler with a
 * CallableRequest), and producing realistic alerts through the real pipeline.
 */
import type { CallableFunction, CallableRequest, FunctionsErrorCode } from 'firebase-functions/v2/https';
import { HttpsError } from 'firebase-functions/v2/https';
import type { Observation } from '../../src/alerts/evaluate';
import { defaultConfig, type MonitoringConfig } from '../../src/config/schema';
import { JOBS, type JobDefinition } from '../../src/jobs/catalog';
import { executeRun, type RunResult } from '../../src/pipeline/run';
import { defineRules, getRule, type RuleDefinition } from '../../src/rules';

export interface Auth {
  uid: string;
  token: Record<string, unknown>;
}

export const ADMIN: Auth = { uid: 'admin-uid-1', token: { admin: true, email: 'admin@example.com' } };
export const OTHER_ADMIN: Auth = { uid: 'admin-uid-2', token: { admin: true } };
export const USER: Auth = { uid: 'user-uid', token: { email: 'user@example.com' } };

export type AnyCallable = CallableFunction<unknown, Promise<unknown>>;

export function request(data: unknown, auth: Auth | null = ADMIN, app?: { appId: string }): CallableRequest<unknown> {
  return {
    data,
    auth: auth ? ({ uid: auth.uid, token: { uid: auth.uid, ...auth.token } } as unknown as CallableRequest['auth']) : undefined,
    app: app ? ({ appId: app.appId, token: {} } as unknown as CallableRequest['app']) : undefined,
    rawRequest: {} as CallableRequest['rawRequest'],
    acceptsStreaming: false,
  };
}

export async function call<T = unknown>(fn: unknown, data: unknown, auth: Auth | null = ADMIN, app?: { appId: string }): Promise<T> {
  return (await (fn as AnyCallable).run(request(data, auth, app))) as T;
}

/** The HttpsError a call fails with (fails the test if it succeeds or throws anything else). */
export async function callError(fn: unknown, data: unknown, auth: Auth | null = ADMIN, app?: { appId: string }): Promise<HttpsError> {
  let result: unknown;
  try {
    result = await call(fn, data, auth, app);
  } catch (error) {
    if (error instanceof HttpsError) return error;
    throw new Error(`Expected an HttpsError, got ${String(error)}`);
  }
  throw new Error(`Expected an HttpsError, the call succeeded with ${JSON.stringify(result)?.slice(0, 300)}`);
}

export async function expectCode(promise: Promise<HttpsError>, code: FunctionsErrorCode, message?: RegExp): Promise<HttpsError> {
  const error = await promise;
  expect({ code: error.code, message: error.message }).toEqual({ code, message: message ? expect.stringMatching(message) : expect.any(String) });
  return error;
}

/** One rule per alert domain, keyed so one run can open many alerts at the same instant. */
export const fixtureRules = defineRules(
  {
    id: 'fixture_payment_failures',
    domain: 'payment',
    category: 'stripe',
    title: 'Fixture payment failures',
    summary: 'test',
    unit: 'count',
    direction: 'above',
    threshold: 3,
    severity: 'critical',
    thresholdRange: { min: 0, max: 1000 },
    keyLabel: 'account',
    source: 'test',
    impact: 'Customers cannot pay.',
    suggestedAction: 'Check Stripe.',
    message: ({ value, key }) => `${value} payment failures${key ? ` on ${key}` : ''}`,
    runbook: { meaning: 'test', confirm: [], diagnose: [], fix: [], resolvedWhen: 'test' },
    fr: {
      title: 'Échecs de paiement (fixture)',
      impact: 'Les clients ne peuvent pas payer.',
      suggestedAction: 'Vérifier Stripe.',
      message: ({ value, key }) => `${value} échecs de paiement${key ? ` sur ${key}` : ''}`,
    },
  },
  {
    id: 'fixture_form_errors',
    domain: 'functional',
    category: 'forms',
    title: 'Fixture form errors',
    summary: 'test',
    unit: 'percent',
    direction: 'above',
    threshold: 5,
    severity: 'warning',
    thresholdRange: { min: 0, max: 100 },
    keyLabel: 'form',
    source: 'test',
    impact: 'Users cannot submit the form.',
    suggestedAction: 'Check the form.',
    message: ({ value, key }) => `${value} % errors on ${key ?? 'a form'}`,
    runbook: { meaning: 'test', confirm: [], diagnose: [], fix: [], resolvedWhen: 'test' },
    fr: {
      title: 'Erreurs de formulaire (fixture)',
      impact: 'Les utilisateurs ne peuvent pas envoyer le formulaire.',
      suggestedAction: 'Vérifier le formulaire.',
      message: ({ value, key }) => `${value} % d'erreurs sur ${key ?? 'un formulaire'}`,
    },
  },
  {
    id: 'fixture_backup_age',
    domain: 'system',
    category: 'backups',
    title: 'Fixture backup age',
    summary: 'test',
    unit: 'hours',
    direction: 'above',
    threshold: 24,
    severity: 'emergency',
    thresholdRange: { min: 1, max: 1000 },
    source: 'test',
    impact: 'No recent backup.',
    suggestedAction: 'Run a backup.',
    message: ({ value }) => `last backup ${value} h ago`,
    runbook: { meaning: 'test', confirm: [], diagnose: [], fix: [], resolvedWhen: 'test' },
    fr: {
      title: 'Âge de la sauvegarde (fixture)',
      impact: 'Pas de sauvegarde récente.',
      suggestedAction: 'Lancer une sauvegarde.',
      message: ({ value }) => `dernière sauvegarde il y a ${value} h`,
    },
  },
);

/** A job run by the real pipeline (engine, dispatcher, run record) reporting the given observations. */
export async function runFixtureJob(
  observations: Observation[],
  iso: string,
  configure: (config: MonitoringConfig) => void = () => undefined,
): Promise<RunResult> {
  const config = defaultConfig([...fixtureRules]);
  configure(config);
  const job: JobDefinition = {
    name: 'fixture',
    exportName: 'runFixture',
    description: 'test job',
    schedule: 'every 1 hours',
    timeZone: 'Europe/Paris',
    periodMinutes: 60,
    retryCount: 0,
    timeoutSeconds: 60,
    secrets: [],
    load: async () => ({
      run: async (ctx) => {
        for (const observation of observations) ctx.observe(observation);
      },
    }),
  };
  const now = new Date(iso);
  return executeRun(
    job,
    { trigger: 'test', now, tickMs: now.getTime() },
    { config, rule: (id) => (fixtureRules as RuleDefinition[]).find((rule) => rule.id === id) ?? getRule(id) },
  );
}

export const paymentFailures = (count: number, value = 5): Observation[] =>
  Array.from({ length: count }, (_, index) => ({ ruleId: 'fixture_payment_failures', key: `acct-${String(index).padStart(3, '0')}`, value }));

/** Seeded pseudo-random generator (mulberry32): the same seed gives the same sequence. */
export function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/**
 * Stands in for the functional monitoring job in the job catalogue (replacing the real one while a
 * test needs a run it controls): it records the options of each run and can be held mid-run.
 */
export interface FunctionalStandIn {
  runs: Array<Record<string, string>>;
  /** Makes the next runs wait (mid-run) until `release()`. */
  hold(): void;
  release(): void;
  /** Resolves once a held run is waiting. */
  waiting(): Promise<void>;
  failWith(error: Error | null): void;
  restore(): void;
}

export function installFunctionalStandIn(checks: readonly string[] = ['all', 'critical', 'signup', 'booking', 'tracking', 'payment']): FunctionalStandIn {
  const runs: Array<Record<string, string>> = [];
  let gate: Promise<void> | null = null;
  let open: () => void = () => undefined;
  let arrived: () => void = () => undefined;
  let arrival = new Promise<void>((resolve) => (arrived = resolve));
  let failure: Error | null = null;
  const job: JobDefinition = {
    name: 'functional',
    exportName: 'runFunctionalHealthCheck',
    description: 'stand-in for the functional job',
    schedule: '0 9,18 * * *',
    timeZone: 'Europe/Paris',
    periodMinutes: 720,
    retryCount: 0,
    timeoutSeconds: 300,
    secrets: [],
    options: [{ name: 'check', values: checks, default: 'all', description: 'check set' }],
    load: async () => ({
      run: async (ctx) => {
        runs.push({ ...ctx.options });
        if (gate) {
          arrived();
          await gate;
        }
        if (failure) throw failure;
        return { checks: ctx.options.check };
      },
    }),
  };
  const index = JOBS.findIndex((entry) => entry.name === 'functional');
  const original = index === -1 ? null : JOBS[index];
  if (index === -1) JOBS.push(job);
  else JOBS[index] = job;
  return {
    runs,
    hold: () => {
      gate = new Promise<void>((resolve) => (open = resolve));
      arrival = new Promise<void>((resolve) => (arrived = resolve));
    },
    release: () => {
      gate = null;
      open();
    },
    waiting: () => arrival,
    failWith: (error) => {
      failure = error;
    },
    restore: () => {
      const at = JOBS.indexOf(job);
      if (at === -1) return;
      if (original) JOBS[at] = original;
      else JOBS.splice(at, 1);
    },
  };
}
