/**
 * Deployment parameters and secrets (Firebase params). This module is loaded by the entry point, so it
 * must stay light: no SDK imports. Values are read at run time with `readParam`, never at load time.
 *
 * Every entry of PARAMS is documented in README.md / docs/configuration.md (generated from this list).
 */
import { defineList, defineSecret, defineString } from 'firebase-functions/params';

type StringParam = ReturnType<typeof defineString>;
type SecretParam = ReturnType<typeof defineSecret>;
type ListParam = ReturnType<typeof defineList>;

export interface ParamEntry {
  param: StringParam | SecretParam | ListParam;
  kind: 'secret' | 'string' | 'list';
  /** Value used when nothing is set (strings only). */
  defaultValue?: string;
  /** What stops working when it is missing. */
  usedBy: string;
  description: string;
  example: string;
}

function secret(name: string, usedBy: string, description: string, example: string): ParamEntry {
  return { param: defineSecret(name), kind: 'secret', usedBy, description, example };
}

function text(name: string, defaultValue: string, usedBy: string, description: string, example: string): ParamEntry {
  return { param: defineString(name, { default: defaultValue, description }), kind: 'string', defaultValue, usedBy, description, example };
}

function list(name: string, usedBy: string, description: string, example: string): ParamEntry {
  return { param: defineList(name, { description }), kind: 'list', usedBy, description, example };
}

export const SLACK_WEBHOOK_URL = secret(
  'SLACK_WEBHOOK_URL',
  'Slack channel',
  'Incoming-webhook URL of the Slack channel that receives alerts.',
  'https://hooks.slack.com/services/T000/B000/XXXX',
);
export const SMTP_URL = secret(
  'SMTP_URL',
  'Email channel',
  'SMTP connection URL, credentials included (smtps:// for implicit TLS, smtp:// for STARTTLS).',
  'smtps://alerts%40example.com:app-password@smtp.example.com:465',
);
export const ALERT_EMAIL_FROM = text(
  'ALERT_EMAIL_FROM',
  'Monitoring <monitoring@example.com>',
  'Email channel',
  'Sender address of alert emails.',
  'Marketplace monitoring <alerts@example.com>',
);
export const TWILIO_ACCOUNT_SID = text(
  'TWILIO_ACCOUNT_SID',
  '',
  'SMS channel, Twilio checks',
  'Twilio account SID (not a secret on its own; the auth token is).',
  'AC0123456789abcdef0123456789abcdef',
);
export const TWILIO_AUTH_TOKEN = secret(
  'TWILIO_AUTH_TOKEN',
  'SMS channel, Twilio checks',
  'Twilio auth token.',
  '(from the Twilio console)',
);
export const TWILIO_FROM_NUMBER = text(
  'TWILIO_FROM_NUMBER',
  '',
  'SMS channel',
  'Twilio phone number (E.164) that sends alert SMS.',
  '+33700000000',
);
export const SENTRY_DSN = secret(
  'SENTRY_DSN',
  'Error reporting',
  'Sentry DSN of the backend project. Without it, errors are only logged.',
  'https://public@o0.ingest.sentry.io/0',
);
export const ALERT_EMAIL_TO = text(
  'ALERT_EMAIL_TO',
  '',
  'Email channel',
  'Default alert email recipients, comma-separated. The `recipients.emails` configuration field overrides it at run time.',
  'oncall@example.com,cto@example.com',
);
export const ALERT_SMS_TO = text(
  'ALERT_SMS_TO',
  '',
  'SMS channel',
  'Default SMS recipients (E.164), comma-separated. The `recipients.phones` configuration field overrides it at run time.',
  '+33600000001,+33600000002',
);
export const RUNBOOK_BASE_URL = text(
  'RUNBOOK_BASE_URL',
  'https://github.com/your-org/your-repo/blob/main/docs/runbook.md',
  'Alert text',
  'Where docs/runbook.md is published; alert messages link to `<this URL>#rule-<rule id>`.',
  'https://github.com/acme/marketplace-monitoring/blob/main/docs/runbook.md',
);
export const MONITORING_ENVIRONMENT = text(
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
);
export const PAYPAL_CLIENT_ID = text(
  'PAYPAL_CLIENT_ID',
  '',
  'PayPal checks',
  'PayPal REST app client id.',
  'AZx...',
);
export const PAYPAL_CLIENT_SECRET = secret(
  'PAYPAL_CLIENT_SECRET',
  'PayPal checks',
  'PayPal REST app client secret.',
  '(from the PayPal developer dashboard)',
);
export const PAYPAL_ENVIRONMENT = text(
  'PAYPAL_ENVIRONMENT',
  'live',
  'PayPal checks',
  'PayPal environment: `live` or `sandbox`.',
  'live',
);
export const ADMIN_ENFORCE_APP_CHECK = text(
  'ADMIN_ENFORCE_APP_CHECK',
  'false',
  'Admin API',
  'Set to `true` to make every admin callable reject requests without a valid App Check token (`unauthenticated`). Turn it on once the dashboard sends App Check tokens.',
  'true',
);
export const ACK_LINK_SECRET = secret(
  'ACK_LINK_SECRET',
  'Acknowledge links',
  'HMAC-SHA256 key that signs the acknowledge links of Slack, email and SMS messages (at least 32 random characters, e.g. `openssl rand -base64 32`). Without it, messages carry no link. Changing it invalidates the links already sent.',
  '(32+ random characters)',
);
export const ACK_LINK_BASE_URL = text(
  'ACK_LINK_BASE_URL',
  'https://{project}.web.app/ack',
  'Acknowledge links',
  'Public URL of the `acknowledgeFromLink` function in the links of messages (`{project}` is replaced by the project id). The default is the `/ack` rewrite of the dashboard\'s Hosting site (short enough for an SMS); the function\'s own URL works too. An SMS carries the link only if 40 characters of text still fit in its 160.',
  'https://monitoring.example.com/ack',
);
export const DASHBOARD_ORIGINS = list(
  'DASHBOARD_ORIGINS',
  'Admin API',
  'Origins (scheme://host[:port]) of the dashboard, comma-separated: the admin callables answer browsers on these origins only (CORS). `firebase deploy` asks for it.',
  'https://monitoring-acme.web.app,https://monitoring-acme.firebaseapp.com',
);

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
  ACK_LINK_SECRET,
  ACK_LINK_BASE_URL,
  DASHBOARD_ORIGINS,
];

