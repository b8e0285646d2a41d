/**
 * The PagerDuty channel end to end: the real dispatcher and pipeline, the channel's fetch to the local
 * Events API v2 stand-in (dev/servers/pagerduty.ts), the admin API's acknowledgement. One incident per
 * alert (dedup_key = the alert's id), following its lifecycle: trigger, retried trigger (no second
 * page), acknowledge, resolve; 429 retried with backoff; a grouped message opens one incident per alert.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Firestore } from 'firebase-admin/firestore';
import type { TestNotificationResult } from '../src/admin/notify';
import type { AlertDoc, DeliveryDoc } from '../src/alerts/model';
import { acknowledgeAlert, acknowledgeFromLink, sendTestNotification } from '../src/index';
import { pagerDutyEvents, PAGERDUTY_SEVERITY } from '../src/notifications/channels/pagerduty/render';
import { eventErrors, SUMMARY_MAX } from '../src/notifications/channels/pagerduty/contract';
import type { MessageContext } from '../src/notifications/format';
import { call } from './support/admin';
import { allDocs, closeFirebase, freshProject } from './support/firebase';
import { at, scriptedJob } from './support/scriptedJob';
import { useLocalServers } from './support/servers';

const servers = useLocalServers();
let db: Firestore;

beforeEach(async () => {
  db = await freshProject();
});
afterAll(closeFirebase);

/** Emergencies page through PagerDuty only (routing is configured: by default PagerDuty pages nothing). */
function pagingJob(configure: Parameters<typeof scriptedJob>[0] = () => undefined) {
  return scriptedJob((config) => {
    config.rules.test_failures.severity = 'emergency';
    config.routing.emergency = ['pagerduty'];
    config.notifications.channelTimeoutMs = 5_000;
    config.notifications.repeatIntervalMinutes = { warning: 0, critical: 0, emergency: 0 };
    configure(config);
  });
}

const pd = () => servers.current.pagerduty;
const alerts = () => allDocs<AlertDoc>(db, 'payment_alerts');
const deliveries = () => allDocs<DeliveryDoc>(db, 'monitoring_deliveries');
const hoursLater = (hours: number) => () => new Date(Date.now() + hours * 3_600_000);

