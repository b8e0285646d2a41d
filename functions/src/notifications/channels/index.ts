import type { ChannelName } from '../../config/schema';
import { emailChannel } from './email';
import { slackChannel } from './slack';
import { smsChannel } from './sms';
import type { Channel } from './types';

export const CHANNEL_IMPLEMENTATIONS: Record<ChannelName, Channel> = {
  slack: slackChannel,
  email: emailChannel,
  sms: smsChannel,
};

export type { Channel, SendOptions } from './types';