/** Secrets every job binds: any job can raise an alert and must be able to deliver it. */
export const NOTIFICATION_SECRETS = [SLACK_WEBHOOK_URL, SMTP_URL, TWILIO_AUTH_TOKEN, SENTRY_DSN, ACK_LINK_SECRET].map(
  (entry) => entry.param as SecretParam,
);

/** Values that mean "deliberately not configured" (Secret Manager cannot hold an empty secret). */
const UNSET = new Set(['', 'none', 'disabled', '-']);

/**
 * The value of a param or secret, or undefined when it is missing. Secrets reach the process as
 * environment variables once bound to the function; string params fall back to their default.
 */
export function readParam(entry: ParamEntry): string | undefined {
  const raw = process.env[entry.param.name];
  const value = raw === undefined ? undefined : entry.kind === 'list' ? raw.trim() : String(entry.param.value()).trim();
  if (value !== undefined && !UNSET.has(value.toLowerCase())) return value;
  const fallback = entry.defaultValue?.trim();
  return fallback ? fallback : undefined;
}

export function listParam(entry: ParamEntry): string[] {
  return (readParam(entry) ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
}

/** Whether a param or secret has a value (never the value itself). */
export type ParamStatus = 'set' | 'default' | 'disabled' | 'missing';

/**
 * Status of the param or secret named `name` in this process: `set` (a value), `default` (unset, a
 * non-empty default applies), `disabled` (explicitly `none`/`disabled`/`-`) or `missing`.
 */
export function paramStatus(name: string, defaultValue?: string): ParamStatus {
  const raw = process.env[name]?.trim();
  if (raw) return UNSET.has(raw.toLowerCase()) ? 'disabled' : 'set';
  return defaultValue?.trim() ? 'default' : 'missing';
}
