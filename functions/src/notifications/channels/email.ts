import { ALERT_EMAIL_FROM, SMTP_URL, readParam } from '../../config/params';
import { emailContent } from '../format';
import type { Channel } from './types';

export const emailChannel: Channel = {
  name: 'email',
  unavailable(config) {
    if (!readParam(SMTP_URL)) return 'SMTP_URL not set';
    if (config.recipients.emails.length === 0) return 'no email recipients configured';
    return null;
  },
  async send(message, { config, timeoutMs }) {
    const nodemailer = await import('nodemailer');
    const transport = nodemailer.createTransport({
      url: readParam(SMTP_URL)!,
      connectionTimeout: timeoutMs,
      greetingTimeout: timeoutMs,
      socketTimeout: timeoutMs,
    } as Parameters<typeof nodemailer.createTransport>[0]);
    try {
      const content = emailContent({ ...message, presentation: message.presentation ?? config.presentation });
      const info = await transport.sendMail({
        from: readParam(ALERT_EMAIL_FROM),
        to: config.recipients.emails,
        subject: content.subject,
        text: content.text,
        html: content.html,
        signal: AbortSignal.timeout(timeoutMs),
      } as Parameters<typeof transport.sendMail>[0]);
      if (info.accepted.length === 0) throw new Error(`SMTP server accepted no recipient (rejected ${info.rejected.length})`);
    } finally {
      transport.close();
    }
  },
};
