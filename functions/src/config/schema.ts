/**
 * Runtime configuration: the built-in defaults and the schema an override document must follow.
 * Rule sections are generated from the rule catalogue, so adding a rule adds its settings here.
 */
import { z } from 'zod';
import { RULES, SEVERITIES, severityRank, type RuleDefinition, type Severity } from '../rules';
import { ALERT_EMAIL_TO, ALERT_SMS_TO, listParam } from './params';

export const CHANNELS = ['slack', 'email', 'sms'] as const;
export type ChannelName = (typeof CHANNELS)[number];

export interface Escalation {
  threshold: number;
  severity: Severity;
}

export interface RuleSettings {
  enabled: boolean;
  threshold: number;
  severity: Severity;
  /** Value that must be crossed back before an open alert clears. */
  recoveryThreshold: number;
  consecutiveRuns: number;
  /** Minimum sample for ratio rules; null for rules without a sample. */
  minSample: number | null;
  /** Higher severities when the value goes further past the threshold. */
  escalations: Escalation[];
  params: Record<string, number>;
}

export interface NotificationSettings {
  /** Minutes before a still-open, unacknowledged alert is notified again; 0 never repeats. */
  repeatIntervalMinutes: Record<Severity, number>;
  /** Hard limit for one delivery attempt to one channel. */
  channelTimeoutMs: number;
  /** Attempts per message and channel before giving up. */
  maxAttempts: number;
  /** First retry delay; doubles on each attempt, capped at six hours. */
  retryBackoffMinutes: number;
}

export interface MonitoringConfig {
  rules: Record<string, RuleSettings>;
  routing: Record<Severity, ChannelName[]>;
  recipients: { emails: string[]; phones: string[] };
  notifications: NotificationSettings;
}

export const DEFAULT_ROUTING: Record<Severity, ChannelName[]> = {
  warning: ['slack'],
  critical: ['email', 'slack'],
  emergency: ['email', 'slack', 'sms'],
};

export const DEFAULT_NOTIFICATIONS: NotificationSettings = {
  repeatIntervalMinutes: { warning: 1440, critical: 240, emergency: 60 },
  channelTimeoutMs: 10_000,
  maxAttempts: 5,
  retryBackoffMinutes: 5,
};

export function ruleDefaults(rule: RuleDefinition): RuleSettings {
  return {
    enabled: true,
    threshold: rule.threshold,
    severity: rule.severity,
    recoveryThreshold: rule.recoveryThreshold ?? rule.threshold,
    consecutiveRuns: rule.consecutiveRuns ?? 1,
    minSample: rule.minSample ? rule.minSample.default : null,
    escalations: [],
    params: Object.fromEntries(Object.entries(rule.params ?? {}).map(([name, spec]) => [name, spec.default])),
  };
}

/** The configuration in force when no override document exists. */
export function defaultConfig(rules: readonly RuleDefinition[] = RULES): MonitoringConfig {
  return {
    rules: Object.fromEntries(rules.map((rule) => [rule.id, ruleDefaults(rule)])),
    routing: structuredClone(DEFAULT_ROUTING),
    recipients: { emails: listParam(ALERT_EMAIL_TO), phones: listParam(ALERT_SMS_TO) },
    notifications: structuredClone(DEFAULT_NOTIFICATIONS),
  };
}

const severitySchema = z.enum(SEVERITIES);
const E164 = /^\+[1-9]\d{6,14}$/;

function ruleOverrideSchema(rule: RuleDefinition) {
  const value = z.number().finite().min(rule.thresholdRange.min).max(rule.thresholdRange.max);
  const params = Object.fromEntries(
    Object.entries(rule.params ?? {}).map(([name, spec]) => [name, z.number().finite().min(spec.min).max(spec.max)]),
  );
  return z
    .object({
      enabled: z.boolean(),
      threshold: value,
      severity: severitySchema,
      recoveryThreshold: value,
      consecutiveRuns: z.number().int().min(1).max(12),
      escalations: z.array(z.object({ threshold: value, severity: severitySchema }).strict()).max(2),
      ...(rule.minSample ? { minSample: z.number().int().min(0).max(10_000_000) } : {}),
      ...(rule.params ? { params: z.object(params).strict().partial() } : {}),
    })
    .strict()
    .partial();
}

function channelList() {
  return z
    .array(z.enum(CHANNELS))
    .max(CHANNELS.length)
    .refine((list) => new Set(list).size === list.length, 'channels must not repeat');
}

