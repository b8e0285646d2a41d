/**
 * Delivery rates of the app's own messages (delivery job): SMS from Twilio's message list (twilio SDK
 * against the local Twilio server, with a mix of statuses), emails from the email_logs collection
 * (count aggregations, at the 5 % boundary).
 */
import type { Firestore } from 'firebase-admin/firestore';
import { Timestamp } from 'firebase-admin/firestore';
import type { TwilioMessage } from '../dev/servers/twilio';
import { writeAll } from '../dev/scenario/types';
import type { AlertDoc } from '../src/alerts/model';
import { countSms, percent } from '../src/monitors/delivery';
import { runJob } from '../src/pipeline/run';
import { allDocs, closeFirebase, freshProject } from './support/firebase';
import { useLocalServers } from './support/servers';

const servers = useLocalServers();
let db: Firestore;
const NOW = new Date('2026-11-20T08:10:00Z');
const minutesAgo = (minutes: number) => new Date(NOW.getTime() - minutes * 60_000);

beforeEach(async () => {
  db = await freshProject();
});
afterAll(closeFirebase);

async function configure(rules: Record<string, unknown> = {}) {
  await db
    .collection('monitoring_config')
    .doc('settings')
    .set({ recipients: { emails: ['oncall@example.com'], phones: ['+33612345678'] }, rules });
}

let sequence = 0;
function sms(status: TwilioMessage['status'], minutes: number, extra: Partial<TwilioMessage> = {}): TwilioMessage {
  sequence += 1;
  return {
    sid: `SM${String(sequence).padStart(32, '0')}`,
    status,
    direction: 'outbound-api',
    date_sent: minutesAgo(minutes).toISOString(),
    error_code: status === 'undelivered' ? 30007 : status === 'failed' ? 30003 : null,
    to: '+33612345678',
    from: '+15005550006',
    ...extra,
  };
}
const many = (count: number, make: (index: number) => TwilioMessage) => Array.from({ length: count }, (_, index) => make(index));
const functionalAlert = async (ruleId: string) => (await allDocs<AlertDoc>(db, 'functional_alerts')).find((alert) => alert._id === `${ruleId}-n1`);
const run = () => runJob('delivery', { trigger: 'test', now: NOW });
const evaluationOf = (result: Awaited<ReturnType<typeof run>>, ruleId: string) => result.evaluations.find((item) => item.ruleId === ruleId);

describe('pure parts', () => {
  it('counts outbound messages by fate; pending and inbound ones are left out', () => {
    const counts = countSms([
      { status: 'delivered', direction: 'outbound-api', errorCode: null },
      { status: 'delivered', direction: 'outbound-reply', errorCode: null },
      { status: 'undelivered', direction: 'outbound-api', errorCode: 30007 },
      { status: 'undelivered', direction: 'outbound-api', errorCode: 30007 },
      { status: 'failed', direction: 'outbound-api', errorCode: 30003 },
      { status: 'failed', direction: 'outbound-api', errorCode: null },
      { status: 'sent', direction: 'outbound-api', errorCode: null },
      { status: 'queued', direction: 'outbound-api', errorCode: null },
      { status: 'received', direction: 'inbound', errorCode: null },
    ]);
    expect(counts).toEqual({
      delivered: 2,
      undelivered: 2,
      failed: 2,
      pending: 2,
      topErrorCodes: [
        { code: 30007, count: 2 },
        { code: 30003, count: 1 },
      ],
    });
  });

  it.each([
    [1, 20, 5],
    [1, 19, 5.26],
    [19, 20, 95],
    [0, 0, null],
    [2, 3, 66.67],
  ])('percent(%i, %i) = %p', (part, whole, expected) => {
    expect(percent(part, whole)).toBe(expected);
  });
});

