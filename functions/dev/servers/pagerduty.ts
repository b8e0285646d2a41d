/**
 * Stand-in for PagerDuty's Events API v2 (`POST /v2/enqueue`), answering as documented
 * (src/notifications/channels/pagerduty/contract.ts): 202 `{ status, message, dedup_key }` for a valid
 * event, 400 `{ status: "invalid event", message, errors }` for an invalid one (wrong routing key
 * included), 429 when told to throttle. It keeps the incidents as PagerDuty would: one per dedup key
 * while open (a second trigger updates it and pages nobody), acknowledged, resolved; a trigger after a
 * resolution opens a new one.
 */
import { randomBytes } from 'node:crypto';
import { eventErrors, type PagerDutyAnswer, type PagerDutyEvent } from '../../src/notifications/channels/pagerduty/contract';
import { LocalHttpServer } from './http';

export interface Incident {
  dedupKey: string;
  status: 'triggered' | 'acknowledged' | 'resolved';
  severity: string;
  summary: string;
  /** Triggers folded into this incident (the first one paged). */
  triggers: number;
  events: PagerDutyEvent[];
}

export class PagerDutyCapture extends LocalHttpServer {
  /** The integration key this stand-in accepts (32 characters, like PagerDuty's). */
  readonly routingKey = randomBytes(16).toString('hex');
  /** Incidents in the order they were opened. */
  incidents: Incident[] = [];
  private throttled = 0;

  constructor() {
    super('pagerduty');
    this.route('POST', '/v2/enqueue', (request) => {
      const answer = this.answer(request.body);
      return { status: answer.status, body: answer.body };
    });
  }

  /** The next `times` events are answered 429 (over the rate limit). */
  throttle(times: number): void {
    this.throttled += times;
  }

  /** The URL to configure (PAGERDUTY_EVENTS_URL). */
  get eventsUrl(): string {
    return `${this.url}/v2/enqueue`;
  }

  /** Events PagerDuty accepted (202), in order. */
  get events(): PagerDutyEvent[] {
    return this.succeeded.map((request) => JSON.parse(request.body) as PagerDutyEvent);
  }

  /** How many times someone was paged: the incidents opened. */
  get pages(): number {
    return this.incidents.length;
  }

  override reset(): void {
    super.reset();
    this.incidents = [];
    this.throttled = 0;
  }

  private answer(raw: string): PagerDutyAnswer {
    if (this.throttled > 0) {
      this.throttled -= 1;
      return { status: 429, body: { status: 'throttle exceeded', message: 'Requests for this service are arriving too quickly. Please retry later.' } };
    }
    let event: unknown;
    try {
      event = JSON.parse(raw);
    } catch {
      return { status: 400, body: { status: 'invalid event', message: 'Event object is invalid', errors: ['Malformed JSON.'] } };
    }
    const errors = eventErrors(event);
    const valid = event as PagerDutyEvent;
    if (errors.length === 0 && valid.routing_key !== this.routingKey) errors.push("'routing_key' does not match an integration.");
    if (errors.length) return { status: 400, body: { status: 'invalid event', message: 'Event object is invalid', errors } };
    const dedupKey = valid.dedup_key ?? randomBytes(16).toString('hex');
    const open = this.incidents.find((incident) => incident.dedupKey === dedupKey && incident.status !== 'resolved');
    if (valid.event_action === 'trigger') {
      if (open) {
        open.triggers += 1;
        open.severity = valid.payload!.severity;
        open.summary = valid.payload!.summary;
        open.events.push(valid);
      } else {
        this.incidents.push({
          dedupKey,
          status: 'triggered',
          severity: valid.payload!.severity,
          summary: valid.payload!.summary,
          triggers: 1,
          events: [valid],
        });
      }
    } else if (open) {
      // acknowledge / resolve of no open incident: accepted and ignored, as PagerDuty does.
      open.status = valid.event_action === 'acknowledge' ? 'acknowledged' : 'resolved';
      open.events.push(valid);
    }
    return { status: 202, body: { status: 'success', message: 'Event processed', dedup_key: dedupKey } };
  }
}
