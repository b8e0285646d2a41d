import { SLACK_WEBHOOK_URL, readParam } from '../../config/params';
import { slackPayload } from '../format';
import { DeliveryError, isTimeout, type Channel } from './types';

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

export const slackChannel: Channel = {
  name: 'slack',
  unavailable: () => (readParam(SLACK_WEBHOOK_URL) ? null : 'SLACK_WEBHOOK_URL not set'),
  async send(message, { timeoutMs }) {
    const { IncomingWebhook } = await import('@slack/webhook');
    const webhook = new IncomingWebhook(readParam(SLACK_WEBHOOK_URL)!, { timeout: timeoutMs });
    try {
      await webhook.send(slackPayload(message) as Parameters<typeof webhook.send>[0]);
    } catch (error) {
      throw slackError(error);
    }
  },
};