describe('SMS delivery rate', () => {
  it('reads the account message list through the twilio SDK and alerts below 95 % with the error codes', async () => {
    await configure();
    servers.current.twilio.messages = [
      ...many(18, (index) => sms('delivered', 10 + index)),
      sms('undelivered', 30),
      sms('failed', 40),
      ...many(3, (index) => sms('sent', 2 + index)),
      sms('received', 50, { direction: 'inbound' }),
      // Outside the 6-hour window: not listed.
      ...many(5, (index) => sms('failed', 7 * 60 + index)),
    ];
    const result = await run();
    expect(evaluationOf(result, 'sms_delivery_rate_low')).toMatchObject({ status: 'breach', value: 90, threshold: 95 });
    const alert = await functionalAlert('sms_delivery_rate_low');
    expect(alert).toMatchObject({ severity: 'critical', category: 'messaging', window: 'last 6 h', metadata: expect.objectContaining({ sample: 20 }) });
    expect(alert!.message).toBe('90 % of SMS delivered over the last 6 h (18 delivered, 1 undelivered, 1 failed); top error codes: 30003 (1), 30007 (1).');
    expect(result.metrics.sms).toMatchObject({ delivered: 18, undelivered: 1, failed: 1, pending: 3, final: 20, rate: 90 });
    // The list request: GET Messages.json with the window start, authenticated.
    const list = servers.current.twilio.requests.find((request) => request.method === 'GET' && request.path.endsWith('/Messages.json'))!;
    expect(new Date(list.query.get('DateSent>')!).toISOString()).toBe(minutesAgo(360).toISOString());
    expect(list.status).toBe(200);
    // The alert's own SMS went out (critical routes to email and Slack; nothing sent by SMS here).
    expect(servers.current.twilio.sms).toEqual([]);
  });

  it('exactly 95 % does not alert; fewer final messages than the minimum sample is not decided', async () => {
    await configure();
    servers.current.twilio.messages = [...many(19, (index) => sms('delivered', 10 + index)), sms('failed', 40)];
    expect(evaluationOf(await run(), 'sms_delivery_rate_low')).toMatchObject({ status: 'ok', value: 95 });

    servers.current.twilio.messages = [...many(10, (index) => sms('delivered', 10 + index)), sms('failed', 40), ...many(30, (index) => sms('sent', index))];
    expect(evaluationOf(await run(), 'sms_delivery_rate_low')).toMatchObject({
      status: 'unknown',
      reason: 'sample of 11 SMS with a final status is below the minimum of 20',
    });
    expect(await functionalAlert('sms_delivery_rate_low')).toBeUndefined();
  });

  it('follows Twilio pages up to maxMessages', async () => {
    await configure({ sms_delivery_rate_low: { params: { maxMessages: 60 } } });
    servers.current.twilio.messages = many(80, (index) => sms(index % 10 === 0 ? 'failed' : 'delivered', index));
    const result = await run();
    expect(result.metrics.sms).toMatchObject({ final: 60, delivered: 54, failed: 6, rate: 90 });
    expect(evaluationOf(result, 'sms_delivery_rate_low')).toMatchObject({ status: 'breach', value: 90 });
  });

  it('an API error is a failed check (monitor_check_failed), not a rate', async () => {
    await configure();
    servers.current.twilio.fail({ status: 500, body: { code: 20500, message: 'Internal Server Error', status: 500 } });
    const result = await run();
    expect(evaluationOf(result, 'sms_delivery_rate_low')).toBeUndefined();
    expect(result.evaluations.find((item) => item.ruleId === 'monitor_check_failed' && item.key === 'delivery/sms-delivery')).toMatchObject({
      status: 'breach',
    });
  });

  it('without Twilio credentials the SMS check is skipped with the reason', async () => {
    await configure();
    delete process.env.TWILIO_AUTH_TOKEN;
    const result = await run();
    expect(result.skippedChecks).toEqual([{ check: 'sms-delivery', reason: 'TWILIO_AUTH_TOKEN not set' }]);
  });
});

describe('email bounce rate', () => {
  const emails = (statuses: string[], minutes = 30) =>
    writeAll(
      db,
      'email_logs',
      statuses.map((status, index) => ({ status, timestamp: Timestamp.fromDate(minutesAgo(minutes + index)), template: 'booking-confirmation' })),
    );
  const repeat = (status: string, count: number) => Array.from({ length: count }, () => status);

  it('exactly 5 % does not alert', async () => {
    await configure({ email_bounce_rate_high: { minSample: 10 } });
    await emails([...repeat('delivered', 19), 'bounced']);
    const result = await run();
    expect(evaluationOf(result, 'email_bounce_rate_high')).toMatchObject({ status: 'ok', value: 5 });
    expect(result.metrics.email).toEqual({ total: 20, bounced: 1, complained: 0, rate: 5 });
  });

  it('just above 5 % alerts (bounces and complaints together); older logs are outside the window', async () => {
    await configure({ email_bounce_rate_high: { minSample: 10 } });
    await emails([...repeat('delivered', 18), 'complained']);
    await emails(repeat('bounced', 4), 25 * 60);
    const result = await run();
    expect(evaluationOf(result, 'email_bounce_rate_high')).toMatchObject({ status: 'breach', value: 5.26 });
    const alert = await functionalAlert('email_bounce_rate_high');
    expect(alert).toMatchObject({ severity: 'critical', window: 'last 24 h', metadata: expect.objectContaining({ sample: 19 }) });
    expect(alert!.message).toBe('5.26 % of emails bounced or complained about over the last 24 h (0 bounced, 1 complaints, of 19).');
    // Count aggregations: the 23 logs are counted, never downloaded.
    expect(result.reads.indexEntries).toBeGreaterThanOrEqual(19 + 1);
  });

  it('below the minimum sample (default 50) it is not decided', async () => {
    await configure();
    await emails([...repeat('delivered', 5), 'bounced', 'bounced']);
    expect(evaluationOf(await run(), 'email_bounce_rate_high')).toMatchObject({
      status: 'unknown',
      reason: 'sample of 7 emails logged is below the minimum of 50',
    });
  });
});
