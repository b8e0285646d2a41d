import { SLACK_WEBHOOK_URL, readParam } from '../../config/params';
import { slackPayload } from '../format';
import type { Channel } from './types';

export const slackChannel: Channel = {
  name: 'slack',
  unavailable: () => (readParam(SLACK_WEBHOOK_URL) ? null : 'SLACK_WEBHOOK_URL not set'),
  async send(message, { config, timeoutMs }) {
    const { IncomingWebhook } = await import('@slack/webhook');
    const webhook = new IncomingWebhook(readParam(SLACK_WEBHOOK_URL)!, { timeout: timeoutMs });
    await webhook.send(slackPayload({ ...message, presentation: message.presentation ?? config.presentation }) as Parameters<typeof webhook.send>[0]);
  },
};
