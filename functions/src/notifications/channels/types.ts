import type { ChannelName, MonitoringConfig } from '../../config/schema';
import type { MessageContext } from '../format';

export interface SendOptions {
  config: MonitoringConfig;
  timeoutMs: number;
  /** Recipients already reached by an earlier attempt of the same message (SMS). */
  alreadySent: string[];
  /** Persists progress per recipient, so that a retry never texts someone twice. */
  markSent: (recipient: string) => Promise<void>;
}

export interface Channel {
  name: ChannelName;
  /** Why the channel cannot send (missing secret or recipients), or null when it can. */
  unavailable(config: MonitoringConfig): string | null;
  send(message: MessageContext, options: SendOptions): Promise<void>;
}
