/** Stand-in for Sentry's ingestion endpoint: decodes the envelopes @sentry/node sends. */
import { LocalHttpServer } from './http';

export interface SentryEvent {
  event_id?: string;
  exception?: { values?: Array<{ type?: string; value?: string }> };
  tags?: Record<string, string>;
  contexts?: Record<string, Record<string, unknown>>;
  environment?: string;
}

export class SentryCapture extends LocalHttpServer {
  constructor() {
    super('sentry');
    this.route('POST', '/api/:project/envelope/', () => ({ status: 200, body: { id: 'ok' } }));
  }

  get dsn(): string {
    return `http://publickey@127.0.0.1:${this.port}/1`;
  }

  /** Error events received (one per captured exception). */
  get events(): SentryEvent[] {
    const events: SentryEvent[] = [];
    for (const request of this.succeeded) {
      const lines = request.body.split('\n').filter(Boolean);
      for (let index = 1; index + 1 < lines.length; index += 2) {
        const header = JSON.parse(lines[index]) as { type?: string };
        if (header.type === 'event') events.push(JSON.parse(lines[index + 1]) as SentryEvent);
      }
    }
    return events;
  }
}
