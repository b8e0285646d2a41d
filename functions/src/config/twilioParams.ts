/** The Twilio account's params: shared by the SMS channel and the Twilio checks (vendors/twilio.ts). */
import { required, secret } from './paramKit';

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
