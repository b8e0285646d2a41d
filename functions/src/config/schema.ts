/**
 * Runtime configuration: the built-in defaults and the schema an override document must follow.
 * Rule sections are generated from the rule catalogue, so adding a rule adds its settings here.
 */
import { z } from 'zod';
import {
  DEFAULT_INHIBITIONS,
  DEFAULT_LOCALE,
  DEFAULT_TIME_ZONE,
  INHIBITION_FIELDS,
  isIntegerParam,
  isTimeZone,
  LOCALES,
  RULES,
  SEVERITIES,
  severityRank,
  type InhibitionRule,
  type Locale,
  type RuleDefinition,
  type Severity,
  inhibitionOrder,
} from '../rules';
import { ALERT_EMAIL_TO, ALERT_SMS_TO, listParam } from './params';
import {
  DEFAULT_EXTERNAL_HEARTBEAT,
  DEFAULT_PROBES,
  externalHeartbeatOverrideSchema,
  mergeExternalHeartbeat,
  mergeProbes,
  probesOverrideSchema,
  type ExternalHeartbeatSettings,
  type ProbeSettings,
} from './probes';
import { SAFE_SUBJECT } from './subjects';

// The channel list is the channels' registry (data only, below config): see notifications/channels/manifests.ts.
import { CHANNELS, type ChannelName } from '../notifications/channels/manifests';

export { CHANNELS, type ChannelName };

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

export interface VendorSettings {
  /** Hard limit for one call to a vendor API (Stripe, PayPal, Twilio) made by a check. */
  timeoutMs: number;
}

export interface MetricsSettings {
  /** Currencies whose captured volume and average payment are charted (ISO 4217). */
  currencies: string[];
}

/** Severities that are re-notified when nobody acknowledges them. */
export const ESCALATING_SEVERITIES = ['critical', 'emergency'] as const;
export type EscalatingSeverity = (typeof ESCALATING_SEVERITIES)[number];

export interface EscalationSettings {
  /** false: unacknowledged alerts are never re-notified at the next level. */
  enabled: boolean;
  /**
   * Minutes an open alert of this severity may stay unacknowledged before it is notified once more,
   * at the next severity's channels (emergency: at its own channels again).
   */
  afterMinutes: Record<EscalatingSeverity, number>;
}

export interface RetentionSettings {
  /** Resolved alerts are deleted this long after their resolution. */
  resolvedAlertsDays: number;
  /** payment_metrics and functional_metrics documents older than this are deleted. */
  metricsDays: number;
  /** Run records, delivery records and trigger claims older than this are deleted. */
  runRecordsDays: number;
  /** Deletes per WriteBatch (Firestore allows at most 500 writes per batch). */
  batchSize: number;
  /** The cleanup job starts no new batch after this many seconds (its function timeout is 540 s). */
  timeBudgetSeconds: number;
}

/** How alert texts read: their language and the time zone of the dates they show. */
export interface PresentationSettings {
  /** Language of every text an on-call person reads (alert title, message, impact, action, message framing). */
  locale: Locale;
  /** IANA time zone of the dates and times in messages (shown with their UTC offset). */
  timeZone: string;
}

export interface FormsSettings {
  /**
   * Known form names. Empty: forms are discovered from form_errors (bounded, ranked by errors).
   * Set: exactly these forms are evaluated and errors of any other name are only counted in bulk.
   */
  allowlist: string[];
}

/** Coverage of windowed rules between evaluations (see monitors/coverage.ts). */
export interface CoverageSettings {
  /** After missed runs, a scheduled evaluation looks back at most this far. */
  maxLookbackMinutes: number;
}

/** The fast-path job (`fast`, fired every 5 minutes by Cloud Scheduler). */
export interface FastPathSettings {
  enabled: boolean;
  /** Evaluates only on ticks that are a multiple of this many minutes (5 = every firing). */
  everyMinutes: number;
}

