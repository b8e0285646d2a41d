/**
 * Critical error_logs entries: raised at once by the trigger handler, a burst grouped into ONE alert
 * with a count and ONE message per channel, refreshed and resolved by the watchdog. Handler invoked
 * the way the Firestore trigger does (document snapshot + event time), many times concurrently.
 */
import type { Firestore } from 'firebase-admin/firestore';
import { Timestamp } from 'firebase-admin/firestore';
import { writeAll } from '../dev/scenario/types';
import type { AlertDoc } from '../src/alerts/model';
import { handleErrorLogCreated, type ErrorTriggerOutcome } from '../src/triggers/errorTrigger';
import { runJob } from '../src/pipeline/run';
import { allDocs, closeFirebase, freshProject } from './support/firebase';
import { useLocalServers } from './support/servers';

const servers = useLocalServers();
let db: Firestore;

beforeEach(async () => {
  db = await freshProject();
  await db
    .collection('monitoring_config')
    .doc('settings')
    .set({
      recipients: { emails: ['oncall@example.com'], phones: ['+33612345678'] },
      rules: { backup_stale: { enabled: false } },
    });
});
afterAll(closeFirebase);

const T0 = Date.parse('2026-11-20T08:00:00Z');

interface Entry {
  id: string;
  at: number;
  severity?: string;
  source?: string | null;
  message?: string;
}

async function seed(entries: Entry[]): Promise<void> {
  await writeAll(
    db,
    'error_logs',
    entries.map(
      ({ id, at, severity = 'critical', source = 'checkout-api', message = 'Payment intent creation failed: card_declined for jane.doe@example.com' }) => ({
        id,
        timestamp: Timestamp.fromMillis(at),
        expireAt: Timestamp.fromMillis(at + 30 * 86_400_000),
        severity,
        message,
        correlationId: `req-${id}`,
        ...(source === null ? {} : { source }),
      }),
    ),
  );
}

/** What the Firestore trigger hands the function: the created document and its write time. */
async function trigger(entry: Entry): Promise<ErrorTriggerOutcome> {
  const snapshot = await db.collection('error_logs').doc(entry.id).get();
  return handleErrorLogCreated({ id: `event-${entry.id}`, time: new Date(entry.at).toISOString(), data: snapshot });
}

const systemAlerts = () => allDocs<AlertDoc>(db, 'system_alerts');
const burst = (count: number, spreadMs: number, prefix = 'e'): Entry[] =>
  Array.from({ length: count }, (_, index) => ({ id: `${prefix}${String(index).padStart(4, '0')}`, at: T0 + Math.floor((index * spreadMs) / count) }));

