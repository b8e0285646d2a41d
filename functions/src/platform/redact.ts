/**
 * Removes secrets from any text that leaves the process or is stored: alert text and metadata,
 * delivery errors, log lines, Sentry events and admin API answers. A secret is caught whole and in
 * the encodings a vendor, an SDK or a transport echoes it in:
 * - the configured secret values (Firebase secrets), whole, URL-encoded, JSON-escaped, and their
 *   parts (the password and token of a URL-shaped secret such as SMTP_URL or SLACK_WEBHOOK_URL);
 * - base64 / base64url, alone or inside `user:secret` (Basic auth) or `\0user\0secret` (SMTP AUTH
 *   PLAIN): every base64-looking token is decoded and dropped when it holds a secret;
 * - whatever the value, `Authorization`/`Proxy-Authorization` header values (Basic, Bearer...),
 *   credentials in URLs (`scheme://user:pass@`) and credential-like query parameters (`?key=`,
 *   `token`, `secret`, `password`, `signature`...), and well-known API key shapes (sk_live_...).
 */
import { PARAMS, readParam } from '../config/params';

export const REDACTED = '[redacted]';

/** Shortest value treated as a secret (shorter ones would redact ordinary words). */
const MIN_SECRET = 6;

/** Secret values and the parts of them worth hiding on their own. Read on each call: params may change (tests, rotation). */
export function secretValues(): string[] {
  const values = new Set<string>();
  for (const entry of PARAMS) {
    if (entry.kind !== 'secret') continue;
    const value = readParam(entry);
    if (!value || value.length < MIN_SECRET) continue;
    values.add(value);
    try {
      const url = new URL(value);
      if (url.password) {
        values.add(url.password);
        values.add(decodeURIComponent(url.password));
      }
      // Webhook-style URLs: the path is the credential (hooks.slack.com/services/T/B/token).
      const last = url.pathname.split('/').filter(Boolean).pop();
      if (last && last.length >= 12 && !url.password) values.add(last);
    } catch {
      // Not a URL: the whole value only.
    }
  }
  return [...values].filter((value) => value.length >= MIN_SECRET).sort((a, b) => b.length - a.length);
}

/** The encodings a secret is searched in, besides base64 (found by decoding). */
function encodings(secret: string): string[] {
  const forms = new Set<string>([secret, encodeURIComponent(secret), encodeURIComponent(secret).replace(/%20/g, '+'), JSON.stringify(secret).slice(1, -1)]);
  forms.add(JSON.stringify(secret).slice(1, -1).replace(/\//g, '\\/'));
  forms.add(Buffer.from(secret, 'utf8').toString('base64').replace(/=+$/, ''));
  forms.add(Buffer.from(secret, 'utf8').toString('base64url'));
  return [...forms].filter((form) => form.length >= MIN_SECRET);
}

const AUTH_HEADER = /\b((?:proxy-)?authorization["']?\s*[:=]\s*["']?)(?:(basic|bearer|digest|token|apikey|hmac)\s+)?[^\s"',;}]+/gi;
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/@?#"'<>]+@/gi;
const QUERY_SECRET =
  /([?&;]|\b)((?:api[_-]?key|apikey|key|access[_-]?token|refresh[_-]?token|id[_-]?token|token|auth|secret|client[_-]?secret|password|passwd|pwd|pass|signature|sig)=)[^&\s#"'<>]+/gi;
const KNOWN_KEY_SHAPES = /\b(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{8,}|\bxox[abpors]-[A-Za-z0-9-]{10,}|\bwhsec_[A-Za-z0-9]{8,}|\bSK[0-9a-f]{32}\b/g;
const BASE64_TOKEN = /[A-Za-z0-9+/_-]{8,}={0,2}/g;

function decodedHolds(token: string, secrets: readonly string[]): boolean {
  for (const alphabet of ['base64', 'base64url'] as const) {
    const decoded = Buffer.from(token, alphabet).toString('latin1');
    if (secrets.some((secret) => decoded.includes(secret))) return true;
  }
  return false;
}

/** The text with every secret removed, in every encoding listed above. */
export function redactText(text: string, secrets: readonly string[] = secretValues()): string {
  let result = text
    .replace(AUTH_HEADER, (_match, prefix: string, scheme: string | undefined) => `${prefix}${scheme ? `${scheme} ` : ''}${REDACTED}`)
    .replace(URL_USERINFO, `$1${REDACTED}@`)
    .replace(QUERY_SECRET, (_match, separator: string, name: string) => `${separator}${name}${REDACTED}`)
    .replace(KNOWN_KEY_SHAPES, REDACTED);
  for (const secret of secrets) {
    for (const form of encodings(secret)) if (result.includes(form)) result = result.split(form).join(REDACTED);
  }
  if (secrets.length > 0) {
    result = result.replace(BASE64_TOKEN, (token) => (token !== REDACTED && decodedHolds(token, secrets) ? REDACTED : token));
  }
  return result;
}

/**
 * A copy of a value with every string redacted (object keys included), for log fields, Sentry events,
 * alert metadata and admin answers. Plain objects and arrays are walked; other objects (Timestamps,
 * Dates, Buffers) are kept as they are.
 */
export function redactDeep<T>(value: T, secrets: readonly string[] = secretValues(), depth = 0): T {
  if (typeof value === 'string') return redactText(value, secrets) as T;
  if (depth > 20 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => redactDeep(item, secrets, depth + 1)) as T;
  const prototype = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
    out[redactText(key, secrets)] = /^(?:proxy-)?authorization$/i.test(key) && typeof item === 'string' ? REDACTED : redactDeep(item, secrets, depth + 1);
  }
  return out as T;
}
