/** Email over SMTP (nodemailer). Stand-in: functions/dev/servers/smtp.ts. */
import { readParam } from '../../../config/paramKit';
import { DeliveryError, isTimeout, type Channel } from '../channel';
import { ALERT_EMAIL_FROM, SMTP_URL, emailManifest } from './manifest';
import { emailContent, type EmailContent } from './render';

/**
 * The Message-ID of a delivery: the same on every attempt, so that a message sent twice (an attempt
 * that timed out after the server accepted it, then the retry) is one message for mail clients.
 */
export function messageIdFor(deliveryId: string, from: string | undefined): string {
  const domain = from?.match(/@([A-Za-z0-9.-]+)>?\s*$/)?.[1] ?? 'monitoring.invalid';
  return `<${deliveryId.replace(/[^A-Za-z0-9~._-]/g, '_')}@${domain}>`;
}

/** nodemailer errors carry `responseCode` (SMTP reply code), `code` (EAUTH, EENVELOPE, ETIMEDOUT...) and `response`. */
function emailError(error: unknown): DeliveryError {
  if (error instanceof DeliveryError) return error;
  const value = error as { responseCode?: number; code?: string; message?: string };
  return new DeliveryError(
    'email',
    { smtpCode: value.responseCode ?? null, vendorCode: value.code ?? null, timedOut: isTimeout(error) },
    value.message ?? String(error),
  );
}

export const emailChannel: Channel<'email', EmailContent> = {
  ...emailManifest,
  render: emailContent,
  unavailable(config) {
    if (!readParam(SMTP_URL)) return 'SMTP_URL not set';
    if (config.recipients.emails.length === 0) return 'no email recipients configured';
    return null;
  },
  async send(message, { config, timeoutMs, deliveryId }) {
    const nodemailer = await import('nodemailer');
    const transport = nodemailer.createTransport({
      url: readParam(SMTP_URL)!,
      connectionTimeout: timeoutMs,
      greetingTimeout: timeoutMs,
      socketTimeout: timeoutMs,
    } as Parameters<typeof nodemailer.createTransport>[0]);
    try {
      const content = emailContent({ ...message, presentation: message.presentation ?? config.presentation });
      const from = readParam(ALERT_EMAIL_FROM);
      const info = await transport.sendMail({
        from,
        to: config.recipients.emails,
        subject: content.subject,
        text: content.text,
        html: content.html,
        messageId: messageIdFor(deliveryId, from),
        signal: AbortSignal.timeout(timeoutMs),
      } as Parameters<typeof transport.sendMail>[0]);
      if (info.accepted.length === 0) {
        throw new DeliveryError(
          'email',
          { smtpCode: null, vendorCode: 'ENORECIPIENT' },
          `SMTP server accepted no recipient (rejected ${info.rejected.length})`,
        );
      }
    } catch (error) {
      throw emailError(error);
    } finally {
      transport.close();
    }
  },
};