describe('a burst of critical errors', () => {
  it('500 identical errors handled concurrently: one alert with the count, one message per channel', async () => {
    const entries = burst(500, 50_000);
    await seed(entries);
    const outcomes = await Promise.all(entries.map((entry) => trigger(entry)));

    expect(outcomes.filter((item) => item.outcome === 'evaluated')).toHaveLength(1);
    expect(outcomes.filter((item) => item.outcome === 'grouped')).toHaveLength(499);
    const alerts = await systemAlerts();
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({
      ruleId: 'critical_errors',
      key: 'checkout-api',
      severity: 'critical',
      title: 'Critical errors logged: checkout-api',
      value: 500,
      resolved: false,
    });
    // Personal data from the error text is masked on the alert itself.
    expect(alerts[0].message).toBe(
      '500 critical errors from checkout-api (last 1 h); latest: "Payment intent creation failed: card_declined for j***@e***.com" (correlationId req-e0499).',
    );
    expect(servers.current.slack.messages.map((message) => message.text)).toEqual(['CRITICAL: Critical errors logged: checkout-api']);
    expect(servers.current.smtp.mails).toHaveLength(1);
    expect(servers.current.twilio.sms).toHaveLength(0);

    // Bounded cost: one read per grouped invocation; the evaluation itself a few dozen operations.
    const reads = outcomes.reduce((sum, item) => sum + item.reads, 0);
    const writes = outcomes.reduce((sum, item) => sum + item.writes, 0);
    expect(outcomes.filter((item) => item.outcome === 'grouped').every((item) => item.reads === 1 && item.writes === 0)).toBe(true);
    expect(reads).toBeLessThan(600);
    expect(writes).toBeLessThan(20);
    expect(await allDocs(db, 'monitoring_runs')).toHaveLength(1);
  });

  it('a burst over several minutes: one evaluation per minute, still one alert and one message per channel; the watchdog catches up with the count', async () => {
    const entries = burst(120, 150_000); // 08:00:00 to 08:02:30
    await seed(entries);
    const outcomes = await Promise.all(entries.map((entry) => trigger(entry)));
    expect(outcomes.filter((item) => item.outcome === 'evaluated')).toHaveLength(3);
    expect(await systemAlerts()).toHaveLength(1);
    expect(servers.current.slack.messages).toHaveLength(1);
    expect(servers.current.smtp.mails).toHaveLength(1);

    const watchdog = await runJob('watchdog', { trigger: 'test', now: new Date(T0 + 15 * 60_000) });
    expect(watchdog.evaluations).toEqual(expect.arrayContaining([expect.objectContaining({ ruleId: 'critical_errors', key: 'checkout-api', value: 120 })]));
    const [alert] = await systemAlerts();
    expect(alert.value).toBe(120);
    expect(servers.current.slack.messages).toHaveLength(1);
  });

  it('groups by source: two sources, two alerts', async () => {
    const entries: Entry[] = [
      ...burst(20, 10_000, 'a'),
      ...burst(5, 10_000, 'b').map((entry) => ({ ...entry, source: 'booking-service', message: 'Slot reservation lost' })),
    ];
    await seed(entries);
    await Promise.all(entries.map((entry) => trigger(entry)));
    const alerts = await systemAlerts();
    expect(alerts.map((alert) => [alert.key, alert.value]).sort()).toEqual([
      ['booking-service', 5],
      ['checkout-api', 20],
    ]);
    // Two trigger runs: each sends its own alert's message, or one of them folds both into one message
    // (grouping, notifications/group.ts) when it finds the other's due. Each alert is told exactly once.
    const texts = servers.current.slack.messages.map((message) => message.text).sort();
    expect([['CRITICAL: 2 alerts'], ['CRITICAL: Critical errors logged: booking-service', 'CRITICAL: Critical errors logged: checkout-api']]).toContainEqual(
      texts,
    );
    const listed = JSON.stringify(servers.current.slack.messages.map((message) => message.blocks));
    expect(listed).toContain('Critical errors logged: checkout-api');
    expect(listed).toContain('Critical errors logged: booking-service');
  });

  it('later errors while the alert is open raise its count, not new messages; a quiet window resolves it', async () => {
    await seed([{ id: 'first', at: T0 }]);
    await trigger({ id: 'first', at: T0 });
    const later = burst(30, 20_000, 'later').map((entry) => ({ ...entry, at: entry.at + 10 * 60_000 }));
    await seed(later);
    await Promise.all(later.map((entry) => trigger(entry)));
    let [alert] = await systemAlerts();
    expect(alert).toMatchObject({ value: 31, occurrences: 2, resolved: false });
    expect(servers.current.slack.messages).toHaveLength(1);

    // 60 minutes after the last error the window is empty: the watchdog resolves the alert.
    await runJob('watchdog', { trigger: 'test', now: new Date(T0 + 71 * 60_000) });
    [alert] = await systemAlerts();
    expect(alert).toMatchObject({ resolved: true, value: 0 });
    expect(servers.current.slack.messages.map((message) => message.text)).toEqual([
      'CRITICAL: Critical errors logged: checkout-api',
      'RESOLVED: Critical errors logged: checkout-api',
    ]);
  });
});

describe('other entries', () => {
  it('ignores non-critical entries without reading or writing anything', async () => {
    const entries: Entry[] = ['info', 'low', 'medium', 'high'].map((severity, index) => ({ id: `n${index}`, at: T0, severity }));
    await seed(entries);
    const outcomes = await Promise.all(entries.map((entry) => trigger(entry)));
    expect(outcomes).toEqual(entries.map(() => expect.objectContaining({ outcome: 'ignored', reads: 0, writes: 0 })));
    expect(await systemAlerts()).toEqual([]);
    expect(await allDocs(db, 'monitoring_runs')).toEqual([]);
  });

  it('groups entries without a source under "unknown" and records it on them so they are counted', async () => {
    const entries = burst(3, 3_000, 'anon').map((entry) => ({ ...entry, source: null }));
    await seed(entries);
    await Promise.all(entries.map((entry) => trigger(entry)));
    const [alert] = await systemAlerts();
    expect(alert).toMatchObject({ key: 'unknown', value: 3 });
    expect((await allDocs<{ source: string }>(db, 'error_logs')).map((doc) => doc.source)).toEqual(['unknown', 'unknown', 'unknown']);
  });
});