describe('PagerDuty follows the alert', () => {
  it('triggers once, acknowledges when someone acknowledges in the dashboard, resolves when the alert clears', async () => {
    const job = pagingJob();
    job.observe([{ ruleId: 'test_failures', value: 5 }]);
    const first = await job.run(at('2026-11-20T08:00:00Z'));
    const [alert] = await alerts();
    expect(first.deliveries).toEqual([expect.objectContaining({ channel: 'pagerduty', status: 'sent', event: 'opened' })]);
    const [trigger] = pd().events;
    expect(trigger).toMatchObject({
      routing_key: pd().routingKey,
      event_action: 'trigger',
      dedup_key: alert.id,
      payload: { summary: 'EMERGENCY: Test failures', severity: 'critical', source: 'marketplace-monitoring/production', class: 'test_failures' },
    });
    expect(trigger.payload!.custom_details).toMatchObject({ value: '5 (alert when more than 3)', alert_id: alert.id });
    expect(pd().incidents).toEqual([expect.objectContaining({ dedupKey: alert.id, status: 'triggered', triggers: 1 })]);
    expect(alert.notifiedChannels).toEqual(['pagerduty']);

    // Acknowledged in the dashboard: the next run (any job) acknowledges the incident.
    await call(acknowledgeAlert, { alertId: alert.id });
    const afterAck = await job.run(at('2026-11-20T08:05:00Z'));
    expect(afterAck.deliveries).toEqual([expect.objectContaining({ channel: 'pagerduty', status: 'sent', event: 'acknowledged' })]);
    expect(pd().events[1]).toEqual({ routing_key: pd().routingKey, event_action: 'acknowledge', dedup_key: alert.id });
    expect(pd().incidents[0].status).toBe('acknowledged');

    // Cleared: resolved on PagerDuty too; still one incident, paged once.
    job.observe([{ ruleId: 'test_failures', value: 0 }]);
    await job.run(at('2026-11-20T09:00:00Z'));
    expect(pd().events.map((event) => event.event_action)).toEqual(['trigger', 'acknowledge', 'resolve']);
    expect(pd().events[2]).toEqual({ routing_key: pd().routingKey, event_action: 'resolve', dedup_key: alert.id });
    expect(pd().incidents).toEqual([expect.objectContaining({ status: 'resolved', triggers: 1 })]);
    expect(pd().pages).toBe(1);
  });

  it('a trigger answered too late is retried with the same dedup_key: PagerDuty folds it, nobody is paged twice', async () => {
    const job = pagingJob((config) => {
      config.notifications.channelTimeoutMs = 1_000;
    });
    // PagerDuty takes the event but answers after the channel gave up.
    pd().fail({ delayMs: 1_500 }, 1);
    job.observe([{ ruleId: 'test_failures', value: 5 }]);
    const first = await job.run(at('2026-11-20T08:00:00Z'));
    expect(first.deliveries).toEqual([
      expect.objectContaining({ channel: 'pagerduty', status: 'ambiguous', error: expect.stringMatching(/^pagerduty: timed out/) }),
    ]);
    await new Promise((resolve) => setTimeout(resolve, 700)); // the late answer lands
    expect(pd().incidents).toHaveLength(1);

    const retry = await job.run({ ...at('2026-11-20T09:00:00Z'), clock: hoursLater(1) });
    expect(retry.deliveries).toEqual([expect.objectContaining({ channel: 'pagerduty', status: 'sent', attempt: 2 })]);
    const [alert] = await alerts();
    expect(pd().requests.map((request) => JSON.parse(request.body).dedup_key)).toEqual([alert.id, alert.id]);
    expect(pd().incidents).toEqual([expect.objectContaining({ dedupKey: alert.id, triggers: 2 })]);
    expect(pd().pages).toBe(1);
  });

  it('429: recorded as failed, not retried before its backoff, sent once due', async () => {
    const job = pagingJob();
    pd().throttle(1);
    job.observe([{ ruleId: 'test_failures', value: 5 }]);
    const first = await job.run(at('2026-11-20T08:00:00Z'));
    expect(first.deliveries).toEqual([
      expect.objectContaining({
        channel: 'pagerduty',
        status: 'failed',
        error: expect.stringMatching(/^pagerduty: HTTP 429, vendor code throttle exceeded: /),
      }),
    ]);
    const [failed] = await deliveries();
    expect(failed).toMatchObject({ status: 'failed', attempts: 1 });
    expect(failed.nextAttemptAt.toMillis()).toBeGreaterThan(Date.now() + 4 * 60_000);

    await job.run(at('2026-11-20T08:01:00Z'));
    expect(pd().requests).toHaveLength(1);
    const retry = await job.run({ ...at('2026-11-20T09:00:00Z'), clock: hoursLater(1) });
    expect(retry.deliveries).toEqual([expect.objectContaining({ status: 'sent', attempt: 2 })]);
    expect(pd().pages).toBe(1);
  });

  it('400 (a wrong routing key): the errors PagerDuty gives are recorded, the key never', async () => {
    const job = pagingJob();
    process.env.PAGERDUTY_ROUTING_KEY = 'f'.repeat(32);
    job.observe([{ ruleId: 'test_failures', value: 5 }]);
    const first = await job.run(at('2026-11-20T08:00:00Z'));
    const [outcome] = first.deliveries;
    expect(outcome).toMatchObject({
      status: 'failed',
      error: expect.stringMatching(/HTTP 400, vendor code invalid event: Event object is invalid: 'routing_key' does not match/),
    });
    expect(outcome.error).not.toContain('f'.repeat(32));
    expect(pd().incidents).toHaveLength(0);
  });

  it('without a routing key the channel is skipped and re-checked, like a missing Slack webhook', async () => {
    const job = pagingJob();
    process.env.PAGERDUTY_ROUTING_KEY = 'none';
    job.observe([{ ruleId: 'test_failures', value: 5 }]);
    const first = await job.run(at('2026-11-20T08:00:00Z'));
    expect(first.deliveries).toEqual([expect.objectContaining({ status: 'skipped', error: 'PAGERDUTY_ROUTING_KEY not set' })]);
    expect(pd().requests).toHaveLength(0);
  });
});