/** Which open alerts mute which (rules/inhibitions.ts). */
export interface InhibitionSettings {
  /** false: every alert is notified, whatever else is open. */
  enabled: boolean;
  /** Replaces the built-in list as a whole (rules/inhibitions.ts). */
  rules: InhibitionRule[];
}

/** What is folded into one message per channel and severity (notifications/group.ts). */
export const GROUP_BY = ['domain', 'category', 'all', 'none'] as const;
export type GroupBy = (typeof GROUP_BY)[number];

export interface GroupingSettings {
  /** Messages of the same channel, severity and event kind are folded together when their alerts share
   *  this field (`all`: whatever their domain; `none`: one message per alert, as before grouping). */
  by: GroupBy;
  /** A group is sent once its oldest message has waited this long (0: at once, by the run that
   *  planned it); until then later runs may add to it. Sent by the first run after the wait. */
  waitSeconds: number;
}

export interface MonitoringConfig {
  rules: Record<string, RuleSettings>;
  routing: Record<Severity, ChannelName[]>;
  recipients: { emails: string[]; phones: string[] };
  notifications: NotificationSettings;
  vendors: VendorSettings;
  metrics: MetricsSettings;
  escalation: EscalationSettings;
  retention: RetentionSettings;
  presentation: PresentationSettings;
  /** HTTP probes of the app's endpoints (config/probes.ts). */
  probes: ProbeSettings;
  /** Ping of an outside dead man's switch by each watchdog run (config/probes.ts). */
  externalHeartbeat: ExternalHeartbeatSettings;
  forms: FormsSettings;
  coverage: CoverageSettings;
  fastPath: FastPathSettings;
  inhibition: InhibitionSettings;
  grouping: GroupingSettings;
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

export const DEFAULT_VENDORS: VendorSettings = { timeoutMs: 10_000 };
export const DEFAULT_METRICS: MetricsSettings = { currencies: ['EUR'] };
export const DEFAULT_ESCALATION: EscalationSettings = {
  enabled: true,
  afterMinutes: { critical: 120, emergency: 30 },
};

export const DEFAULT_RETENTION: RetentionSettings = {
  resolvedAlertsDays: 30,
  metricsDays: 60,
  runRecordsDays: 30,
  batchSize: 500,
  timeBudgetSeconds: 420,
};

export const DEFAULT_PRESENTATION: PresentationSettings = { locale: DEFAULT_LOCALE, timeZone: DEFAULT_TIME_ZONE };
export const DEFAULT_FORMS: FormsSettings = { allowlist: [] };
export const DEFAULT_COVERAGE: CoverageSettings = { maxLookbackMinutes: 1440 };
export const DEFAULT_FAST_PATH: FastPathSettings = { enabled: true, everyMinutes: 5 };

export const DEFAULT_INHIBITION: InhibitionSettings = { enabled: true, rules: structuredClone([...DEFAULT_INHIBITIONS]) };
export const DEFAULT_GROUPING: GroupingSettings = { by: 'all', waitSeconds: 0 };

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
    vendors: structuredClone(DEFAULT_VENDORS),
    metrics: structuredClone(DEFAULT_METRICS),
    escalation: structuredClone(DEFAULT_ESCALATION),
    retention: structuredClone(DEFAULT_RETENTION),
    presentation: structuredClone(DEFAULT_PRESENTATION),
    probes: structuredClone(DEFAULT_PROBES),
    externalHeartbeat: structuredClone(DEFAULT_EXTERNAL_HEARTBEAT),
    forms: structuredClone(DEFAULT_FORMS),
    coverage: structuredClone(DEFAULT_COVERAGE),
    fastPath: structuredClone(DEFAULT_FAST_PATH),
    inhibition: structuredClone(DEFAULT_INHIBITION),
    grouping: structuredClone(DEFAULT_GROUPING),
  };
}

const severitySchema = z.enum(SEVERITIES);
const E164 = /^\+[1-9]\d{6,14}$/;

