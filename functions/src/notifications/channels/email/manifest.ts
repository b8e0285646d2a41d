import { list, required, secret } from '../../../config/paramKit';
import type { ChannelManifest } from '../manifest';

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
export const ALERT_EMAIL_TO = list(
  'ALERT_EMAIL_TO',
  'Email channel',
  'Default alert email recipients, comma-separated. The `recipients.emails` configuration field overrides it at run time.',
  'oncall@example.com,cto@example.com',
  'default email recipients (then only `recipients.emails` counts)',
);

export const emailManifest = {
  name: 'email',
  label: 'Email',
  ackLetter: 'e',
  params: [SMTP_URL, ALERT_EMAIL_FROM, ALERT_EMAIL_TO],
  secrets: [SMTP_URL],
  followsAcknowledgement: false,
  runbook: {
    diagnose: 'Email authentication errors (SMTP 535, EAUTH): the SMTP password in SMTP_URL changed.',
    fix: '`firebase functions:secrets:set SMTP_URL`',
  },
} as const satisfies ChannelManifest<'email'>;