describe('acknowledged by the link of the PagerDuty incident', () => {
  let server: Server;
  let base: string;
  beforeAll(async () => {
    server = createServer((req, res) => void (acknowledgeFromLink as unknown as (req: unknown, res: unknown) => Promise<void>)(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/ack`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  it('the incident carries the signed link (letter p); acknowledging through it acknowledges the incident', async () => {
    process.env.ACK_LINK_BASE_URL = base;
    const job = pagingJob();
    job.observe([{ ruleId: 'test_failures', value: 5 }]);
    await job.run(at('2026-11-20T08:00:00Z'));
    const link = pd().events[0].links!.find((item) => item.text === 'Acknowledge')!.href;
    const token = new URL(link).searchParams.get('t')!;
    expect(token).toMatch(/\.p[0-9a-z]+\./);
    const answer = await fetch(base, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ t: token }),
    });
    expect(answer.status).toBe(200);
    const [alert] = await alerts();
    expect(alert).toMatchObject({ acknowledged: true, acknowledgedVia: 'link', acknowledgedChannel: 'pagerduty' });

    await job.run(at('2026-11-20T08:05:00Z'));
    expect(pd().events.map((event) => event.event_action)).toEqual(['trigger', 'acknowledge']);
    expect(pd().incidents[0].status).toBe('acknowledged');
  });
});

describe('a test notification from the dashboard', () => {
  it('triggers and resolves at once: PagerDuty is reached, no incident stays open', async () => {
    const result = await call<TestNotificationResult>(sendTestNotification, { channel: 'pagerduty' });
    expect(result).toMatchObject({ channel: 'pagerduty', status: 'sent', error: null });
    expect(pd().events.map((event) => [event.event_action, event.dedup_key])).toEqual([
      ['trigger', result.deliveryId.split('~')[0]],
      ['resolve', result.deliveryId.split('~')[0]],
    ]);
    expect(pd().events[0].payload!.summary).toBe('TEST: Test notification (pagerduty)');
    expect(pd().incidents.map((incident) => incident.status)).toEqual(['resolved']);
  });
});

describe('a grouped message', () => {
  it('opens one incident per alert (one event per alert, each with its own dedup_key), and resolves each', async () => {
    const job = pagingJob();
    const keys = ['a', 'b', 'c'];
    job.observe(keys.map((key) => ({ ruleId: 'test_failures', key, value: 5 })));
    const first = await job.run(at('2026-11-20T08:00:00Z'));
    const group = (await deliveries()).find((delivery) => delivery.group)!;
    expect(group).toMatchObject({ channel: 'pagerduty', status: 'sent' });
    expect(first.deliveries.filter((item) => item.status === 'sent')).toHaveLength(1);
    const ids = (await alerts()).map((alert) => alert.id).sort();
    expect(
      pd()
        .events.map((event) => [event.event_action, event.dedup_key])
        .sort(),
    ).toEqual(ids.map((id) => ['trigger', id]));
    expect(pd().pages).toBe(3);

    job.observe(keys.map((key) => ({ ruleId: 'test_failures', key, value: 0 })));
    await job.run(at('2026-11-20T09:00:00Z'));
    expect(pd().incidents.map((incident) => incident.status)).toEqual(['resolved', 'resolved', 'resolved']);
  });
});

describe('PagerDuty events (pure)', () => {
  const base: MessageContext = {
    alert: {
      id: 'test_failures~k',
      ruleId: 'test_failures',
      domain: 'payment',
      category: 'test',
      title: 'Test failures: jane.doe@example.com\n<!channel> injected',
      message: `${'x'.repeat(3_000)}\u202e`,
      impact: 'line one\nline two',
      suggestedAction: 'Call +33612345678',
      runbookUrl: 'javascript:alert(1)',
      value: 5,
      threshold: 3,
      unit: 'count',
      direction: 'above',
      metadata: { lastRunId: 'run-1' },
    } as unknown as MessageContext['alert'],
    event: 'opened',
    severity: 'critical',
    environment: 'staging',
    ackUrl: 'https://monitoring.example.com/ack?t=abc',
  };

  it('one plain line per field, bounded, personal data masked, only safe links, valid for PagerDuty', () => {
    const [event] = pagerDutyEvents(base);
    const payload = event.payload!;
    expect(payload.summary).not.toMatch(/[\n\r\u202e]/);
    expect(payload.summary.length).toBeLessThanOrEqual(SUMMARY_MAX);
    expect(payload.summary).not.toContain('jane.doe@example.com');
    expect(payload.summary).toContain('CRITICAL [staging]: Test failures:');
    expect(payload.custom_details!.message.length).toBeLessThanOrEqual(1_000);
    expect(payload.custom_details!.impact).toBe('line one line two');
    expect(payload.custom_details!.suggested_action).not.toContain('+33612345678');
    expect(event.links).toEqual([{ href: 'https://monitoring.example.com/ack?t=abc', text: 'Acknowledge' }]);
    expect(eventErrors({ routing_key: 'k'.repeat(32), ...event })).toEqual([]);
  });

  it.each([
    ['opened', 'trigger'],
    ['escalated-emergency-1', 'trigger'],
    ['repeat-3', 'trigger'],
    ['unacknowledged-critical-1', 'trigger'],
    ['acknowledged', 'acknowledge'],
    ['resolved', 'resolve'],
  ])('%s -> %s', (event, action) => {
    expect(pagerDutyEvents({ ...base, event })[0]).toMatchObject({ event_action: action, dedup_key: 'test_failures~k' });
  });

  it('a test message triggers and resolves at once: it proves the route and leaves no incident open', () => {
    expect(pagerDutyEvents({ ...base, event: 'test' }).map((event) => event.event_action)).toEqual(['trigger', 'resolve']);
  });

  it('maps severities: emergency critical, critical error, warning warning', () => {
    expect(PAGERDUTY_SEVERITY).toEqual({ emergency: 'critical', critical: 'error', warning: 'warning' });
  });

  it.each([
    ['not an object', 'x', /JSON object/],
    ['a short routing key', { routing_key: 'short', event_action: 'trigger', payload: { summary: 's', source: 's', severity: 'info' } }, /routing_key/],
    ['an unknown action', { routing_key: 'k'.repeat(32), event_action: 'page' }, /event_action/],
    ['a trigger without payload', { routing_key: 'k'.repeat(32), event_action: 'trigger' }, /payload/],
    ['a resolve without dedup_key', { routing_key: 'k'.repeat(32), event_action: 'resolve' }, /dedup_key/],
    [
      'a summary too long',
      { routing_key: 'k'.repeat(32), event_action: 'trigger', payload: { summary: 'x'.repeat(1025), source: 's', severity: 'info' } },
      /summary/,
    ],
    [
      'an unknown severity',
      { routing_key: 'k'.repeat(32), event_action: 'trigger', payload: { summary: 's', source: 's', severity: 'emergency' } },
      /severity/,
    ],
  ])('the contract refuses %s (the stand-in answers 400)', (_label, event, error) => {
    expect(eventErrors(event).join(' ')).toMatch(error);
  });
});
