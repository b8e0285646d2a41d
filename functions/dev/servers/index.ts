/** All local stand-ins, started together, and the environment that points the product at them. */
import { randomBytes } from 'node:crypto';
import { PagerDutyCapture } from './pagerduty';
import { PayPalCapture } from './paypal';
import { HeartbeatReceiver, ProbeTargets } from './probeTargets';
import { SentryCapture } from './sentry';
import { SlackCapture } from './slack';
import { SmtpCapture } from './smtp';
import { StripeCapture } from './stripe';
import { TwilioCapture } from './twilio';

export interface LocalServers {
  slack: SlackCapture;
  smtp: SmtpCapture;
  twilio: TwilioCapture;
  sentry: SentryCapture;
  stripe: StripeCapture;
  paypal: PayPalCapture;
  pagerduty: PagerDutyCapture;
  /** Endpoints for the HTTP probes (healthy, slow, 500, wrong body, never answering). */
  probeTargets: ProbeTargets;
  /** Dead man's switch receiving the watchdog's external heartbeat pings. */
  heartbeat: HeartbeatReceiver;
  /** Environment variables (params and secrets) that route every channel to these servers. */
  env: Record<string, string>;
  reset(): void;
  stop(): Promise<void>;
}

export async function startLocalServers(): Promise<LocalServers> {
  const [slack, smtp, twilio, sentry, stripe, paypal, probeTargets, heartbeat, pagerduty] = await Promise.all([
    new SlackCapture().start(),
    new SmtpCapture().start(),
    new TwilioCapture().start(),
    new SentryCapture().start(),
    new StripeCapture().start(),
    new PayPalCapture().start(),
    new ProbeTargets().start(),
    new HeartbeatReceiver().start(),
    new PagerDutyCapture().start(),
  ]);
  const env = {
    SLACK_WEBHOOK_URL: slack.webhookUrl,
    SMTP_URL: smtp.url,
    ALERT_EMAIL_FROM: 'Monitoring <alerts@monitoring.localhost>',
    TWILIO_ACCOUNT_SID: twilio.accountSid,
    TWILIO_AUTH_TOKEN: twilio.authToken,
    TWILIO_FROM_NUMBER: '+15005550006',
    TWILIO_API_BASE_URL: twilio.url,
    SENTRY_DSN: sentry.dsn,
    STRIPE_SECRET_KEY: stripe.secretKey,
    STRIPE_API_BASE_URL: stripe.baseUrl,
    PAYPAL_CLIENT_ID: paypal.clientId,
    PAYPAL_CLIENT_SECRET: paypal.clientSecret,
    PAYPAL_API_BASE_URL: paypal.url,
    PAGERDUTY_ROUTING_KEY: pagerduty.routingKey,
    PAGERDUTY_EVENTS_URL: pagerduty.eventsUrl,
    PROBE_TOKEN: `Bearer ${probeTargets.token}`,
    // The stand-ins listen on loopback, which production refuses: allowed for local runs only.
    OUTBOUND_ALLOWED_NETWORKS: '127.0.0.0/8,::1/128',
    // The probe credential goes to the local probe targets only (an origin: that port, nothing else).
    PROBE_CREDENTIAL_HOSTS: probeTargets.url,
    // No published runbook locally: `none` (explicitly without), so messages name docs/runbook.md.
    RUNBOOK_BASE_URL: 'none',
    // Acknowledge links are signed with a key of this run; list params are JSON arrays in the environment.
    ACK_LINK_SECRET: randomBytes(24).toString('base64url'),
    // Links must name a URL (the param has no default); nothing serves it here (npm run dashboard points it at its emulator).
    ACK_LINK_BASE_URL: 'https://monitoring.localhost/ack',
    DASHBOARD_ORIGINS: JSON.stringify(['http://localhost:5173']),
  };
  return {
    slack,
    smtp,
    twilio,
    sentry,
    stripe,
    paypal,
    pagerduty,
    probeTargets,
    heartbeat,
    env,
    reset() {
      for (const server of [slack, smtp, twilio, sentry, stripe, paypal, pagerduty, probeTargets, heartbeat]) server.reset();
      twilio.calls = [];
      twilio.messages = [];
      twilio.balance = '25.00';
      stripe.events = [];
      stripe.paymentIntents = [];
      stripe.available = [{ amount: 125_000, currency: 'eur' }];
      paypal.batches = [];
    },
    async stop() {
      await Promise.all([
        slack.stop(),
        smtp.stop(),
        twilio.stop(),
        sentry.stop(),
        stripe.stop(),
        paypal.stop(),
        pagerduty.stop(),
        probeTargets.stop(),
        heartbeat.stop(),
      ]);
    },
  };
}

export { HeartbeatReceiver, ProbeTargets };
export { PagerDutyCapture, PayPalCapture, SentryCapture, SlackCapture, SmtpCapture, StripeCapture, TwilioCapture };
