/**
 * Turns a monitor's measurements into evaluations against the effective rule settings. Pure logic:
 * the only place where a value is compared with a threshold.
 */
import { createHash } from 'node:crypto';
import type { MonitoringConfig, RuleSettings } from '../config/schema';
import { containsPersonalData } from '../platform/mask';
import { redactDeep, redactText } from '../platform/redact';
import {
  ALERT_COLLECTIONS,
  LOCALES,
  formatterFor,
  getRule,
  ruleTexts,
  severityRank,
  type Domain,
  type Locale,
  type RuleDefinition,
  type Severity,
  type Unit,
} from '../rules';

/** One measurement made by a monitor for one rule (and one subject, for keyed rules). */
export interface Observation {
  ruleId: string;
  /** Subject of a keyed rule (form name, job/check...). */
  key?: string | null;
  /** The measured value; null when it could not be measured this run. */
  value: number | null;
  /** Size of the population a ratio was computed on. */
  sample?: number;
  /** Context shown with the alert (top error codes, ids...). No secrets, no personal data. */
  details?: Record<string, unknown>;
  /**
   * Threshold of this subject when the monitor derives it from the subject's own history (the
   * blocked rules: monitors/functional/blocked.ts); it replaces the configured threshold and recovery
   * threshold for this evaluation. Absent: the configured ones.
   */
  threshold?: number;
}

/** The texts of an alert in one language. */
export interface AlertTexts {
  title: string;
  message: string;
  impact: string;
  suggestedAction: string;
  window: string | null;
}

/**
 * What an alert would say if the condition fires: everything a person needs to act. The texts
 * (title, message, impact, suggestedAction, window) are in the configured locale; `i18n` holds them
 * in every language, for readers that want another one (dashboard, acknowledge page).
 */
export interface Candidate {
  ruleId: string;
  key: string | null;
  stateId: string;
  domain: Domain;
  collection: string;
  category: string;
  severity: Severity;
  title: string;
  message: string;
  value: number;
  threshold: number;
  direction: 'above' | 'below';
  unit: Unit;
  window: string | null;
  sample: number | null;
  impact: string;
  suggestedAction: string;
  runbookUrl: string;
  details: Record<string, unknown>;
  /** Language of the texts above (`presentation.locale` at evaluation time). */
  locale: Locale;
  i18n: Record<Locale, AlertTexts>;
}

export type EvaluationStatus = 'breach' | 'ok' | 'unknown' | 'disabled';

export interface Evaluation {
  rule: RuleDefinition;
  settings: RuleSettings;
  key: string | null;
  stateId: string;
  status: EvaluationStatus;
  /** For `ok`: whether the value is back past the recovery threshold (an open alert may clear). */
  recovered: boolean;
  /** Why the rule could not be decided (`unknown`) or was skipped (`disabled`). */
  reason: string | null;
  /** Present whenever a value was measured. */
  candidate: Candidate | null;
}

/** Renders a rule's texts in one language; dates in messages go to `timeZone`. */
export function alertTexts(
  rule: RuleDefinition,
  locale: Locale,
  timeZone: string,
  input: { value: number; threshold: number; key: string | null; params: Record<string, number>; details: Record<string, unknown> },
): AlertTexts {
  const texts = ruleTexts(rule, locale);
  const window = texts.window ? texts.window(input.params) : null;
  return {
    // Keys and details come from data: a secret echoed by a vendor or the app never stays in the text.
    title: redactText(input.key ? `${texts.title}: ${input.key}` : texts.title),
    message: redactText(texts.message({ ...input, window, format: formatterFor(locale, timeZone) })),
    impact: texts.impact,
    suggestedAction: texts.suggestedAction,
    window,
  };
}

/**
 * Deterministic id of the (rule, subject) pair: the alert state document's id (alert ids start with
 * it). A readable slug of the key, except for keys that contain an email address or a phone number:
 * their id is the hash alone, so that ids shown in Slack, SMS and the dashboard carry no contact data.
 */
export function stateIdFor(ruleId: string, key: string | null | undefined): string {
  if (key === null || key === undefined || key === '') return ruleId;
  if (containsPersonalData(key)) return `${ruleId}~pd-${createHash('sha256').update(key).digest('hex').slice(0, 16)}`;
  const slug = key
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 40);
  const hash = createHash('sha256').update(key).digest('hex').slice(0, 8);
  return `${ruleId}~${slug || 'key'}-${hash}`;
}

export function runbookUrl(base: string, ruleId: string): string {
  return `${base}#rule-${ruleId}`;
}

function beyond(direction: 'above' | 'below', value: number, limit: number): boolean {
  return direction === 'above' ? value > limit : value < limit;
}

export function severityFor(settings: RuleSettings, direction: 'above' | 'below', value: number): Severity {
  let severity = settings.severity;
  for (const step of settings.escalations) {
    if (beyond(direction, value, step.threshold) && severityRank(step.severity) > severityRank(severity)) {
      severity = step.severity;
    }
  }
  return severity;
}

export function evaluate(
  observation: Observation,
  config: MonitoringConfig,
  runbookBase: string,
  rule: RuleDefinition = getRule(observation.ruleId),
): Evaluation {
  const settings = config.rules[rule.id];
  if (!settings) throw new Error(`No settings for rule "${rule.id}"`);
  const key = observation.key ?? null;
  const stateId = stateIdFor(rule.id, key);
  const base = { rule, settings, key, stateId };

  if (!settings.enabled) return { ...base, status: 'disabled', recovered: true, reason: 'rule disabled in configuration', candidate: null };
  const { value } = observation;
  if (value === null || !Number.isFinite(value)) {
    return { ...base, status: 'unknown', recovered: false, reason: 'not measured this run', candidate: null };
  }

  const params = settings.params;
  // Alert text and metadata never keep a secret echoed by a vendor or the app (platform/redact.ts).
  const details = redactDeep(observation.details ?? {});
  const { locale, timeZone } = config.presentation;
  const own = observation.threshold !== undefined && Number.isFinite(observation.threshold) ? observation.threshold : null;
  const threshold = own ?? settings.threshold;
  const recoveryThreshold = own ?? settings.recoveryThreshold;
  const input = { value, threshold, key, params, details };
  const i18n = Object.fromEntries(LOCALES.map((each) => [each, alertTexts(rule, each, timeZone, input)])) as Record<Locale, AlertTexts>;
  const texts = i18n[locale];
  const candidate: Candidate = {
    ruleId: rule.id,
    key,
    stateId,
    domain: rule.domain,
    collection: ALERT_COLLECTIONS[rule.domain],
    category: rule.category,
    severity: severityFor(settings, rule.direction, value),
    title: texts.title,
    message: texts.message,
    value,
    threshold,
    direction: rule.direction,
    unit: rule.unit,
    window: texts.window,
    sample: observation.sample ?? null,
    impact: texts.impact,
    suggestedAction: texts.suggestedAction,
    runbookUrl: runbookUrl(runbookBase, rule.id),
    details,
    locale,
    i18n,
  };

  if (settings.minSample !== null && (observation.sample ?? 0) < settings.minSample) {
    return {
      ...base,
      status: 'unknown',
      recovered: false,
      reason: `sample of ${observation.sample ?? 0} ${rule.minSample?.label ?? 'items'} is below the minimum of ${settings.minSample}`,
      candidate,
    };
  }
  if (beyond(rule.direction, value, threshold)) {
    return { ...base, status: 'breach', recovered: false, reason: null, candidate };
  }
  const recovered = !beyond(rule.direction, value, recoveryThreshold);
  return { ...base, status: 'ok', recovered, reason: null, candidate };
}
