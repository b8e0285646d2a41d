import { TWILIO_FROM_NUMBER, readParam } from '../../config/params';
import { createTwilioClient, twilioCredentials } from '../../vendors/twilio';
import { smsBody } from '../format';
import type { Channel } from './types';

export const smsChannel: Channel = {
  name: 'sms',
  unavailable(config) {
    const credentials = twilioCredentials();
    if (!credentials.ok) return credentials.reason;
    if (!readParam(TWILIO_FROM_NUMBER)) return 'TWILIO_FROM_NUMBER not set';
    if (config.recipients.phones.length === 0) return 'no SMS recipients configured';
    return null;
  },
  async send(message, { config, timeoutMs, alreadySent, markSent }) {
    const client = await createTwilioClient(timeoutMs);
    if (!client.ok) throw new Error(client.reason);
    const body = smsBody({ ...message, presentation: message.presentation ?? config.presentation });
    const failures: string[] = [];
    // One text per recipient; those already reached by an earlier attempt are skipped.
    for (const to of config.recipients.phones.filter((phone) => !alreadySent.includes(phone))) {
      try {
        await client.value.messages.create({ to, from: readParam(TWILIO_FROM_NUMBER)!, body });
        await markSent(to);
      } catch (error) {
        failures.push(error instanceof Error ? error.message : String(error));
      }
    }
    if (failures.length) throw new Error(`${failures.length} SMS not sent: ${failures.join('; ')}`);
  },
};
