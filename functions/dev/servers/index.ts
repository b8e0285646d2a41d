/** All local stand-ins, started together, and the environment that points the product at them. */
import { SentryCapture } from './sentry';
import { SlackCapture } from './slack';
import { SmtpCapture } from './smtp';
import { TwilioCapture } from './twilio';

export interface LocalServers {
  slack: SlackCapture;
  smtp: SmtpCapture;
  twilio: TwilioCapture;
  sentry: SentryCapture;
  /** Environment variables (params and secrets) that route every channel to these servers. */
  env: Record<string, string>;
  reset(): void;
  stop(): Promise<void>;
}

export async function startLocalServers(): Promise<LocalServers> {
  const [slack, smtp, twilio, sentry] = await Promise.all([
    new SlackCapture().start(),
    new SmtpCapture().start(),
    new TwilioCapture().start(),
    new SentryCapture().start(),
  ]);
  const env = {
    SLACK_WEBHOOK_URL: slack.webhookUrl,
    SMTP_URL: smtp.url,
    ALERT_EMAIL_FROM: 'Monitoring <alerts@example.com>',
    TWILIO_ACCOUNT_SID: twilio.accountSid,
    TWILIO_AUTH_TOKEN: twilio.authToken,
    TWILIO_FROM_NUMBER: '+15005550006',
    TWILIO_API_BASE_URL: twilio.url,
    SENTRY_DSN: sentry.dsn,
  };
  return {
    slack,
    smtp,
    twilio,
    sentry,
    env,
    reset() {
      slack.reset();
      smtp.reset();
      twilio.reset();
      sentry.reset();
    },
    async stop() {
      await Promise.all([slack.stop(), smtp.stop(), twilio.stop(), sentry.stop()]);
    },
  };
}

export { SentryCapture, SlackCapture, SmtpCapture, TwilioCapture };
