/** Slack through an incoming webhook (@slack/webhook). Stand-in: functions/dev/servers/slack.ts. */
import { readParam } from '../../../config/paramKit';
import { DeliveryError, isTimeout, type Channel } from '../channel';
import { SLACK_WEBHOOK_URL, slackManifest } from './manifest';
import { slackPayload, type SlackPayload } from './render';

/**
 * @slack/webhook errors: IncomingWebhookHTTPError (`statusCode`, `body`: Slack's error code such as
 * `no_service`, `invalid_payload`) or IncomingWebhookRequestError (`original`: the network error).
 */
function slackError(error: unknown): DeliveryError {
  const value = error as { statusCode?: number; body?: unknown; original?: { code?: string; response?: { status?: number; data?: unknown } } };
  const status = value.statusCode ?? value.original?.response?.status ?? null;
  const rawBody = value.body ?? value.original?.response?.data;
  const body = typeof rawBody === 'string' ? rawBody.trim().slice(0, 100) : null;
  const reason = error instanceof Error ? error.message : String(error);
  return new DeliveryError('slack', { httpStatus: status, vendorCode: body || value.original?.code || null, timedOut: isTimeout(error) }, reason);
}

/** Shown on a message sent again after an attempt that got no answer (it may have been posted). */
export const REPEAT_NOTE = 'Sent again: an earlier attempt got no answer in time and may have been posted already.';

export const slackChannel: Channel<'slack', SlackPayload> = {
  ...slackManifest,
  render: slackPayload,
  unavailable: () => (readParam(SLACK_WEBHOOK_URL) ? null : 'SLACK_WEBHOOK_URL not set'),
  async send(message, { config, timeoutMs, ambiguousSince }) {
    const { IncomingWebhook } = await import('@slack/webhook');
    const webhook = new IncomingWebhook(readParam(SLACK_WEBHOOK_URL)!, { timeout: timeoutMs });
    const payload = slackPayload({ ...message, presentation: message.presentation ?? config.presentation });
    // Incoming webhooks have no idempotency key: a retry after a timeout may post twice. Say so.
    if (ambiguousSince) payload.blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: REPEAT_NOTE }] });
    try {
      await webhook.send(payload as Parameters<typeof webhook.send>[0]);
    } catch (error) {
      throw slackError(error);
    }
  },
};
