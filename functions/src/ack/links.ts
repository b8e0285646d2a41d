/**
 * The acknowledge link of one message, from the deployment's params. No link (undefined) when
 * ACK_LINK_SECRET is not set, or the base URL needs a project id that is not known.
 */
import { ACK_LINK_BASE_URL, ACK_LINK_SECRET, readParam } from '../config/params';
import { describeError, log } from '../platform/logger';
import { ACK_CHANNELS, ACK_LINK_TTL_HOURS, ackLinkUrl, signAckToken, type AckChannel } from './token';

export function ackLinkBaseUrl(): string | undefined {
  const base = readParam(ACK_LINK_BASE_URL);
  if (!base) return undefined;
  if (!base.includes('{project}')) return base;
  const project = process.env.GCLOUD_PROJECT ?? process.env.GOOGLE_CLOUD_PROJECT;
  return project ? base.replaceAll('{project}', project) : undefined;
}

export function ackLinkFor(alertId: string, channel: string, now: Date): string | undefined {
  const key = readParam(ACK_LINK_SECRET);
  const base = ackLinkBaseUrl();
  if (!key || !base || !(channel in ACK_CHANNELS)) return undefined;
  try {
    const token = signAckToken(key, { alertId, channel: channel as AckChannel, expiresAt: new Date(now.getTime() + ACK_LINK_TTL_HOURS * 3_600_000) });
    return ackLinkUrl(base, token);
  } catch (error) {
    // A key too short or an id that cannot be linked: the message goes out without a link.
    log.warn('No acknowledge link in this message', { alertId, channel, reason: describeError(error) });
    return undefined;
  }
}
