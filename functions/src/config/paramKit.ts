/**
 * The kit every param and secret is declared with (config/params.ts for the deployment's own, each
 * channel's manifest for its own: notifications/channels/<name>/manifest.ts) and read with. No SDK
 * imports, no import of a declaration: the floor below every module that declares params.
 */
import { defineBoolean, defineList, defineSecret, defineString } from 'firebase-functions/params';

export type StringParam = ReturnType<typeof defineString>;
export type SecretParam = ReturnType<typeof defineSecret>;
export type ListParam = ReturnType<typeof defineList>;
export type BooleanParam = ReturnType<typeof defineBoolean>;

export interface ParamEntry {
  param: StringParam | SecretParam | ListParam | BooleanParam;
  kind: 'secret' | 'string' | 'list' | 'boolean';
  /** Value used when nothing is set; only real values (never empty, never a placeholder). */
  defaultValue?: string;
  /** The value that turns the feature off on purpose (optional params and secrets). */
  optOut?: string;
  /** What stops working when it is missing. */
  usedBy: string;
  description: string;
  example: string;
}

/** The explicit "go without" value. Secret Manager cannot hold an empty secret; a param prompt cannot take an empty answer. */
export const OPT_OUT = 'none';
const optOutText = (what: string) => ` Set to \`${OPT_OUT}\` to deploy without ${what}.`;

export function secret(name: string, usedBy: string, description: string, example: string, without: string): ParamEntry {
  const text = description + optOutText(without);
  return { param: defineSecret(name, { description: text }), kind: 'secret', optOut: OPT_OUT, usedBy, description: text, example };
}

/** A string param the deploy asks for (no default); `without` describes what `none` turns off. */
export function required(name: string, usedBy: string, description: string, example: string, without: string): ParamEntry {
  const text = description + optOutText(without);
  return { param: defineString(name, { description: text }), kind: 'string', optOut: OPT_OUT, usedBy, description: text, example };
}

export function withDefault(
  name: string,
  defaultValue: string,
  usedBy: string,
  description: string,
  example: string,
  options: readonly string[] = [],
): ParamEntry {
  const input = options.length ? { select: { options: options.map((value) => ({ value })) } } : undefined;
  return {
    param: defineString(name, { default: defaultValue, description, ...(input ? { input } : {}) }),
    kind: 'string',
    defaultValue,
    usedBy,
    description,
    example,
  };
}

export function list(name: string, usedBy: string, description: string, example: string, without: string): ParamEntry {
  const text = description + optOutText(without);
  return { param: defineList(name, { description: text }), kind: 'list', optOut: OPT_OUT, usedBy, description: text, example };
}

/** Values that mean "deliberately not configured" (Secret Manager cannot hold an empty secret). */
const UNSET = new Set(['', OPT_OUT, 'disabled', '-']);

/**
 * Example and template values (this file's examples, functions/.env.example, documentation): a copy
 * left unchanged is not a configuration. Each pattern names why it is one. The configuration check
 * (deployment_config_missing) counts such a value as missing, and `npm run check:env` (a predeploy
 * step) refuses to deploy with one.
 */
export const PLACEHOLDER_PATTERNS: ReadonlyArray<readonly [RegExp, string]> = [
  [/your[-_ ]?(org|repo|project|site|domain|company|app|token|key)\b/i, 'a template name (your-org, your-repo...)'],
  [/<(org|repo|site|app|project[^>]*)>/i, 'a template name in angle brackets'],
  // RFC 2606 / 6761: example.com, example.org, example.net and the .example, .test, .invalid top-level domains.
  [/(^|[^a-z0-9-])example\.(com|org|net)($|[^a-z0-9-])/i, 'a reserved example domain (example.com/.org/.net)'],
  [/\.(example|test|invalid)($|[^a-z0-9-])/i, 'a reserved top-level domain (.example, .test, .invalid)'],
  [/(^|[^a-z0-9])acme($|[^a-z0-9])/i, 'the example company name acme'],
  [/0123456|123456789|abcdef012/i, 'a counting sequence (AC0123456789abcdef...)'],
  [/\+\d*?(\d)\1{5}/, 'a phone number with the same digit six times in a row (+33700000000)'],
  [/\.\.\.|\u2026/, 'an elision (...)'],
  [/XXXX/, 'a run of X (XXXX)'],
  [/@o0\.ingest\./i, 'the example Sentry DSN (o0)'],
  [/^\(.*\)$/, 'a description in parentheses instead of a value'],
  [/change[-_ ]?me|replace[-_ ]?me/i, 'a changeme marker'],
];

/** Why a value is an example or template value, or undefined for a value that may be real. */
export function placeholderReason(value: string): string | undefined {
  return PLACEHOLDER_PATTERNS.find(([pattern]) => pattern.test(value))?.[1];
}

export function isPlaceholder(value: string): boolean {
  return placeholderReason(value) !== undefined;
}

/**
 * The value of a param or secret, or undefined when it is missing or opted out. Secrets reach the
 * process as environment variables once bound to the function; params are set by the deploy from
 * functions/.env.<project> (lists as a JSON array) and fall back to their default. Locally (CLI,
 * demo, tests) they are plain environment variables of the same name (lists comma-separated).
 */
export function readParam(entry: ParamEntry): string | undefined {
  const raw = process.env[entry.param.name]?.trim();
  const value = entry.kind === 'list' && raw !== undefined ? listItems(raw).join(',') : raw;
  if (value !== undefined && !UNSET.has(value.toLowerCase())) return value;
  const fallback = entry.defaultValue?.trim();
  return fallback ? fallback : undefined;
}

/** Items of a list param value: a JSON array of strings (as the deploy sets it) or a comma-separated list. */
function listItems(raw: string): string[] {
  let items: unknown = undefined;
  if (raw.startsWith('[')) {
    try {
      items = JSON.parse(raw);
    } catch {
      items = undefined;
    }
  }
  const values = Array.isArray(items) ? items.map(String) : raw.split(',');
  return values.map((item) => item.trim()).filter((item) => item && !UNSET.has(item.toLowerCase()));
}

export function listParam(entry: ParamEntry): string[] {
  const raw = process.env[entry.param.name]?.trim();
  return raw === undefined ? [] : listItems(raw);
}

/** Whether a param or secret has a value (never the value itself). */
export type ParamStatus = 'set' | 'default' | 'disabled' | 'placeholder' | 'missing';

/**
 * Status of the param or secret named `name` in this process: `set` (a value), `default` (unset, a
 * non-empty default applies), `disabled` (explicitly `none`/`disabled`/`-`), `placeholder` (a
 * template value such as `your-org/your-repo`) or `missing`.
 */
export function paramStatus(name: string, defaultValue?: string, env: NodeJS.ProcessEnv = process.env): ParamStatus {
  const raw = env[name]?.trim();
  const text = raw?.startsWith('[') ? listItemsOrRaw(raw) : raw;
  if (text) {
    if (UNSET.has(text.toLowerCase())) return 'disabled';
    return isPlaceholder(text) ? 'placeholder' : 'set';
  }
  return defaultValue?.trim() ? 'default' : 'missing';
}

/** `["none"]` is the list form of `none`; `[]` is empty. */
function listItemsOrRaw(raw: string): string {
  try {
    const parsed: unknown = JSON.parse(raw);
    if (Array.isArray(parsed)) return parsed.map(String).join(',').trim();
  } catch {
    // not JSON: the raw text
  }
  return raw;
}
