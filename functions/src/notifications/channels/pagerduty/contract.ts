/**
 * PagerDuty Events API v2, as documented (developer.pagerduty.com, "Send an Alert Event" and "Events
 * API v2 Overview"): the contract the channel sends by and the local stand-in (functions/dev/servers/
 * pagerduty.ts) answers by. `POST /v2/enqueue` with a JSON event:
 *
 * - `routing_key` (32 characters, the integration key of an Events API v2 service integration),
 *   `event_action` (`trigger`, `acknowledge`, `resolve`), `dedup_key` (at most 255 characters; events
 *   with the same key act on the same alert: a second trigger updates it, never opens another);
 * - for `trigger`, a `payload` with `summary` (at most 1024 characters), `source`, `severity`
 *   (`critical`, `error`, `warning`, `info`), optional `timestamp`, `component`, `group`, `class`,
 *   `custom_details`; optional `links` (`href`, `text`) and `client`, `client_url`.
 *
 * Answers: 202 `{ status: "success", message: "Event processed", dedup_key }`; 400
 * `{ status: "invalid event", message: "Event object is invalid", errors: [...] }`; 429 when the
 * integration is over its rate limit (retry later); 5xx: retry.
 */

export const EVENT_ACTIONS = ['trigger', 'acknowledge', 'resolve'] as const;
export type EventAction = (typeof EVENT_ACTIONS)[number];
export const PD_SEVERITIES = ['critical', 'error', 'warning', 'info'] as const;
export type PagerDutySeverity = (typeof PD_SEVERITIES)[number];

export const SUMMARY_MAX = 1024;
export const DEDUP_KEY_MAX = 255;
export const ROUTING_KEY_LENGTH = 32;
/** The production endpoint; PAGERDUTY_EVENTS_URL (an environment variable, not a param) points tests and the demo at the stand-in. */
export const EVENTS_URL = 'https://events.pagerduty.com/v2/enqueue';

export interface PagerDutyEvent {
  routing_key: string;
  event_action: EventAction;
  dedup_key: string;
  payload?: {
    summary: string;
    source: string;
    severity: PagerDutySeverity;
    timestamp?: string;
    component?: string;
    group?: string;
    class?: string;
    custom_details?: Record<string, string>;
  };
  links?: Array<{ href: string; text: string }>;
  client?: string;
  client_url?: string;
}

export type PagerDutyAnswer =
  | { status: 202; body: { status: 'success'; message: string; dedup_key: string } }
  | { status: 400; body: { status: 'invalid event'; message: string; errors: string[] } }
  | { status: 429; body: { status: 'throttle exceeded'; message: string } };

/** What makes PagerDuty refuse an event (400): the stand-in answers with these; the channel never builds one. */
export function eventErrors(value: unknown): string[] {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return ['Event object must be a JSON object.'];
  const event = value as Partial<PagerDutyEvent>;
  const errors: string[] = [];
  if (typeof event.routing_key !== 'string' || event.routing_key.length !== ROUTING_KEY_LENGTH)
    errors.push(`'routing_key' must be ${ROUTING_KEY_LENGTH} characters.`);
  if (!EVENT_ACTIONS.includes(event.event_action as EventAction)) errors.push("'event_action' is missing or invalid.");
  if (event.dedup_key !== undefined && (typeof event.dedup_key !== 'string' || event.dedup_key.length === 0 || event.dedup_key.length > DEDUP_KEY_MAX)) {
    errors.push(`'dedup_key' must be a string of 1 to ${DEDUP_KEY_MAX} characters.`);
  }
  if (event.event_action !== 'trigger' && typeof event.dedup_key !== 'string') errors.push("'dedup_key' is required for acknowledge and resolve.");
  if (event.event_action === 'trigger') {
    const payload = event.payload;
    if (!payload || typeof payload !== 'object') errors.push("'payload' is missing.");
    else {
      if (typeof payload.summary !== 'string' || payload.summary.length === 0 || payload.summary.length > SUMMARY_MAX)
        errors.push(`'payload.summary' must be 1 to ${SUMMARY_MAX} characters.`);
      if (typeof payload.source !== 'string' || payload.source.length === 0) errors.push("'payload.source' is missing.");
      if (!PD_SEVERITIES.includes(payload.severity as PagerDutySeverity)) errors.push("'payload.severity' must be one of critical, error, warning, info.");
    }
  }
  return errors;
}
