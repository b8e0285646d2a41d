/**
 * PagerDuty through the Events API v2 (./contract.ts): one event per alert of the message, posted in
 * order; each accepted one is marked sent (`sentTo` holds its dedup key), so a retry after a partial
 * failure sends only the rest, and a retried or ambiguous trigger carries the same dedup_key (PagerDuty
 * folds it into the open incident: no second page). 429 and 5xx are failures the dispatcher retries
 * with backoff; 400 too (until `notifications.maxAttempts`), with PagerDuty's errors in the record.
 * Stand-in: functions/dev/servers/pagerduty.ts.
 */
import { readParam } from '../../../config/paramKit';
import { DeliveryError, isTimeout, type Channel } from '../channel';
import { EVENTS_URL, type PagerDutyEvent } from './contract';
import { PAGERDUTY_ROUTING_KEY, pagerDutyManifest } from './manifest';
import { pagerDutyEvents } from './render';

/** The endpoint: PagerDuty's, unless PAGERDUTY_EVENTS_URL names a stand-in (tests, demo). */
function eventsUrl(): string {
  return process.env.PAGERDUTY_EVENTS_URL?.trim() || EVENTS_URL;
}

async function post(event: PagerDutyEvent, timeoutMs: number): Promise<void> {
  let response: Response;
  try {
    response = await fetch(eventsUrl(), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(event),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    throw new DeliveryError('pagerduty', { timedOut: isTimeout(error) }, error instanceof Error ? error.message : String(error));
  }
  if (response.status === 202) return;
  const body = (await response.json().catch(() => null)) as { status?: unknown; message?: unknown; errors?: unknown } | null;
  const errors = Array.isArray(body?.errors) ? body.errors.map(String).join('; ') : '';
  const message = [typeof body?.message === 'string' ? body.message : `HTTP ${response.status}`, errors].filter(Boolean).join(': ');
  throw new DeliveryError(
    'pagerduty',
    { httpStatus: response.status, vendorCode: typeof body?.status === 'string' ? body.status.slice(0, 50) : null },
    message.slice(0, 300),
  );
}

export const pagerDutyChannel: Channel<'pagerduty', Array<Omit<PagerDutyEvent, 'routing_key'>>> = {
  ...pagerDutyManifest,
  render: pagerDutyEvents,
  unavailable: () => (readParam(PAGERDUTY_ROUTING_KEY) ? null : 'PAGERDUTY_ROUTING_KEY not set'),
  async send(message, { config, timeoutMs, alreadySent, markSent }) {
    const routingKey = readParam(PAGERDUTY_ROUTING_KEY)!;
    const events = pagerDutyEvents({ ...message, presentation: message.presentation ?? config.presentation });
    for (const event of events) {
      // The mark is per event (dedup key and action): a resolve after a trigger of the same alert is not skipped.
      const mark = `${event.event_action}:${event.dedup_key}`;
      if (alreadySent.includes(mark)) continue;
      await post({ routing_key: routingKey, ...event }, timeoutMs);
      await markSent(mark);
    }
  },
};
