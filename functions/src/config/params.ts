/**
 * Deployment parameters and secrets (Firebase params). This module is loaded by the entry point, so it
 * must stay light: no SDK imports. Values are read at run time with `readParam`, never at load time.
 *
 * Every entry of PARAMS is documented in README.md / docs/configuration.md and listed in
 * functions/.env.example (generated from this list by `npm run docs`).
 *
 * A param has a real default or none: without one, `firebase deploy` asks for it (or fails in CI when
 * functions/.env.<project> lacks it), so nothing is deployed half-configured by accident. Going
 * without an optional feature is explicit: the value `none` (secrets and params alike).
 */
import { defineBoolean, defineList, defineSecret, defineString } from 'firebase-functions/params';

type StringParam = ReturnType<typeof defineString>;
type SecretParam = ReturnType<typeof defineSecret>;
type ListParam = ReturnType<typeof defineList>;
type BooleanParam = ReturnType<typeof defineBoolean>;

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

function secret(name: string, usedBy: string, description: string, example: string, without: string): ParamEntry {
  const text = description + optOutText(without);
  return { param: defineSecret(name, { description: text }), kind: 'secret', optOut: OPT_OUT, usedBy, description: text, example };
}

/** A string param the deploy asks for (no default); `without` describes what `none` turns off. */
function required(name: string, usedBy: string, description: string, example: string, without: string): ParamEntry {
  const text = description + optOutText(without);
  return { param: defineString(name, { description: text }), kind: 'string', optOut: OPT_OUT, usedBy, description: text, example };
}

