/**
 * Acknowledge links: a token signed with HMAC-SHA256 (key: the ACK_LINK_SECRET param) that names one
 * alert, the channel whose message carried it and an expiry. It grants one action only, acknowledging
 * that alert; once the alert is acknowledged (or resolved) the link writes nothing more.
 *
 * Format (URL-safe, short enough for an SMS): `<alertId>.<channel letter><expiry, base-36 seconds>.<MAC>`
 * where MAC is the first 96 bits of HMAC-SHA256(key, "ack/v1|<alertId>|<channel>|<expiry>"), in
 * base64url. Pure functions: no Firestore, no params (the caller passes the key and the clock).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { CHANNEL_MANIFESTS, type ChannelName } from '../notifications/channels/manifests';
import type { AckLetter } from '../notifications/channels/manifest';

/** Each channel's letter, from its manifest (a channel cannot be registered without one). */
export const ACK_CHANNELS = Object.fromEntries(CHANNEL_MANIFESTS.map((manifest) => [manifest.name, manifest.ackLetter])) as Record<ChannelName, AckLetter>;
export type AckChannel = ChannelName;
/** How long a link stays valid after its message was sent. Later messages carry fresh links. */
export const ACK_LINK_TTL_HOURS = 48;
/** A shorter key makes forging easier: refuse to sign or verify with it. */
export const ACK_KEY_MIN_LENGTH = 16;
/** Longest alert id a token may carry (the admin API's document id bound). */
const MAX_ALERT_ID = 200;
const MAC_BYTES = 12;

export interface AckClaim {
  alertId: string;
  channel: AckChannel;
  expiresAt: Date;
}

export type AckVerification = ({ ok: true } & AckClaim) | { ok: false; reason: 'malformed' | 'forged' | 'expired'; expiresAt?: Date };

function mac(key: string, alertId: string, channel: AckChannel, expiry: number): Buffer {
  return createHmac('sha256', key).update(`ack/v1|${alertId}|${channel}|${expiry}`).digest().subarray(0, MAC_BYTES);
}

function checkKey(key: string): void {
  if (key.length < ACK_KEY_MIN_LENGTH) throw new Error(`ACK_LINK_SECRET is too short: at least ${ACK_KEY_MIN_LENGTH} characters are required.`);
}

const ALERT_ID = /^[A-Za-z0-9_~.-]{1,200}$/;

export function signAckToken(key: string, claim: AckClaim): string {
  checkKey(key);
  if (!ALERT_ID.test(claim.alertId)) throw new Error(`Cannot sign an acknowledge link for alert id "${claim.alertId.slice(0, MAX_ALERT_ID)}".`);
  const expiry = Math.floor(claim.expiresAt.getTime() / 1000);
  return `${claim.alertId}.${ACK_CHANNELS[claim.channel]}${expiry.toString(36)}.${mac(key, claim.alertId, claim.channel, expiry).toString('base64url')}`;
}

/** Checks format, signature (constant time) and expiry, in that order. Never throws. */
export function verifyAckToken(key: string, token: unknown, now: Date): AckVerification {
  if (typeof token !== 'string' || token.length > MAX_ALERT_ID + 40 || key.length < ACK_KEY_MIN_LENGTH) return { ok: false, reason: 'malformed' };
  const macStart = token.lastIndexOf('.');
  const claimStart = token.lastIndexOf('.', macStart - 1);
  if (claimStart <= 0) return { ok: false, reason: 'malformed' };
  const alertId = token.slice(0, claimStart);
  const claim = token.slice(claimStart + 1, macStart);
  const given = token.slice(macStart + 1);
  const channel = (Object.keys(ACK_CHANNELS) as AckChannel[]).find((name) => ACK_CHANNELS[name] === claim[0]);
  if (!ALERT_ID.test(alertId) || !channel || !/^[0-9a-z]{1,10}$/.test(claim.slice(1)) || !/^[A-Za-z0-9_-]{16}$/.test(given)) {
    return { ok: false, reason: 'malformed' };
  }
  const expiry = parseInt(claim.slice(1), 36);
  const expected = mac(key, alertId, channel, expiry);
  const actual = Buffer.from(given, 'base64url');
  if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) return { ok: false, reason: 'forged' };
  const expiresAt = new Date(expiry * 1000);
  if (expiresAt.getTime() <= now.getTime()) return { ok: false, reason: 'expired', expiresAt };
  return { ok: true, alertId, channel, expiresAt };
}

/** The link put in a message: `<base>?t=<token>`. */
export function ackLinkUrl(baseUrl: string, token: string): string {
  return `${baseUrl}${baseUrl.includes('?') ? '&' : '?'}t=${encodeURIComponent(token)}`;
}