/** Schema of the override document (every field optional, unknown fields rejected). */
export function overrideSchema(rules: readonly RuleDefinition[] = RULES) {
  return z
    .object({
      rules: z.object(Object.fromEntries(rules.map((rule) => [rule.id, ruleOverrideSchema(rule)]))).strict().partial(),
      routing: z.object({ warning: channelList(), critical: channelList(), emergency: channelList() }).strict().partial(),
      recipients: z
        .object({
          emails: z.array(z.email()).max(20),
          phones: z.array(z.string().regex(E164, 'must be an E.164 phone number such as +33612345678')).max(10),
        })
        .strict()
        .partial(),
      notifications: z
        .object({
          repeatIntervalMinutes: z
            .object({
              warning: z.number().int().min(0).max(10_080),
              critical: z.number().int().min(0).max(10_080),
              emergency: z.number().int().min(0).max(10_080),
            })
            .strict()
            .partial(),
          channelTimeoutMs: z.number().int().min(1_000).max(60_000),
          maxAttempts: z.number().int().min(1).max(20),
          retryBackoffMinutes: z.number().int().min(1).max(1_440),
        })
        .strict()
        .partial(),
      // Bookkeeping fields written by the admin API; ignored by the monitors.
      updatedAt: z.unknown(),
      updatedBy: z.string().max(200),
    })
    .strict()
    .partial();
}

export type ConfigOverride = z.infer<ReturnType<typeof overrideSchema>>;

/** Checks that need the merged values (an override may change only one side of a pair). */
function crossFieldProblems(config: MonitoringConfig, rules: readonly RuleDefinition[]): string[] {
  const problems: string[] = [];
  for (const rule of rules) {
    const settings = config.rules[rule.id];
    const beyond = (a: number, b: number) => (rule.direction === 'above' ? a > b : a < b);
    if (beyond(settings.recoveryThreshold, settings.threshold)) {
      problems.push(
        `rules.${rule.id}.recoveryThreshold: must be ${rule.direction === 'above' ? 'at most' : 'at least'} the threshold (${settings.threshold}), got ${settings.recoveryThreshold}`,
      );
    }
    settings.escalations.forEach((step, index) => {
      if (!beyond(step.threshold, settings.threshold)) {
        problems.push(
          `rules.${rule.id}.escalations.${index}.threshold: must be ${rule.direction} the threshold (${settings.threshold}), got ${step.threshold}`,
        );
      }
      if (severityRank(step.severity) <= severityRank(settings.severity)) {
        problems.push(
          `rules.${rule.id}.escalations.${index}.severity: must be more severe than ${settings.severity}, got ${step.severity}`,
        );
      }
    });
  }
  return problems;
}

function formatPath(path: PropertyKey[], root: string): string {
  return path.length ? path.map(String).join('.') : root;
}

/** One line per validation issue, naming the field: `rules.capture_rate.threshold: Too big: ...`. */
export function formatIssues(issues: readonly z.core.$ZodIssue[], root = '(document)'): string[] {
  return issues.map((issue) => `${formatPath(issue.path, root)}: ${issue.message}`);
}

export interface ResolvedConfig {
  config: MonitoringConfig;
  problems: string[];
}

/**
 * Validates an override and merges it over the defaults. Returns the problems found; when there are
 * any, `config` is the defaults (the caller decides what to fall back to).
 */
export function resolveConfig(override: unknown, rules: readonly RuleDefinition[] = RULES): ResolvedConfig {
  const base = defaultConfig(rules);
  if (override === undefined || override === null) return { config: base, problems: [] };
  const parsed = overrideSchema(rules).safeParse(override);
  if (!parsed.success) {
    return { config: base, problems: formatIssues(parsed.error.issues) };
  }
  const value = parsed.data;
  const merged: MonitoringConfig = {
    rules: Object.fromEntries(
      rules.map((rule) => {
        const own = value.rules?.[rule.id as keyof typeof value.rules] as Partial<RuleSettings> | undefined;
        const defaults = base.rules[rule.id];
        const threshold = own?.threshold ?? defaults.threshold;
        return [
          rule.id,
          {
            ...defaults,
            ...own,
            // An override of the threshold alone moves the default recovery point with it.
            recoveryThreshold: own?.recoveryThreshold ?? (rule.recoveryThreshold ?? threshold),
            params: { ...defaults.params, ...(own?.params ?? {}) },
          } as RuleSettings,
        ];
      }),
    ),
    routing: { ...base.routing, ...value.routing },
    recipients: { ...base.recipients, ...value.recipients },
    notifications: {
      ...base.notifications,
      ...value.notifications,
      repeatIntervalMinutes: { ...base.notifications.repeatIntervalMinutes, ...value.notifications?.repeatIntervalMinutes },
    },
  };
  const problems = crossFieldProblems(merged, rules);
  return problems.length ? { config: base, problems } : { config: merged, problems: [] };
}
