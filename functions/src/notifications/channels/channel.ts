/**
 * The interface every channel implements (notifications/channels/<name>/index.ts): its manifest
 * (./manifest.ts: name, acknowledge letter, params, runbook text) plus its code: whether it can send,
 * how it renders a lone or grouped message, and how it sends. ./index.ts registers them.
 */
import type { MonitoringConfig } from '../../config/schema';
import type { MessageContext } from '../format';
import type { ChannelManifest } from './manifest';
import type { ChannelName } from './manifests';

export interface SendOptions {
  config: MonitoringConfig;
  timeoutMs: number;
  /** The delivery (one message, one channel): the same on every attempt (email Message-ID). */
  deliveryId: string;
  /** When an earlier attempt of this message timed out (it may have been delivered), else null:
   *  channels that can check with the vendor do so before sending again (SMS). */
  ambiguousSince: Date | null;
  /** Recipients already reached by an earlier attempt of the same message (SMS). */
  alreadySent: string[];
  /** Persists progress per recipient, so that a retry never texts someone twice. */
  markSent: (recipient: string) => Promise<void>;
  /** Records a recipient texted without the duplicate check (marked as a possible repeat). */
  notePossibleRepeat?: (recipient: string) => Promise<void>;
}

export interface Channel<N extends string = ChannelName, Rendered = unknown> extends ChannelManifest<N> {
  /** Why the channel cannot send (missing secret or recipients), or null when it can. */
  unavailable(config: MonitoringConfig): string | null;
  /** The message as the vendor receives it, for a lone alert or a group (`message.group`); escaped and bounded. */
  render(message: MessageContext): Rendered;
  send(message: MessageContext, options: SendOptions): Promise<void>;
}

/** The delivery record's note when a text went out without its duplicate check (SMS). */
export const POSSIBLE_REPEAT_NOTE = 'possible repeat: sent without the duplicate check (the Twilio message list could not be read)';

/** What a failed send says about itself: every field that helps tell the cause. */
export interface DeliveryErrorDetail {
  /** HTTP status answered (Slack, Twilio). */
  httpStatus?: number | null;
  /** SMTP reply code (email). */
  smtpCode?: number | null;
  /** The vendor's own error code (`no_service`, Twilio `21211`, nodemailer `EAUTH`...). */
  vendorCode?: string | number | null;
  /** No answer within the channel timeout: the message may have been delivered anyway. */
  timedOut?: boolean;
}

/**
 * A failed send, named after its channel: `slack: HTTP 404, vendor code no_service: ...`. The
 * dispatcher records the message as is (after masking).
 */
export class DeliveryError extends Error {
  constructor(
    readonly channel: string,
    readonly detail: DeliveryErrorDetail,
    reason: string,
  ) {
    const parts = [
      detail.timedOut ? 'timed out' : null,
      detail.httpStatus ? `HTTP ${detail.httpStatus}` : null,
      detail.smtpCode ? `SMTP ${detail.smtpCode}` : null,
      detail.vendorCode !== undefined && detail.vendorCode !== null && detail.vendorCode !== '' ? `vendor code ${detail.vendorCode}` : null,
    ].filter(Boolean);
    super(`${channel}: ${parts.length ? `${parts.join(', ')}: ` : ''}${reason || 'no error message'}`);
    this.name = 'DeliveryError';
  }
}

/** Whether an error is a timeout (no answer in time), as opposed to a refusal. */
export function isTimeout(error: unknown): boolean {
  const value = error as { code?: unknown; name?: unknown; message?: unknown; original?: unknown; cause?: unknown } | null;
  if (!value || typeof value !== 'object') return false;
  if (value instanceof DeliveryError) return value.detail.timedOut === true;
  const text = `${String(value.code ?? '')} ${String(value.name ?? '')} ${String(value.message ?? '')}`;
  if (/ETIMEDOUT|ECONNABORTED|ESOCKETTIMEDOUT|TimeoutError|AbortError|timed? ?out|timeout of \d+ms exceeded/i.test(text)) return true;
  return isTimeout(value.original) || isTimeout(value.cause);
}
