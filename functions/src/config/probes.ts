/**
 * Configuration of the checks made from the outside: HTTP probes of the app's endpoints and the
 * external heartbeat (a dead man's switch outside the project). Part of the runtime configuration
 * (`probes` and `externalHeartbeat` in monitoring_config/settings); see docs/probes.md.
 *
 * Also holds the tiny JSON condition language of a probe (`$.status == "ok"`), parsed here so that a
 * bad condition is rejected with the configuration, not discovered by the probe.
 */
import { z } from 'zod';
import { checkUrlTarget, outboundPolicy } from '../platform/outbound';
import { PROBE_CREDENTIAL_HOSTS, PROBE_SECRETS, readParam } from './params';

/** A header value: literal text, or the name of a secret bound to the probes function. */
export type ProbeHeaderValue = string | { secret: string };

export interface ProbeEndpoint {
  /** Identifies the endpoint: alert key, history document id (lowercase letters, digits, `-`, `_`). */
  name: string;
  url: string;
  method: 'GET' | 'HEAD' | 'POST';
  headers: Record<string, ProbeHeaderValue>;
  /** Request body (POST only). */
  body: string | null;
  /** Statuses that count as up. */
  expectedStatus: number[];
  /** Latency budget: `http_probe_slow` compares the p95 latency with it. */
  maxLatencyMs: number;
  /** The body must contain this text. */
  bodyContains: string | null;
  /** The body must be JSON satisfying this condition, for example `$.status == "ok"`. */
  jsonCondition: string | null;
  /** Hard limit for this endpoint (defaults to `probes.timeoutMs`). */
  timeoutMs: number | null;
  enabled: boolean;
}

export interface ProbeSettings {
  endpoints: ProbeEndpoint[];
  /** Hard limit for one probe (connection, response and body), unless the endpoint sets its own. */
  timeoutMs: number;
  /** Results kept per endpoint (at one run every 5 minutes, 288 is one day). */
  historySize: number;
}

export interface ExternalHeartbeatSettings {
  /** Ping URL (healthchecks.io convention: `<url>/start`, `<url>`, `<url>/fail`); null: no ping. */
  url: string | null;
  /** Hard limit for one ping. */
  timeoutMs: number;
}

export const DEFAULT_PROBES: ProbeSettings = { endpoints: [], timeoutMs: 10_000, historySize: 288 };
export const DEFAULT_EXTERNAL_HEARTBEAT: ExternalHeartbeatSettings = { url: null, timeoutMs: 5_000 };

export const PROBE_SECRET_NAMES: readonly string[] = PROBE_SECRETS.map((entry) => entry.param.name);

// ---------------------------------------------------------------------------------------------
// JSON condition: `<path> [<op> <literal>]`, path `$`, `.name` and `[index]` steps; op one of
// == != < <= > >=; literal a JSON string, number, true, false or null. Without an operator, the
// value at the path must exist and be neither null nor false. No eval: a hand-written parser.

export type JsonLiteral = string | number | boolean | null;
export type PathStep = string | number;
export const CONDITION_OPERATORS = ['==', '!=', '<=', '>=', '<', '>'] as const;
export type ConditionOperator = (typeof CONDITION_OPERATORS)[number];

export interface JsonCondition {
  path: PathStep[];
  operator: ConditionOperator | null;
  expected: JsonLiteral;
}

const MAX_CONDITION_LENGTH = 200;

