/**
 * The channel registry: each channel's code, keyed by the names of ./manifests.ts. The type makes the
 * compiler refuse a channel listed there and missing here, a channel whose name is not its key, and a
 * channel without any part of the Channel interface (manifest, acknowledge letter, params, runbook,
 * unavailable, render, send). Adding a channel: docs/architecture.md#adding-a-channel.
 */
import type { Channel } from './channel';
import { emailChannel } from './email';
import type { ChannelName } from './manifests';
import { pagerDutyChannel } from './pagerduty';
import { slackChannel } from './slack';
import { smsChannel } from './sms';

/** Each key maps to the channel of that name, complete. */
export type ChannelRegistry = { readonly [N in ChannelName]: Channel<N> };

export function defineRegistry<const R extends ChannelRegistry>(registry: R & { readonly [K in keyof R]: K extends ChannelName ? Channel<K> : never }): R {
  return registry;
}

export const CHANNEL_IMPLEMENTATIONS = defineRegistry({
  slack: slackChannel,
  email: emailChannel,
  sms: smsChannel,
  pagerduty: pagerDutyChannel,
});

export type { Channel, SendOptions } from './channel';