function ruleOverrideSchema(rule: RuleDefinition) {
  const value = z.number().finite().min(rule.thresholdRange.min).max(rule.thresholdRange.max);
  const params = Object.fromEntries(
    Object.entries(rule.params ?? {}).map(([name, spec]) => [
      name,
      (isIntegerParam(spec) ? z.number().int() : z.number().finite()).min(spec.min).max(spec.max),
    ]),
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

/** One inhibition of the override: rule ids must exist, a rule never mutes itself. */
function inhibitionRuleSchema(rules: readonly RuleDefinition[]) {
  const ids = new Set(rules.map((rule) => rule.id));
  const ruleId = z.string().refine((id) => ids.has(id), { error: (issue) => `unknown rule "${String(issue.input)}"` });
  const keys = z.array(z.string().min(1).max(200)).min(1).max(50);
  return z
    .object({
      source: ruleId,
      sourceKeys: keys.optional(),
      targets: z.array(ruleId).min(1).max(50),
      targetKeys: keys.optional(),
      equal: z.array(z.enum(INHIBITION_FIELDS)).max(INHIBITION_FIELDS.length),
      reason: z.string().max(1000).optional(),
    })
    .strict()
    .refine((rule) => !rule.targets.includes(rule.source), { error: 'a rule cannot inhibit itself (source is among targets)', path: ['targets'] });
}

/** Sources before targets: a list where A mutes B and B mutes A would mute both forever. Linear (a topological sort). */
function acyclic(list: Array<{ source: string; targets: string[] }>): boolean {
  // A rule naming itself as a target is reported on its own (above).
  return 'ranks' in inhibitionOrder(list.map((rule) => ({ source: rule.source, targets: rule.targets.filter((target) => target !== rule.source) })));
}

/** Schema of the override document (every field optional, unknown fields rejected). */
export function overrideSchema(rules: readonly RuleDefinition[] = RULES) {
  return z
    .object({
      rules: z
        .object(Object.fromEntries(rules.map((rule) => [rule.id, ruleOverrideSchema(rule)])))
        .strict()
        .partial(),
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
      vendors: z
        .object({ timeoutMs: z.number().int().min(1_000).max(60_000) })
        .strict()
        .partial(),
      metrics: z
        .object({
          currencies: z
            .array(z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as EUR'))
            .min(1)
            .max(5),
        })
        .strict()
        .partial(),
      escalation: z
        .object({
          enabled: z.boolean(),
          afterMinutes: z
            .object({
              critical: z.number().int().min(5).max(10_080),
              emergency: z.number().int().min(5).max(10_080),
            })
            .strict()
            .partial(),
        })
        .strict()
        .partial(),
      retention: z
        .object({
          resolvedAlertsDays: z.number().int().min(1).max(3_650),
          metricsDays: z.number().int().min(1).max(3_650),
          runRecordsDays: z.number().int().min(1).max(3_650),
          batchSize: z.number().int().min(1).max(500),
          timeBudgetSeconds: z.number().int().min(0).max(480),
        })
        .strict()
        .partial(),
      presentation: z
        .object({
          locale: z.enum(LOCALES),
          timeZone: z.string().max(64).refine(isTimeZone, 'must be an IANA time zone such as Europe/Paris'),
        })
        .strict()
        .partial(),
      probes: probesOverrideSchema,
      externalHeartbeat: externalHeartbeatOverrideSchema,
      forms: z
        .object({
          allowlist: z
            .array(z.string().regex(SAFE_SUBJECT, 'must be a form name: a letter or digit, then letters, digits, _ . : / - (at most 64 characters)'))
            .max(200)
            .refine((list) => new Set(list).size === list.length, 'form names must not repeat'),
        })
        .strict()
        .partial(),
      coverage: z
        .object({ maxLookbackMinutes: z.number().int().min(60).max(10_080) })
        .strict()
        .partial(),
      fastPath: z
        .object({
          enabled: z.boolean(),
          everyMinutes: z
            .number()
            .int()
            .min(5)
            .max(60)
            .refine((value) => value % 5 === 0, 'must be a multiple of 5 (the function fires every 5 minutes)'),
        })
        .strict()
        .partial(),
      inhibition: z
        .object({
          enabled: z.boolean(),
          rules: z.array(inhibitionRuleSchema(rules)).max(100).refine(acyclic, 'inhibition rules must not form a cycle (A mutes B, B mutes A)'),
        })
        .strict()
        .partial(),
      grouping: z
        .object({
          by: z.enum(GROUP_BY),
          waitSeconds: z.number().int().min(0).max(3_600),
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
        problems.push(`rules.${rule.id}.escalations.${index}.severity: must be more severe than ${settings.severity}, got ${step.severity}`);
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

/** A rejected field and what is used in its place. */
export interface FieldFallback {
  /** Dotted path of the rejected field (`rules.capture_rate.threshold`, `recipients.emails`). */
  field: string;
  /** `last-valid`: the value of the last valid document; `default`: the built-in default. */
  to: 'last-valid' | 'default';
}

export interface ResolvedConfig {
  /** The configuration in force: defaults, then every valid field of the override. */
  config: MonitoringConfig;
  /** One line per problem, naming the field (empty when the override is valid). */
  problems: string[];
  /** Each rejected field and what replaced it. */
  fallbacks: FieldFallback[];
  /** The override with rejected fields replaced by their last valid values (or removed): the next
   *  "last valid" document. */
  accepted: Record<string, unknown>;
}

type Path = Array<string | number>;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as { constructor?: { name?: string } } | null;
  return proto === null || proto.constructor?.name === 'Object';
}

/** Deep copy of plain objects and arrays; other values (Timestamps...) are shared. */
function copy<T>(value: T): T {
  if (Array.isArray(value)) return value.map(copy) as T;
  if (isPlainObject(value)) return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, copy(item)])) as T;
  return value;
}

/** A field is an object member; an array is one field (a bad entry rejects the whole list). */
function fieldPath(path: readonly PropertyKey[]): Path {
  const result: Path = [];
  for (const segment of path) {
    if (typeof segment === 'number') break;
    result.push(String(segment));
  }
  return result;
}

function getPath(value: unknown, path: Path): unknown {
  let current = value;
  for (const segment of path) {
    if (!isPlainObject(current)) return undefined;
    current = current[segment as string];
  }
  return current;
}

function deletePath(value: Record<string, unknown>, path: Path): void {
  const parent = getPath(value, path.slice(0, -1));
  if (isPlainObject(parent)) delete parent[path[path.length - 1] as string];
}

function setPath(value: Record<string, unknown>, path: Path, item: unknown): void {
  let current = value;
  for (const segment of path.slice(0, -1)) {
    if (!isPlainObject(current[segment as string])) current[segment as string] = {};
    current = current[segment as string] as Record<string, unknown>;
  }
  current[path[path.length - 1] as string] = item;
}

/** Removes every field the schema rejects, one pass per nesting level; returns the problems and paths. */
function stripInvalid(document: Record<string, unknown>, rules: readonly RuleDefinition[]): { problems: string[]; rejected: Path[] } {
  const schema = overrideSchema(rules);
  const problems: string[] = [];
  const rejected: Path[] = [];
  for (let pass = 0; pass < 20; pass += 1) {
    const parsed = schema.safeParse(document);
    if (parsed.success) break;
    problems.push(...formatIssues(parsed.error.issues));
    for (const issue of parsed.error.issues) {
      const base = fieldPath(issue.path);
      const paths = issue.code === 'unrecognized_keys' && base.length === issue.path.length ? issue.keys.map((key) => [...base, key]) : [base];
      for (const path of paths) {
        if (path.length === 0) {
          for (const key of Object.keys(document)) delete document[key];
        } else {
          deletePath(document, path);
        }
        rejected.push(path);
      }
    }
  }
  return { problems, rejected };
}

/**
 * The document as the schema reads it (defaults of nested entries filled in, e.g. a probe endpoint's),
 * once the invalid fields are stripped; the stored document keeps what people wrote.
 */
function parsedOverride(document: Record<string, unknown>, rules: readonly RuleDefinition[]): ConfigOverride {
  const parsed = overrideSchema(rules).safeParse(document);
  return (parsed.success ? parsed.data : document) as ConfigOverride;
}

function mergeOverride(base: MonitoringConfig, value: ConfigOverride, rules: readonly RuleDefinition[]): MonitoringConfig {
  return {
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
            recoveryThreshold: own?.recoveryThreshold ?? rule.recoveryThreshold ?? threshold,
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
    vendors: { ...base.vendors, ...value.vendors },
    metrics: { ...base.metrics, ...value.metrics },
    escalation: {
      ...base.escalation,
      ...value.escalation,
      afterMinutes: { ...base.escalation.afterMinutes, ...value.escalation?.afterMinutes },
    },
    retention: { ...base.retention, ...value.retention },
    presentation: { ...base.presentation, ...value.presentation },
    probes: mergeProbes(base.probes, value.probes),
    externalHeartbeat: mergeExternalHeartbeat(base.externalHeartbeat, value.externalHeartbeat),
    forms: { ...base.forms, ...value.forms },
    coverage: { ...base.coverage, ...value.coverage },
    fastPath: { ...base.fastPath, ...value.fastPath },
    inhibition: { ...base.inhibition, ...(value.inhibition as Partial<InhibitionSettings> | undefined) },
    grouping: { ...base.grouping, ...value.grouping },
  };
}

/**
 * Validates an override field by field and merges it over the defaults. A rejected field takes its
 * value from `lastValid` (the last document accepted, see config/load.ts) when it has one, else the
 * default; every other field of the override applies. Values checked against each other (a rule's
 * recovery point, escalation steps) fall back together: the whole `rules.<id>` section.
 */
export function resolveConfig(override: unknown, rules: readonly RuleDefinition[] = RULES, lastValid?: unknown): ResolvedConfig {
  const base = defaultConfig(rules);
  if (override === undefined || override === null) return { config: base, problems: [], fallbacks: [], accepted: {} };
  if (!isPlainObject(override)) {
    const parsed = overrideSchema(rules).safeParse(override);
    const problems = parsed.success ? [] : formatIssues(parsed.error.issues);
    return { config: base, problems, fallbacks: [{ field: '(document)', to: 'default' }], accepted: {} };
  }
  const document = copy(override);
  const first = stripInvalid(document, rules);
  const problems = [...first.problems];
  const restored = new Set<string>();
  const previous = isPlainObject(lastValid) ? lastValid : undefined;
  const restore = (path: Path) => {
    const value = path.length ? getPath(previous, path) : undefined;
    if (value === undefined) return;
    setPath(document, path, copy(value));
    restored.add(path.join('.'));
  };
  first.rejected.forEach(restore);
  // A last valid value that no longer passes (the schema changed since) is dropped too.
  for (const path of stripInvalid(document, rules).rejected) restored.delete(path.join('.'));

  let merged = mergeOverride(base, parsedOverride(document, rules), rules);
  const cross = crossFieldProblems(merged, rules);
  const rejected = first.rejected.map((path) => path.join('.') || '(document)');
  if (cross.length) {
    problems.push(...cross);
    const ruleIds = [...new Set(cross.map((problem) => problem.split('.')[1]))];
    for (const ruleId of ruleIds) {
      const path = ['rules', ruleId];
      deletePath(document, path);
      rejected.push(path.join('.'));
      restore(path);
    }
    merged = mergeOverride(base, parsedOverride(document, rules), rules);
    for (const ruleId of new Set(crossFieldProblems(merged, rules).map((problem) => problem.split('.')[1]))) {
      deletePath(document, ['rules', ruleId]);
      restored.delete(`rules.${ruleId}`);
    }
    merged = mergeOverride(base, parsedOverride(document, rules), rules);
  }
  const fallbacks = [...new Set(rejected)].map((field): FieldFallback => ({ field, to: restored.has(field) ? 'last-valid' : 'default' }));
  return { config: merged, problems, fallbacks, accepted: document };
}