/** Parses a condition; throws an Error saying what is wrong. */
export function parseJsonCondition(text: string): JsonCondition {
  if (text.length > MAX_CONDITION_LENGTH) throw new Error(`condition longer than ${MAX_CONDITION_LENGTH} characters`);
  let at = 0;
  const skipSpaces = () => {
    while (at < text.length && text[at] === ' ') at += 1;
  };
  skipSpaces();
  if (text[at] !== '$') throw new Error('condition must start with $ (for example $.status == "ok")');
  at += 1;
  const path: PathStep[] = [];
  while (at < text.length && (text[at] === '.' || text[at] === '[')) {
    if (text[at] === '.') {
      const match = /^[A-Za-z_][A-Za-z0-9_-]*/.exec(text.slice(at + 1));
      if (!match) throw new Error(`expected a field name after "." at position ${at + 1}`);
      path.push(match[0]);
      at += 1 + match[0].length;
    } else {
      const match = /^\[(\d{1,6})\]/.exec(text.slice(at)) ?? /^\["((?:[^"\\]|\\.)*)"\]/.exec(text.slice(at));
      if (!match) throw new Error(`expected [index] or ["field"] at position ${at}`);
      path.push(/^\d+$/.test(match[1]) && match[0][1] !== '"' ? Number(match[1]) : (JSON.parse(`"${match[1]}"`) as string));
      at += match[0].length;
    }
  }
  skipSpaces();
  if (at === text.length) return { path, operator: null, expected: null };
  const operator = CONDITION_OPERATORS.find((op) => text.startsWith(op, at));
  if (!operator) throw new Error(`expected one of ${CONDITION_OPERATORS.join(' ')} at position ${at}, got "${text.slice(at, at + 10)}"`);
  at += operator.length;
  const literalText = text.slice(at).trim();
  if (!literalText) throw new Error(`expected a value after ${operator}`);
  let expected: unknown;
  try {
    expected = JSON.parse(literalText);
  } catch {
    throw new Error(`the value after ${operator} must be a JSON string ("ok"), a number, true, false or null; got ${literalText.slice(0, 40)}`);
  }
  if (expected !== null && !['string', 'number', 'boolean'].includes(typeof expected)) {
    throw new Error(`the value after ${operator} must be a string, a number, true, false or null, not an object or array`);
  }
  if ((operator === '<' || operator === '<=' || operator === '>' || operator === '>=') && typeof expected !== 'number') {
    throw new Error(`${operator} compares numbers: the value after it must be a number`);
  }
  return { path, operator, expected: expected as JsonLiteral };
}

export function formatPath(path: readonly PathStep[]): string {
  return `$${path.map((step) => (typeof step === 'number' ? `[${step}]` : /^[A-Za-z_][A-Za-z0-9_-]*$/.test(step) ? `.${step}` : `[${JSON.stringify(step)}]`)).join('')}`;
}

export type ConditionOutcome = { ok: true } | { ok: false; actual: unknown; found: boolean };

/** Evaluates a parsed condition against a parsed JSON document. */
export function evaluateJsonCondition(condition: JsonCondition, document: unknown): ConditionOutcome {
  let current: unknown = document;
  let found = true;
  for (const step of condition.path) {
    if (typeof step === 'number' ? Array.isArray(current) && step < current.length : isPlainObject(current) && Object.hasOwn(current, step)) {
      current = (current as Record<string | number, unknown>)[step];
    } else {
      found = false;
      current = undefined;
      break;
    }
  }
  const { operator, expected } = condition;
  let ok: boolean;
  if (!found) ok = operator === '!=';
  else if (operator === null) ok = current !== null && current !== false;
  else if (operator === '==') ok = current === expected;
  else if (operator === '!=') ok = current !== expected;
  else if (typeof current !== 'number' || typeof expected !== 'number') ok = false;
  else ok = operator === '<' ? current < expected : operator === '<=' ? current <= expected : operator === '>' ? current > expected : current >= expected;
  return ok ? { ok: true } : { ok: false, actual: current, found };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// ---------------------------------------------------------------------------------------------
// Schema of the override sections.

const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,100}$/;
/** Set by the HTTP client, or able to change where or as what the request goes. */
const CLIENT_HEADERS = new Set(['host', 'content-length', 'connection', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'expect', 'keep-alive']);
/** Headers only a metadata server or a proxy reads: a probe has no use for them. */
const REFUSED_HEADERS = new Set([
  'metadata-flavor',
  'x-google-metadata-request',
  'metadata',
  'x-aws-ec2-metadata-token',
  'proxy-authorization',
  'forwarded',
  'x-forwarded-for',
  'x-forwarded-host',
]);
/** Credentials: only as a secret reference, never as literal text in the settings document. */
const CREDENTIAL_HEADERS = new Set(['authorization', 'cookie', 'x-api-key']);
/** Field names production Firestore reserves (`__name__`, `__proto__`, ...). */
const RESERVED_NAME = /^__.*__$/;
/** Control characters (CR and LF above all: header injection); a tab is allowed. */
// eslint-disable-next-line no-control-regex -- the point is to find them
const CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f]/;

