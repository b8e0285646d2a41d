/**
 * The channel list, as data (./manifest.ts): the one place a channel is named. Everything that needs
 * the list derives it from here: CHANNELS and the routing schema (config/schema), the documented
 * params and bound secrets (config/params), the acknowledge-link letters (ack/token), the
 * channel_failing runbook (rules/system) and, through the admin API, the dashboard. The code of each
 * channel is registered next to it in ./index.ts, typed so that a channel listed here and not there
 * (or there without every part) does not compile.
 */
import type { ParamEntry } from '../../config/paramKit';
import { emailManifest } from './email/manifest';
import { defineManifests } from './manifest';
import { pagerDutyManifest } from './pagerduty/manifest';
import { slackManifest } from './slack/manifest';
import { smsManifest } from './sms/manifest';

export const CHANNEL_MANIFESTS = defineManifests([slackManifest, emailManifest, smsManifest, pagerDutyManifest]);

export type ChannelName = (typeof CHANNEL_MANIFESTS)[number]['name'];

/** The channel names, in registry order (a non-empty tuple, as z.enum wants). */
export const CHANNELS = CHANNEL_MANIFESTS.map((manifest) => manifest.name) as unknown as readonly [ChannelName, ...ChannelName[]];

export function manifestOf(name: ChannelName): (typeof CHANNEL_MANIFESTS)[number] {
  return CHANNEL_MANIFESTS.find((manifest) => manifest.name === name)!;
}

/** The channels to tell that an alert was acknowledged: those that follow acknowledgements and were told about it. */
export function acknowledgementChannels(notified: readonly string[]): ChannelName[] {
  return CHANNEL_MANIFESTS.filter((manifest) => manifest.followsAcknowledgement && notified.includes(manifest.name)).map((manifest) => manifest.name);
}

function unique(entries: readonly ParamEntry[]): ParamEntry[] {
  return [...new Set(entries)];
}

/** Every param the channels own, in registry order. */
export const CHANNEL_PARAMS: readonly ParamEntry[] = unique(CHANNEL_MANIFESTS.flatMap((manifest) => manifest.params));
/** The secrets a function needs to deliver on every channel. */
export const CHANNEL_SECRETS: readonly ParamEntry[] = unique(CHANNEL_MANIFESTS.flatMap((manifest) => manifest.secrets));

export { ALERT_EMAIL_FROM, ALERT_EMAIL_TO, SMTP_URL } from './email/manifest';
export { SLACK_WEBHOOK_URL } from './slack/manifest';
export { ALERT_SMS_TO, TWILIO_FROM_NUMBER } from './sms/manifest';
