import { list, required } from '../../../config/paramKit';
import { TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN } from '../../../config/twilioParams';
import type { ChannelManifest } from '../manifest';

export const TWILIO_FROM_NUMBER = required('TWILIO_FROM_NUMBER', 'SMS channel', 'Twilio phone number (E.164) that sends alert SMS.', '+33700000000', 'SMS');
export const ALERT_SMS_TO = list(
  'ALERT_SMS_TO',
  'SMS channel',
  'Default SMS recipients (E.164), comma-separated. The `recipients.phones` configuration field overrides it at run time.',
  '+33600000001,+33600000002',
  'default SMS recipients (then only `recipients.phones` counts)',
);

/** The Twilio account (TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN) is shared with the Twilio checks: config/twilioParams.ts. */
export const smsManifest = {
  name: 'sms',
  label: 'SMS',
  ackLetter: 'm',
  params: [TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_FROM_NUMBER, ALERT_SMS_TO],
  secrets: [TWILIO_AUTH_TOKEN],
  followsAcknowledgement: false,
  runbook: {
    diagnose: 'Twilio 20003: wrong token; 21608/21211: number not allowed or invalid; insufficient balance.',
    fix: '`firebase functions:secrets:set TWILIO_AUTH_TOKEN`',
  },
} as const satisfies ChannelManifest<'sms'>;
