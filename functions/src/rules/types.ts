/**
 * The shape of an alert rule. Every rule is defined exactly once (in `rules/<domain>.ts`); its
 * configuration schema, defaults, documentation (docs/alerts.md, docs/runbook.md) and alert text
 * all derive from that definition.
 */
import type { ChannelName } from '../config/schema';
import type { SourceRead } from '../sources/model';
import type { Formatter, Locale } from './locale';

export const SEVERITIES = ['warning', 'critical', 'emergency'] as const;
export type Severity = (typeof SEVERITIES)[number];

export function severityRank(severity: Severity): number {
  return SEVERITIES.indexOf(severity);
}

export const DOMAINS = ['payment', 'functional', 'system'] as const;
export type Domain = (typeof DOMAINS)[number];

/** Where the alerts of each domain are written. */
export const ALERT_COLLECTIONS: Record<Domain, string> = {
  payment: 'payment_alerts',
  functional: 'functional_alerts',
  system: 'system_alerts',
};

export type Unit = 'count' | 'percent' | 'score' | 'amount' | 'hours' | 'minutes';

/** A tunable number of a rule other than its threshold (a window length, an age limit...). */
export interface RuleParamSpec {
  default: number;
  min: number;
  max: number;
  unit: string;
  description: string;
  /** Whole numbers only (query limits, windows, counts). Default true: read it through isIntegerParam. */
  integer?: boolean;
}

/** Whether a parameter takes whole numbers only: the one place this is decided (schema, admin API, docs). */
export function isIntegerParam(spec: RuleParamSpec): boolean {
  return spec.integer !== false;
}

/** Operator-facing runbook text for one rule, rendered into docs/runbook.md. */
export interface RunbookEntry {
  /** What the alert means, in one or two sentences. */
  meaning: string;
  /** How to tell a real incident from a false positive (maintenance, recent deploy, quiet period). */
  confirm: readonly string[];
  /** Where to look to find the cause. */
  diagnose: readonly string[];
  /** What to do about it. */
  fix: readonly string[];
  /** When the incident can be considered over. */
  resolvedWhen: string;
}

export interface MessageInput {
  value: number;
  threshold: number;
  key: string | null;
  window: string | null;
  params: Record<string, number>;
  details: Record<string, unknown>;
  /** Numbers and dates in the language of the message and the configured time zone. */
  format: Formatter;
}

/**
 * The texts of a rule an on-call person reads, in one language. The English ones are the rule's own
 * fields (`title`, `impact`...); every other language sits beside them in the rule (`fr: {...}`).
 */
export interface RuleTexts {
  title: string;
  impact: string;
  suggestedAction: string;
  /** Present exactly when the rule has a `window`. */
  window?: (params: Record<string, number>) => string;
  message: (input: MessageInput) => string;
}

/** What a rule's `channels` hook receives. */
export interface ChannelRouteInput {
  /** Severity the message is sent at. */
  severity: Severity;
  key: string | null;
  /** The configured routing (monitoring_config/settings, or the defaults). */
  routing: Readonly<Record<Severity, readonly ChannelName[]>>;
}

/**
 * How a rule's windows relate to the time between its evaluations (docs/alerts.md derives the
 * detection delays from it):
 * - `sliding`: every window of the length in `params[windowParam]` ending since the previous
 *   scheduled evaluation is examined (monitors/coverage.ts);
 * - `sinceLastSuccess`: attempts are counted since the subject's last success, going back at most
 *   `params[windowParam]` hours.
 * Rules without it measure a state, or one window ending at the evaluation instant.
 */
export type RuleCoverage =
  { kind: 'sliding'; windowParam: string; unit: 'minutes' | 'hours' } | { kind: 'sinceLastSuccess'; windowParam: string; unit: 'minutes' | 'hours' };

export interface RuleDefinition {
  /** Stable identifier: snake_case, unique across all domains (no dots: it is a Firestore map key). */
  id: string;
  domain: Domain;
  /** Finer grouping shown on the alert (stripe, paypal, signup, configuration...). */
  category: string;
  title: string;
  /** What is measured, for the catalogue. */
  summary: string;
  unit: Unit;
  /** `above`: fires when value > threshold. `below`: fires when value < threshold. Equality never fires. */
  direction: 'above' | 'below';
  threshold: number;
  severity: Severity;
  /** Bounds an override of the threshold must respect. */
  thresholdRange: { min: number; max: number };
  /** Present on ratio rules: the rule is only evaluated when the sample reaches this size. */
  minSample?: { default: number; label: string };
  /** Condition must hold on this many consecutive runs before the alert opens (default 1). */
  consecutiveRuns?: number;
  /** Value that must be crossed back before an open alert clears (default: the threshold). */
  recoveryThreshold?: number;
  params?: Record<string, RuleParamSpec>;
  /**
   * Evaluated by the fast-path job (`fast`, every 5 minutes by default) as well as by its domain's job.
   * Only Firestore-only rules measured with aggregation queries belong here; the fast job's rule set,
   * docs/alerts.md and the README derive from this flag.
   */
  fastPath?: boolean;
  coverage?: RuleCoverage;
  /** Human description of the evaluation window, from the effective params. */
  window?: (params: Record<string, number>) => string;
  /** Set when the rule fires separately per subject (a form, a vendor check...): names the subject. */
  keyLabel?: string;
  /** Where the data comes from. */
  source: string;
  /**
   * The app's data the rule reads (logical sources and fields of sources/model.ts). A rule whose read is
   * not mapped (functions/sources.json) is off and says so, instead of counting nothing.
   */
  reads?: readonly SourceRead[];
  impact: string;
  suggestedAction: string;
  /** One-line alert text, built from the measured value. Must not include secrets or personal data. */
  message: (input: MessageInput) => string;
  /**
   * Channels for this rule's messages when they must differ from `routing[severity]`, for example to
   * route around the very channel the alert is about. Used for every event of the rule (opened,
   * escalated, repeat, unacknowledged); "resolved" goes to the channels that received the alert.
   */
  channels?: (input: ChannelRouteInput) => ChannelName[];
  runbook: RunbookEntry;
  /** The French texts, beside the English ones above. */
  fr: RuleTexts;
}

/** The texts of `rule` in `locale`. */
export function ruleTexts(rule: RuleDefinition, locale: Locale): RuleTexts {
  if (locale === 'fr') return rule.fr;
  const { title, impact, suggestedAction, window, message } = rule;
  return { title, impact, suggestedAction, window, message };
}

/** The channels a rule's message at `severity` goes to: the rule's own choice, else the routing. */
export function channelsFor(
  rule: Pick<RuleDefinition, 'channels'> | null | undefined,
  severity: Severity,
  key: string | null,
  routing: Readonly<Record<Severity, readonly ChannelName[]>>,
): ChannelName[] {
  return rule?.channels ? rule.channels({ severity, key, routing }) : [...routing[severity]];
}

export function defineRules<T extends RuleDefinition[]>(...rules: T): T {
  return rules;
}