/**
 * Entries of PROBE_CREDENTIAL_HOSTS: host names (any scheme and port) or origins (exactly that one).
 * Pure; `credentialHostsParam` reads the deployment's value.
 */
export function credentialAllowed(url: string, allowed: readonly string[]): boolean {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return false;
  }
  return allowed.some((entry) => {
    const item = entry.trim().toLowerCase();
    if (!item) return false;
    if (item.includes('://')) {
      try {
        return new URL(item).origin === target.origin;
      } catch {
        return false;
      }
    }
    return item.replace(/\.+$/, '') === target.hostname.toLowerCase().replace(/\.+$/, '');
  });
}

export function credentialHostsParam(): string[] {
  return (readParam(PROBE_CREDENTIAL_HOSTS) ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item && item.toLowerCase() !== 'none');
}

const httpUrl = z
  .string()
  .max(2_000)
  .refine((value) => {
    try {
      const url = new URL(value);
      return (url.protocol === 'http:' || url.protocol === 'https:') && !url.username && !url.password;
    } catch {
      return false;
    }
  }, 'must be an http:// or https:// URL without credentials (put them in a header that references a secret)')
  .superRefine((value, ctx) => {
    if (!URL.canParse(value)) return;
    // Checked again at connect time on every address the host resolves to (platform/outbound.ts).
    const verdict = checkUrlTarget(value, outboundPolicy());
    if (!verdict.ok) ctx.addIssue({ code: 'custom', message: `target refused: ${verdict.reason}` });
  });

const endpointSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,39}$/, 'must be 1-40 lowercase letters, digits, - or _ (it names the alert and the history)'),
    url: httpUrl,
    method: z.enum(['GET', 'HEAD', 'POST']).default('GET'),
    headers: z
      .custom<unknown>()
      // Checked on the raw document: a parsed record silently drops `__proto__`, which would still be stored.
      .superRefine((raw, ctx) => {
        for (const name of isPlainObject(raw) ? Object.keys(raw) : []) {
          if (RESERVED_NAME.test(name)) ctx.addIssue({ code: 'custom', path: [name], message: 'must be a valid HTTP header name' });
        }
      })
      .pipe(
        z
          .record(
            z.string(),
            z.union([
              z
                .string()
                .max(1_000)
                .refine((value) => !CONTROL.test(value), 'must not contain control characters (CR, LF)'),
              z
                .object({
                  secret: z.string().refine((name) => PROBE_SECRET_NAMES.includes(name), `must name a probe secret (${PROBE_SECRET_NAMES.join(', ')})`),
                })
                .strict(),
            ]),
          )
          .superRefine((headers, ctx) => {
            const names = Object.keys(headers);
            if (names.length > 20) ctx.addIssue({ code: 'custom', message: 'at most 20 headers' });
            for (const name of names) {
              const lower = name.toLowerCase();
              if (!HEADER_NAME.test(name) || RESERVED_NAME.test(name))
                ctx.addIssue({ code: 'custom', path: [name], message: 'must be a valid HTTP header name' });
              else if (CLIENT_HEADERS.has(lower)) ctx.addIssue({ code: 'custom', path: [name], message: 'is set by the HTTP client' });
              else if (REFUSED_HEADERS.has(lower)) ctx.addIssue({ code: 'custom', path: [name], message: 'is refused (a metadata or proxy header)' });
              else if (CREDENTIAL_HEADERS.has(lower) && typeof headers[name] === 'string') {
                ctx.addIssue({
                  code: 'custom',
                  path: [name],
                  message: 'a credential header must reference a secret ({ "secret": "PROBE_TOKEN" }), not hold literal text',
                });
              }
            }
          }),
      )
      .default({}),
    body: z.string().max(10_000).nullable().default(null),
    expectedStatus: z
      .union([z.number().int().min(100).max(599), z.array(z.number().int().min(100).max(599)).min(1).max(10)])
      .default(200)
      .transform((value) => (Array.isArray(value) ? value : [value])),
    maxLatencyMs: z.number().int().min(10).max(60_000).default(2_000),
    bodyContains: z.string().min(1).max(200).nullable().default(null),
    jsonCondition: z
      .string()
      .nullable()
      .default(null)
      .superRefine((value, ctx) => {
        if (value === null) return;
        try {
          parseJsonCondition(value);
        } catch (error) {
          ctx.addIssue({ code: 'custom', message: `invalid condition: ${(error as Error).message}` });
        }
      }),
    timeoutMs: z.number().int().min(500).max(30_000).nullable().default(null),
    enabled: z.boolean().default(true),
  })
  .strict()
  .superRefine((endpoint, ctx) => {
    if (endpoint.body !== null && endpoint.method !== 'POST') ctx.addIssue({ code: 'custom', path: ['body'], message: 'only a POST probe sends a body' });
    const secrets = Object.entries(endpoint.headers).filter(([, value]) => typeof value !== 'string');
    if (secrets.length && URL.canParse(endpoint.url) && !credentialAllowed(endpoint.url, credentialHostsParam())) {
      for (const [name] of secrets) {
        ctx.addIssue({
          code: 'custom',
          path: ['headers', name],
          message: `a secret is sent only to the hosts of PROBE_CREDENTIAL_HOSTS (deploy-time), and ${new URL(endpoint.url).host} is not one`,
        });
      }
    }
    if (endpoint.method === 'HEAD' && (endpoint.bodyContains !== null || endpoint.jsonCondition !== null)) {
      ctx.addIssue({ code: 'custom', path: ['method'], message: 'a HEAD response has no body: bodyContains and jsonCondition need GET or POST' });
    }
  });

export const probesOverrideSchema = z
  .object({
    endpoints: z
      .array(endpointSchema)
      .max(20)
      .superRefine((endpoints, ctx) => {
        const seen = new Set<string>();
        endpoints.forEach((endpoint, index) => {
          if (seen.has(endpoint.name)) ctx.addIssue({ code: 'custom', path: [index, 'name'], message: `duplicate endpoint name "${endpoint.name}"` });
          seen.add(endpoint.name);
        });
      }),
    timeoutMs: z.number().int().min(500).max(30_000),
    historySize: z.number().int().min(12).max(1_000),
  })
  .strict()
  .partial();

export const externalHeartbeatOverrideSchema = z
  .object({
    url: httpUrl.nullable(),
    timeoutMs: z.number().int().min(500).max(10_000),
  })
  .strict()
  .partial();

/** The merged sections from the defaults and a validated override. */
export function mergeProbes(base: ProbeSettings, override: z.infer<typeof probesOverrideSchema> | undefined): ProbeSettings {
  return { ...base, ...override, endpoints: (override?.endpoints ?? base.endpoints) as ProbeEndpoint[] };
}

export function mergeExternalHeartbeat(
  base: ExternalHeartbeatSettings,
  override: z.infer<typeof externalHeartbeatOverrideSchema> | undefined,
): ExternalHeartbeatSettings {
  return { ...base, ...override };
}
