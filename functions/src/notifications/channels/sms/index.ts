/** SMS through Twilio, one text per recipient. Stand-in: functions/dev/servers/twilio.ts. */
import { readParam } from '../../../config/paramKit';
import { createTwilioClient, twilioCredentials } from '../../../vendors/twilio';
import { DeliveryError, isTimeout, type Channel } from '../channel';
import { TWILIO_FROM_NUMBER, smsManifest } from './manifest';
import { smsBody } from './render';

/** Opens a text sent without the duplicate check (the retry could not ask Twilio whether the first went out). */
export const SMS_REPEAT_MARK: Record<string, string> = { en: 'Repeat? ', fr: 'Doublon ? ' };

/**
 * The body marked as a possible repeat, still one segment: the text before the acknowledge link is
 * shortened, the link kept whole. Pure.
 */
export function possibleRepeatBody(body: string, mark: string, ackUrl?: string): string {
  if (mark.length + body.length <= 160) return `${mark}${body}`;
  const linkAt = ackUrl && body.endsWith(ackUrl) ? body.lastIndexOf(' ', body.length - ackUrl.length - 3) : body.length;
  const tail = body.slice(Math.max(linkAt, 0));
  const room = 160 - mark.length - tail.length - 1;
  return `${mark}${body.slice(0, Math.max(linkAt, 0)).slice(0, Math.max(room, 0)).trimEnd()}…${tail}`;
}

/** A phone number as it may appear in an error: the last two digits only. */
export function maskedPhone(phone: string): string {
  return `+…${phone.slice(-2)}`;
}

/** Twilio's RestException: `status` (HTTP), `code` (Twilio error code), `message`, `moreInfo`. */
function describeTwilioError(to: string, error: unknown): { text: string; status: number | null; code: string | number | null; timedOut: boolean } {
  const value = error as { status?: number; code?: string | number; message?: string };
  const timedOut = isTimeout(error);
  const status = typeof value.status === 'number' ? value.status : null;
  const code = value.code ?? null;
  const parts = [timedOut ? 'timed out' : null, status ? `HTTP ${status}` : null, code !== null && code !== '' ? `Twilio ${code}` : null].filter(Boolean);
  const reason = (value.message || (error instanceof Error ? error.name : String(error))).split(to).join(maskedPhone(to));
  return { text: `${maskedPhone(to)}: ${parts.length ? `${parts.join(', ')}: ` : ''}${reason}`, status, code, timedOut };
}

export const smsChannel: Channel<'sms', string> = {
  ...smsManifest,
  render: smsBody,
  unavailable(config) {
    const credentials = twilioCredentials();
    if (!credentials.ok) return credentials.reason;
    if (!readParam(TWILIO_FROM_NUMBER)) return 'TWILIO_FROM_NUMBER not set';
    if (config.recipients.phones.length === 0) return 'no SMS recipients configured';
    return null;
  },
  async send(message, { config, timeoutMs, alreadySent, markSent, ambiguousSince, notePossibleRepeat }) {
    const client = await createTwilioClient(timeoutMs);
    if (!client.ok) throw new DeliveryError('sms', {}, client.reason);
    // The duplicate check gets a third of the channel's time, so that the text itself still fits in the attempt.
    const lookup = ambiguousSince ? await createTwilioClient(Math.max(500, Math.floor(timeoutMs / 3))) : null;
    const from = readParam(TWILIO_FROM_NUMBER)!;
    const presentation = message.presentation ?? config.presentation;
    const body = smsBody({ ...message, presentation });
    const marked = possibleRepeatBody(body, SMS_REPEAT_MARK[presentation.locale] ?? SMS_REPEAT_MARK.en, message.ackUrl);
    const pending = config.recipients.phones.filter((phone) => !alreadySent.includes(phone));
    const failures: Array<ReturnType<typeof describeTwilioError>> = [];
    // One text per recipient; those already reached by an earlier attempt are skipped.
    for (const to of pending) {
      try {
        // An earlier attempt timed out: Twilio may have taken the text. Ask before texting again; when
        // the question cannot be answered, text anyway marked as a possible repeat: an emergency SMS
        // received twice is better than one never sent (the retries would all stop at the same question).
        let unchecked = false;
        if (ambiguousSince && lookup?.ok) {
          try {
            const sent = await lookup.value.messages.list({ to, from, dateSentAfter: new Date(ambiguousSince.getTime() - 60_000), limit: 20 });
            if (sent.some((item) => (item.body === body || item.body === marked) && item.status !== 'failed' && item.status !== 'undelivered')) {
              await markSent(to);
              continue;
            }
          } catch {
            unchecked = true;
          }
        } else if (ambiguousSince) unchecked = true;
        await client.value.messages.create({ to, from, body: unchecked ? marked : body });
        await markSent(to);
        if (unchecked) await notePossibleRepeat?.(to);
      } catch (error) {
        failures.push(describeTwilioError(to, error));
      }
    }
    if (failures.length) {
      const [first] = failures;
      throw new DeliveryError(
        'sms',
        { httpStatus: first.status, vendorCode: first.code, timedOut: failures.every((item) => item.timedOut) },
        `${failures.length} of ${pending.length} SMS not sent: ${failures.map((item) => item.text).join('; ')}`,
      );
    }
  },
};
