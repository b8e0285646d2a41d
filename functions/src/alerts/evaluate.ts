/**
 * Turns a monitor's measurements into evaluations against the effective rule settings. Pure logic:
 * the only place where a value is compared with a threshold.
 */
import { createHash } from 'node:crypto';
import type { MonitoringConfig, RuleSettings } from '../config/schema';
import { containsPersonalData } from '../notifications/mask';
import { redactDeep, redactText } from '../platform/redact';
import { ALERT_COLLECTIONS, getRule, severityRank, type Domain, type RuleDefinition, type Severity, type Unit } from '../rules';

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
}

/** What an alert would say if the condition fires: everything a person needs to act. */
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
  const window = rule.window ? rule.window(params) : null;
  // Alert text and metadata never keep a secret echoed by a vendor or the app (platform/redact.ts).
  const details = redactDeep(observation.details ?? {});
  const candidate: Candidate = {
    ruleId: rule.id,
    key,
    stateId,
    domain: rule.domain,
    collection: ALERT_COLLECTIONS[rule.domain],
    category: rule.category,
    severity: severityFor(settings, rule.direction, value),
    title: redactText(key ? `${rule.title}: ${key}` : rule.title),
    message: redactText(rule.message({ value, threshold: settings.threshold, key, window, params, details })),
    value,
    threshold: settings.threshold,
    direction: rule.direction,
    unit: rule.unit,
    window,
    sample: observation.sample ?? null,
    impact: rule.impact,
    suggestedAction: rule.suggestedAction,
    runbookUrl: runbookUrl(runbookBase, rule.id),
    details,
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
  if (beyond(rule.direction, value, settings.threshold)) {
    return { ...base, status: 'breach', recovered: false, reason: null, candidate };
  }
  const recovered = !beyond(rule.direction, value, settings.recoveryThreshold);
  return { ...base, status: 'ok', recovered, reason: null, candidate };
}
