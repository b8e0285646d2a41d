/** Stand-in for a Slack incoming webhook: accepts JSON posts, answers "ok" like Slack does. */
import { LocalHttpServer } from './http';

export interface SlackMessage {
  text: string;
  blocks: Array<Record<string, unknown>>;
}

export class SlackCapture extends LocalHttpServer {
  constructor() {
    super('slack');
    this.route('POST', '/services/:team/:bot/:token', () => ({ status: 200, body: 'ok' }));
  }

  /** The webhook URL to configure (SLACK_WEBHOOK_URL). */
  get webhookUrl(): string {
    return `${this.url}/services/T0LOCAL/B0LOCAL/local-webhook-token`;
  }

  /** Payloads Slack accepted (faulted requests excluded). */
  get messages(): SlackMessage[] {
    return this.succeeded.map((request) => JSON.parse(request.body) as SlackMessage);
  }
}