function withDefault(name: string, defaultValue: string, usedBy: string, description: string, example: string, options: readonly string[] = []): ParamEntry {
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

function list(name: string, usedBy: string, description: string, example: string, without: string): ParamEntry {
  const text = description + optOutText(without);
  return { param: defineList(name, { description: text }), kind: 'list', optOut: OPT_OUT, usedBy, description: text, example };
}

export const SLACK_WEBHOOK_URL = secret(
  'SLACK_WEBHOOK_URL',
  'Slack channel',
  'Incoming-webhook URL of the Slack channel that receives alerts.',
  'https://hooks.slack.com/services/T000/B000/XXXX',
  'Slack',
);
export const SMTP_URL = secret(
  'SMTP_URL',
  'Email channel',
  'SMTP connection URL, credentials included (smtps:// for implicit TLS, smtp:// for STARTTLS).',
  'smtps://alerts%40example.com:app-password@smtp.example.com:465',
  'email',
);
export const ALERT_EMAIL_FROM = required(
  'ALERT_EMAIL_FROM',
  'Email channel',
  'Sender address of alert emails (an address your SMTP server may send as).',
  'Marketplace monitoring <alerts@example.com>',
  'email',
);
export const TWILIO_ACCOUNT_SID = required(
  'TWILIO_ACCOUNT_SID',
  'SMS channel, Twilio checks',
  'Twilio account SID (not a secret on its own; the auth token is).',
  'AC0123456789abcdef0123456789abcdef',
  'SMS and the Twilio checks',
);
export const TWILIO_AUTH_TOKEN = secret(
  'TWILIO_AUTH_TOKEN',
  'SMS channel, Twilio checks',
  'Twilio auth token.',
  '(from the Twilio console)',
  'SMS and the Twilio checks',
);
export const TWILIO_FROM_NUMBER = required('TWILIO_FROM_NUMBER', 'SMS channel', 'Twilio phone number (E.164) that sends alert SMS.', '+33700000000', 'SMS');
export const SENTRY_DSN = secret(
  'SENTRY_DSN',
  'Error reporting',
  'Sentry DSN of the backend project. Without it, errors are only logged.',
  'https://public@o0.ingest.sentry.io/0',
  'Sentry (errors are then only logged)',
);
export const ALERT_EMAIL_TO = list(
  'ALERT_EMAIL_TO',
  'Email channel',
  'Default alert email recipients, comma-separated. The `recipients.emails` configuration field overrides it at run time.',
  'oncall@example.com,cto@example.com',
  'default email recipients (then only `recipients.emails` counts)',
);
export const ALERT_SMS_TO = list(
  'ALERT_SMS_TO',
  'SMS channel',
  'Default SMS recipients (E.164), comma-separated. The `recipients.phones` configuration field overrides it at run time.',
  '+33600000001,+33600000002',
  'default SMS recipients (then only `recipients.phones` counts)',
);
export const RUNBOOK_BASE_URL = required(
  'RUNBOOK_BASE_URL',
  'Alert text',
  'Where docs/runbook.md is published; alert messages link to `<this URL>#rule-<rule id>`.',
  'https://github.com/acme/marketplace-monitoring/blob/main/docs/runbook.md',
  'runbook links (messages then name `docs/runbook.md`)',
);
export const MONITORING_ENVIRONMENT = withDefault(
  'MONITORING_ENVIRONMENT',
  'production',
  'Alert text, error reporting',
  'Environment name shown in every message and Sentry event.',
  'production',
);

export const STRIPE_SECRET_KEY = secret(
  'STRIPE_SECRET_KEY',
  'Stripe checks',
  'Stripe secret key (a restricted key with read access to events, payment intents and balance is enough).',
  'rk_live_...',
  'the Stripe checks',
);
export const PAYPAL_CLIENT_ID = required('PAYPAL_CLIENT_ID', 'PayPal checks', 'PayPal REST app client id.', 'AZx...', 'the PayPal checks');
export const PAYPAL_CLIENT_SECRET = secret(
  'PAYPAL_CLIENT_SECRET',
  'PayPal checks',
  'PayPal REST app client secret.',
  '(from the PayPal developer dashboard)',
  'the PayPal checks',
);
export const PAYPAL_ENVIRONMENT = withDefault('PAYPAL_ENVIRONMENT', 'live', 'PayPal checks', 'PayPal environment: `live` or `sandbox`.', 'live', [
  'live',
  'sandbox',
]);

const appCheckDescription =
  '`true` makes every admin callable reject requests without a valid App Check token (`unauthenticated`), enforced by Cloud Functions before the handler runs. Turn it on once the dashboard sends App Check tokens.';
export const ADMIN_ENFORCE_APP_CHECK: ParamEntry = {
  param: defineBoolean('ADMIN_ENFORCE_APP_CHECK', { default: false, description: appCheckDescription }),
  kind: 'boolean',
  defaultValue: 'false',
  usedBy: 'Admin API',
  description: appCheckDescription,
  example: 'true',
};

const serviceAccountDescription =
  "Service account the functions run as: `default` (the project's default compute service account) or a dedicated one, as an email or `name@` (completed with the project). The roles it needs are in docs/deploy.md.";
export const MONITORING_SERVICE_ACCOUNT = withDefault(
  'MONITORING_SERVICE_ACCOUNT',
  'default',
  'Every function',
  serviceAccountDescription,
  'monitoring-functions@',
);

/**
 * The `serviceAccount` function option: none (the default account) for `default`, otherwise the
 * account named. Resolved by the deploy (an expression, not a value read at load time).
 */
export const serviceAccountOption = (MONITORING_SERVICE_ACCOUNT.param as StringParam)
  .equals('default')
  .thenElse('', MONITORING_SERVICE_ACCOUNT.param as StringParam);

export const PROBE_TOKEN = secret(
  'PROBE_TOKEN',
  'HTTP probes',
  'A credential the HTTP probes can send in a header: an endpoint header `{ "secret": "PROBE_TOKEN" }` in `probes.endpoints` is replaced by this value at run time (never stored in Firestore).',
  'Bearer eyJ... (a token of the health endpoint)',
  'probe header credentials',
);
export const ACK_LINK_SECRET = secret(
  'ACK_LINK_SECRET',
  'Acknowledge links',
  'HMAC-SHA256 key that signs the acknowledge links of Slack, email and SMS messages (at least 32 random characters, e.g. `openssl rand -base64 32`). Without it, messages carry no link. Changing it invalidates the links already sent.',
  '(32+ random characters)',
  'acknowledge links in messages',
);
export const ACK_LINK_BASE_URL = required(
  'ACK_LINK_BASE_URL',
  'Acknowledge links',
  "Public URL of the acknowledge links in messages: the `/ack` rewrite of the dashboard's own Hosting site, `https://<dashboard site>.web.app/ack` (never the app's site, whose `/ack` is not this function), or the `acknowledgeFromLink` function's own URL. `{project}` is replaced by the project id. An SMS carries the link only if 40 characters of text still fit in its 160.",
  'https://<project-id>-monitoring.web.app/ack',
  'acknowledge links in messages',
);
export const DASHBOARD_ORIGINS = list(
  'DASHBOARD_ORIGINS',
  'Admin API',
  'Origins (scheme://host[:port]) of the dashboard, comma-separated: the admin callables answer browsers on these origins only (CORS). `firebase deploy` asks for it.',
  'https://monitoring-acme.web.app,https://monitoring-acme.firebaseapp.com',
  'browser access to the admin callables (no origin allowed)',
);

/** Secrets an HTTP probe header may reference by name (all bound to the probes job). */
export const PROBE_SECRETS = [PROBE_TOKEN];

/** Everything the deployment can be given, in documentation order. */
export const PARAMS: readonly ParamEntry[] = [
  SLACK_WEBHOOK_URL,
  SMTP_URL,
  ALERT_EMAIL_FROM,
  ALERT_EMAIL_TO,
  TWILIO_ACCOUNT_SID,
  TWILIO_AUTH_TOKEN,
  TWILIO_FROM_NUMBER,
  ALERT_SMS_TO,
  SENTRY_DSN,
  STRIPE_SECRET_KEY,
  PAYPAL_CLIENT_ID,
  PAYPAL_CLIENT_SECRET,
  PAYPAL_ENVIRONMENT,
  RUNBOOK_BASE_URL,
  MONITORING_ENVIRONMENT,
  ADMIN_ENFORCE_APP_CHECK,
  PROBE_TOKEN,
  MONITORING_SERVICE_ACCOUNT,
  ACK_LINK_SECRET,
  ACK_LINK_BASE_URL,
  DASHBOARD_ORIGINS,
];

/** The App Check switch, for `enforceAppCheck` of the admin callables. */
export const ENFORCE_APP_CHECK = ADMIN_ENFORCE_APP_CHECK.param as BooleanParam;

/** Secrets every job binds: any job can raise an alert and must be able to deliver it (and report its errors). */
export const NOTIFICATION_SECRETS = [SLACK_WEBHOOK_URL, SMTP_URL, TWILIO_AUTH_TOKEN, SENTRY_DSN, ACK_LINK_SECRET].map((entry) => entry.param as SecretParam);

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
