/**
 * Deployment parameters and secrets (Firebase params). This module is loaded by the entry point, so it
 * must stay light: no SDK imports. Values are read at run time with `readParam`, never at load time.
 *
 * The channels declare their own params (notifications/channels/<name>/manifest.ts, listed by
 * notifications/channels/manifests.ts, data only: the one upward import of config, on purpose); this
 * file declares the others and lists them all in PARAMS.
 *
 * Every entry of PARAMS is documented in README.md / docs/configuration.md and listed in
 * functions/.env.example (generated from this list by `npm run docs`).
 *
 * A param has a real default or none: without one, `firebase deploy` asks for it (or fails in CI when
 * functions/.env.<project> lacks it), so nothing is deployed half-configured by accident. Going
 * without an optional feature is explicit: the value `none` (secrets and params alike).
 */
import { defineBoolean } from 'firebase-functions/params';
import { CHANNEL_PARAMS, CHANNEL_SECRETS } from '../notifications/channels/manifests';
import { list, OPT_OUT, required, secret, withDefault, type BooleanParam, type ParamEntry, type SecretParam, type StringParam } from './paramKit';

export * from './paramKit';
export { TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN } from './twilioParams';
export { ALERT_EMAIL_FROM, ALERT_EMAIL_TO, ALERT_SMS_TO, SLACK_WEBHOOK_URL, SMTP_URL, TWILIO_FROM_NUMBER } from '../notifications/channels/manifests';

export const SENTRY_DSN = secret(
  'SENTRY_DSN',
  'Error reporting',
  'Sentry DSN of the backend project. Without it, errors are only logged.',
  'https://public@o0.ingest.sentry.io/0',
  'Sentry (errors are then only logged)',
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
// `none` (the default) is this guard's closed position, not a feature turned off: stated as the opt-out value.
export const PROBE_CREDENTIAL_HOSTS: ParamEntry = {
  ...withDefault(
    'PROBE_CREDENTIAL_HOSTS',
    OPT_OUT,
    'HTTP probes',
    'Where probe header secrets (`PROBE_TOKEN`) may be sent, comma-separated: host names (`api.example.com`, any scheme and port) or origins (`https://api.example.com:8443`, exactly that one). A probe endpoint on any other host cannot reference a secret: validation refuses it and a run skips it. `none`: no host gets a secret.',
    'api.example.com,https://status.example.com',
  ),
  optOut: OPT_OUT,
};
// `none` (the default) is this guard's closed position, not a feature turned off: stated as the opt-out value.
export const OUTBOUND_ALLOWED_NETWORKS: ParamEntry = {
  ...withDefault(
    'OUTBOUND_ALLOWED_NETWORKS',
    OPT_OUT,
    'HTTP probes, external heartbeat',
    'Non-public networks the HTTP probes and the external heartbeat may reach anyway, as comma-separated CIDRs (`10.8.0.0/16` for an internal endpoint behind a VPC connector; the local demo and the tests use `127.0.0.0/8,::1/128`). `none`: public addresses only. Cloud metadata addresses and host names are refused whatever this says.',
    '10.8.0.0/16',
  ),
  optOut: OPT_OUT,
};
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
  ...CHANNEL_PARAMS,
  SENTRY_DSN,
  STRIPE_SECRET_KEY,
  PAYPAL_CLIENT_ID,
  PAYPAL_CLIENT_SECRET,
  PAYPAL_ENVIRONMENT,
  RUNBOOK_BASE_URL,
  MONITORING_ENVIRONMENT,
  ADMIN_ENFORCE_APP_CHECK,
  PROBE_TOKEN,
  PROBE_CREDENTIAL_HOSTS,
  OUTBOUND_ALLOWED_NETWORKS,
  MONITORING_SERVICE_ACCOUNT,
  ACK_LINK_SECRET,
  ACK_LINK_BASE_URL,
  DASHBOARD_ORIGINS,
];

/** The App Check switch, for `enforceAppCheck` of the admin callables. */
export const ENFORCE_APP_CHECK = ADMIN_ENFORCE_APP_CHECK.param as BooleanParam;

/** Secrets every job binds: any job can raise an alert and must be able to deliver it (and report its errors). */
export const NOTIFICATION_SECRETS = [...CHANNEL_SECRETS, SENTRY_DSN, ACK_LINK_SECRET].map((entry) => entry.param as SecretParam);
