/**
 * Detection coverage (issue 10): sliding windows over the whole span since the previous scheduled
 * evaluation, the coverage cursor (retries, look-back), blocks counted since the last success, and
 * the fast-path job next to the full checks (one alert, one message per channel).
 */
import type { Firestore } from 'firebase-admin/firestore';
import { prng } from '../dev/bench/prng';
import { analyticsEvent, provider, seedFunctional, trackingEvent } from '../dev/scenario/functional';
import type { Candidate } from '../src/alerts/evaluate';
import type { AlertDoc } from '../src/alerts/model';
import { main as cli } from '../src/cli/monitor';
import { findJob, JOBS } from '../src/jobs/catalog';
import { formatWindow, planWindows, stepMinutesFor, worstOf, type Measured, type RuleCursor } from '../src/monitors/coverage';
import { FAST_PATH_RULES, fastPathSkipReason, unmeasuredFastRules } from '../src/monitors/fast';
import { runJob, type RunResult } from '../src/pipeline/run';
import { RULES } from '../src/rules';
import { allDocs, closeFirebase, freshProject } from './support/firebase';
import { seed, times } from './support/seed';
import { useLocalServers } from './support/servers';
import { Timestamp } from 'firebase-admin/firestore';

const servers = useLocalServers();
let db: Firestore;

beforeEach(async () => {
  db = await freshProject();
});
afterAll(closeFirebase);

const MIN = 60_000;
const at = (iso: string) => new Date(iso);
const ms = (iso: string) => Date.parse(iso);
const scheduled = (job: string, iso: string) => runJob(job, { trigger: 'schedule', now: at(iso), tickMs: ms(iso) });
const stripeFailure = (iso: string) => ({
  provider: 'stripe',
  status: 'failed',
  amount: 5_000,
  currency: 'EUR',
  createdAt: Timestamp.fromMillis(ms(iso) - 60_000),
  failedAt: Timestamp.fromMillis(ms(iso)),
  failureCode: 'card_declined',
});
const evaluation = (result: RunResult, ruleId: string, key: string | null = null) =>
  result.evaluations.find((item) => item.ruleId === ruleId && item.key === key);
const alertsOf = async (collection: string, ruleId: string) => (await allDocs<AlertDoc>(db, collection)).filter((alert) => alert.ruleId === ruleId);
const bookable = () => times(3, (i) => provider(`available-${i}`, { isAvailable: true, rating: 4 }));
/** Healthy surroundings for fast-path runs: bookable providers, Meta CAPI sending. */
const healthy = (iso = '2026-11-20T11:00:00Z') => ({ providers: bookable(), tracking_events: [trackingEvent('meta_capi', 'sent', at(iso))] });

describe('window plan (pure)', () => {
  it.each([
    [15, 5],
    [60, 5],
    [120, 10],
    [720, 60],
    [2_880, 60],
  ])('a %i-minute window steps every %i minutes', (windowMinutes, step) => {
    expect(stepMinutesFor(windowMinutes)).toBe(step);
  });

  const T = ms('2026-11-20T12:00:00Z');
  const cursor = (coveredToMs: number, spans: Array<[number, number]> = []): RuleCursor => ({ coveredToMs, spans });
  const base = { tickMs: T, windowMinutes: 60, maxLookbackMinutes: 1_440, scheduled: true };
  it.each<[string, Parameters<typeof planWindows>[0], { fromMs: number; count: number; first: number; basis: string; moves: boolean }]>([
    [
      'an unscheduled run: the window ending at the run instant',
      { ...base, scheduled: false, cursor: cursor(T - 240 * MIN) },
      { fromMs: T, count: 1, first: T, basis: 'plain', moves: false },
    ],
    ['the first scheduled run: the window ending at the tick', { ...base, cursor: null }, { fromMs: T, count: 1, first: T, basis: 'first', moves: true }],
    [
      '4 h after the previous tick: 47 step points between, plus the tick',
      { ...base, cursor: cursor(T - 240 * MIN) },
      { fromMs: T - 240 * MIN, count: 48, first: T - 235 * MIN, basis: 'since-previous', moves: true },
    ],
    [
      '5 min after: the tick only (no step point strictly between)',
      { ...base, cursor: cursor(T - 5 * MIN) },
      { fromMs: T - 5 * MIN, count: 1, first: T, basis: 'since-previous', moves: true },
    ],
    [
      'an unaligned previous tick: the next step point after it',
      { ...base, cursor: cursor(T - 7 * MIN) },
      { fromMs: T - 7 * MIN, count: 2, first: T - 5 * MIN, basis: 'since-previous', moves: true },
    ],
    [
      '3 days of missed runs: bounded by the look-back',
      { ...base, cursor: cursor(T - 3 * 1_440 * MIN) },
      { fromMs: T - 1_440 * MIN, count: 288, first: T - 1_435 * MIN, basis: 'lookback-capped', moves: true },
    ],
    [
      'a retry of this tick: the span stored for it',
      { ...base, cursor: cursor(T, [[T, T - 240 * MIN]]) },
      { fromMs: T - 240 * MIN, count: 48, first: T - 235 * MIN, basis: 'retry', moves: false },
    ],
    [
      'a late run of an older tick: the window ending at it',
      { ...base, cursor: cursor(T + 5 * MIN) },
      { fromMs: T, count: 1, first: T, basis: 'later-tick-covered', moves: false },
    ],
  ])('%s', (_name, input, expected) => {
    const plan = planWindows(input);
    expect(plan.fromMs).toBe(expected.fromMs);
    expect(plan.ends).toHaveLength(expected.count);
    expect(plan.ends[0]).toBe(expected.first);
    expect(plan.ends[plan.ends.length - 1]).toBe(T);
    expect(plan.basis).toBe(expected.basis);
    expect(plan.next !== null).toBe(expected.moves);
    if (plan.next) expect(plan.next.spans[plan.next.spans.length - 1]).toEqual([T, expected.fromMs]);
  });

  it('remembers the span of the last 24 ticks only', () => {
    const spans = times(30, (i): [number, number] => [T - (30 - i) * 5 * MIN, T - (31 - i) * 5 * MIN]);
    const plan = planWindows({ ...base, cursor: cursor(T - 5 * MIN, spans) });
    expect(plan.next!.spans).toHaveLength(24);
    expect(plan.next!.spans[23]).toEqual([T, T - 5 * MIN]);
  });

  const measured = (values: Array<[number, number?]>): Measured[] => values.map(([value, sample], i) => ({ value, sample, startMs: i, endMs: i + 60 }));
  it.each<[string, Measured[], 'above' | 'below', number | null, number]>([
    ['above: the highest window', measured([[1], [4], [2]]), 'above', null, 1],
    ['above: the latest window on ties', measured([[4], [4], [2]]), 'above', null, 1],
    [
      'below: the lowest window with enough sample',
      measured([
        [0, 10],
        [3, 60],
        [5, 80],
      ]),
      'below',
      50,
      1,
    ],
    [
      'below: none with enough sample, the last window',
      measured([
        [0, 10],
        [3, 20],
      ]),
      'below',
      50,
      1,
    ],
  ])('worst window, %s', (_name, items, direction, minSample, index) => {
    expect(worstOf(items, direction, minSample)).toBe(items[index]);
  });

  it('names a window by its UTC bounds', () => {
    expect(formatWindow(ms('2026-11-20T09:05:00Z'), ms('2026-11-20T10:05:00Z'))).toBe('2026-11-20 09:05-10:05 UTC');
    expect(formatWindow(ms('2026-11-20T23:30:00Z'), ms('2026-11-21T00:30:00Z'))).toBe('2026-11-20 23:30 - 2026-11-21 00:30 UTC');
  });

  it.each<[string, { enabled: boolean; everyMinutes: number }, string, boolean, string | null]>([
    ['every 5 min: each firing', { enabled: true, everyMinutes: 5 }, '2026-11-20T12:05:00Z', true, null],
    [
      'every 15 min: a :05 tick is skipped',
      { enabled: true, everyMinutes: 15 },
      '2026-11-20T12:05:00Z',
      true,
      'tick is not a multiple of fastPath.everyMinutes (15)',
    ],
    ['every 15 min: a :45 tick runs', { enabled: true, everyMinutes: 15 }, '2026-11-20T12:45:00Z', true, null],
    ['disabled', { enabled: false, everyMinutes: 5 }, '2026-11-20T12:00:00Z', true, 'fastPath.enabled is false'],
    ['a CLI run evaluates whatever the tick', { enabled: true, everyMinutes: 30 }, '2026-11-20T12:07:00Z', false, null],
  ])('fast path, %s', (_name, settings, tick, isScheduled, reason) => {
    expect(fastPathSkipReason(settings, ms(tick), isScheduled)).toBe(reason);
  });
});

describe('the fast path', () => {
  it('is a scheduled job every 5 minutes that leaves heartbeats and reminders to the watchdog, and measures every rule flagged fastPath', () => {
    expect(findJob('fast')).toMatchObject({
      exportName: 'runFastHealthCheck',
      schedule: '*/5 * * * *',
      timeZone: 'Europe/Paris',
      periodMinutes: 5,
      housekeeping: false,
    });
    expect(JOBS.filter((job) => job.name === 'watchdog')).toHaveLength(1);
    expect(unmeasuredFastRules()).toEqual([]);
    // Only critical and emergency rules, none of which needs a vendor API.
    for (const rule of FAST_PATH_RULES) expect(['critical', 'emergency']).toContain(rule.severity);
    expect(FAST_PATH_RULES.map((rule) => rule.id).sort()).toEqual(
      RULES.filter((rule) => rule.fastPath)
        .map((rule) => rule.id)
        .sort(),
    );
  });
});

describe('the fast path under the watchdog', () => {
  it('the watchdog reports a fast path that stopped: 1.5 periods (7.5 min) without a success', async () => {
    await seedFunctional(db, { providers: bookable() });
    // Heartbeats record the wall clock of the run's end: these runs are at the real time.
    const tick = Math.floor(Date.now() / (5 * MIN)) * 5 * MIN;
    const iso = (offsetMinutes: number) => new Date(tick + offsetMinutes * MIN).toISOString();
    await scheduled('fast', iso(0));
    const soon = await scheduled('watchdog', iso(5));
    expect(evaluation(soon, 'job_not_running', 'fast')).toMatchObject({ status: 'ok' });
    const late = await scheduled('watchdog', iso(15));
    expect(evaluation(late, 'job_not_running', 'fast')).toMatchObject({ status: 'breach' });
    // The fast job itself checks no heartbeat.
    const fast = await scheduled('fast', iso(20));
    expect(fast.evaluations.filter((item) => item.ruleId === 'job_not_running' || item.ruleId === 'job_failing')).toEqual([]);
  });
});

describe('sliding windows through the payment job', () => {
  it('a burst between two 4-hourly runs is detected by the next run, which names the breach hour', async () => {
    await scheduled('payment', '2026-11-20T08:00:00Z');
    // 4 failures (threshold 3) between 09:10 and 09:25, 2.5 hours before the 12:00 run.
    await seed(
      db,
      'payments',
      ['09:10', '09:15', '09:20', '09:25'].map((time) => stripeFailure(`2026-11-20T${time}:00Z`)),
    );
    const result = await scheduled('payment', '2026-11-20T12:00:00Z');
    expect(evaluation(result, 'stripe_payment_failures')).toMatchObject({ status: 'breach', value: 4 });
    const [alert] = await alertsOf('payment_alerts', 'stripe_payment_failures');
    // The latest window holding all four: (09:05, 10:05].
    expect(alert.message).toBe('4 Stripe payments failed (1 h window ending 20 Nov 2026, 11:05 GMT+1). Top failure codes: card_declined ×4.');
    expect(alert.metadata.details).toMatchObject({ worstWindow: '2026-11-20 09:05-10:05 UTC', windowsExamined: 48, coveredFrom: '2026-11-20T08:00:00.000Z' });
    // The plain last hour would have seen nothing: an unscheduled run of the same instant says so.
    const plain = await runJob('payment', { trigger: 'cli', now: at('2026-11-20T12:00:00Z'), dryRun: true });
    expect(evaluation(plain, 'stripe_payment_failures')).toMatchObject({ status: 'ok', value: 0 });
  });

  it('the CLI runs a scheduled tick with --scheduled; without it, the last window only and the cursor stays', async () => {
    const stripeOf = async (args: string[]) => {
      const outcome = await cli(['payment', '--json', ...args]);
      expect(outcome.code).toBe(0);
      const result = JSON.parse(outcome.stdout) as RunResult;
      return { trigger: result.trigger, stripe: evaluation(result, 'stripe_payment_failures') };
    };
    expect((await stripeOf(['--now', '2026-11-20T08:00:00Z', '--scheduled'])).trigger).toBe('schedule');
    await seed(
      db,
      'payments',
      ['09:10', '09:15', '09:20', '09:25'].map((time) => stripeFailure(`2026-11-20T${time}:00Z`)),
    );
    expect(await stripeOf(['--now', '2026-11-20T12:00:00Z'])).toMatchObject({ trigger: 'cli', stripe: { status: 'ok', value: 0 } });
    expect(await stripeOf(['--now', '2026-11-20T12:00:00Z', '--scheduled'])).toMatchObject({ trigger: 'schedule', stripe: { status: 'breach', value: 4 } });
  });

  it('the Twilio cross-check lists the calls once for the whole span and counts them per window', async () => {
    await scheduled('payment', '2026-11-20T08:00:00Z');
    servers.current.twilio.calls = times(6, (i) => ({
      sid: `CA${i}`,
      status: 'failed' as const,
      start_time: new Date(ms('2026-11-20T09:10:00Z') + i * 5 * MIN).toUTCString(),
      to: '+33100000000',
      from: '+33100000001',
    }));
    const result = await scheduled('payment', '2026-11-20T12:00:00Z');
    expect(evaluation(result, 'twilio_failed_calls')).toMatchObject({ status: 'breach', value: 6 });
    const [alert] = await alertsOf('payment_alerts', 'twilio_failed_calls');
    expect(alert.message).toBe('Twilio reports 6 failed calls (1 h window ending 20 Nov 2026, 11:05 GMT+1); the app recorded 0.');
  });

  const day = (time: string) => `2026-11-20T${time}:00Z`;
  it.each<[string, string[], string[], string, number]>([
    ['exactly at the threshold, in one hour', ['09:00', '09:20', '09:40'].map(day), [day('08:00'), day('12:00')], 'ok', 3],
    ['one above, straddling step points within 55 min', ['09:01', '09:20', '09:40', '09:56'].map(day), [day('08:00'), day('12:00')], 'breach', 4],
    ['four spread over more than an hour: no hour holds more than 3', ['09:00', '09:20', '09:40', '10:01'].map(day), [day('08:00'), day('12:00')], 'ok', 3],
    [
      'a burst across midnight, partly after a run',
      ['2026-11-20T23:50:00Z', '2026-11-20T23:55:00Z', '2026-11-21T00:05:00Z', '2026-11-21T00:10:00Z'],
      [day('20:00'), '2026-11-21T00:00:00Z', '2026-11-21T04:00:00Z'],
      'breach',
      4,
    ],
  ])('bucket boundaries: %s', async (_name, failures, ticks, status, value) => {
    await seed(db, 'payments', failures.map(stripeFailure));
    let result: RunResult | null = null;
    for (const tick of ticks) result = await scheduled('payment', tick);
    const alerts = await alertsOf('payment_alerts', 'stripe_payment_failures');
    if (status === 'ok') {
      expect(evaluation(result!, 'stripe_payment_failures')).toMatchObject({ status, value });
      expect(alerts).toHaveLength(0);
    } else {
      expect(alerts).toHaveLength(1);
      expect(alerts[0].value).toBe(value);
    }
  });

  it('a retried tick examines exactly the same windows and gives identical values', async () => {
    await scheduled('payment', '2026-11-20T08:00:00Z');
    await seed(
      db,
      'payments',
      ['09:10', '09:15', '09:20', '09:25'].map((time) => stripeFailure(`2026-11-20T${time}:00Z`)),
    );
    const first = await scheduled('payment', '2026-11-20T12:00:00Z');
    const retry = await scheduled('payment', '2026-11-20T12:00:00Z');
    const pick = (result: RunResult) =>
      result.evaluations.filter((item) => ['stripe_payment_failures', 'paypal_payment_failures', 'failed_calls'].includes(item.ruleId));
    expect(pick(retry)).toEqual(pick(first));
    expect(retry.candidates.find((item) => item.ruleId === 'stripe_payment_failures')?.details).toEqual(
      first.candidates.find((item) => item.ruleId === 'stripe_payment_failures')?.details,
    );
    expect(retry.alerts.opened).toHaveLength(0);
    expect(await alertsOf('payment_alerts', 'stripe_payment_failures')).toHaveLength(1);
  });

  it('catch-up after missed runs goes back at most coverage.maxLookbackMinutes', async () => {
    await db
      .collection('monitoring_config')
      .doc('settings')
      .set({ coverage: { maxLookbackMinutes: 1_440 } });
    await scheduled('payment', '2026-11-17T12:00:00Z');
    // Runs missed for 3 days. A burst 30 h before the next run is beyond the look-back; one 20 h before is not.
    await seed(
      db,
      'payments',
      ['06:00', '06:05', '06:10', '06:15', '06:20'].map((time) => stripeFailure(`2026-11-19T${time}:00Z`)),
    );
    await seed(
      db,
      'payments',
      ['16:00', '16:05', '16:10', '16:15'].map((time) => stripeFailure(`2026-11-19T${time}:00Z`)),
    );
    const result = await scheduled('payment', '2026-11-20T12:00:00Z');
    const [alert] = await alertsOf('payment_alerts', 'stripe_payment_failures');
    expect(evaluation(result, 'stripe_payment_failures')).toMatchObject({ status: 'breach', value: 4 });
    expect(alert.metadata.details).toMatchObject({ windowsExamined: 288, coveredFrom: '2026-11-19T12:00:00.000Z', worstWindow: '2026-11-19 15:55-16:55 UTC' });
  });
});

describe('blocks counted since the last success', () => {
  const signup = (type: 'signup_page_view' | 'signup_success', iso: string) =>
    analyticsEvent(type, at(iso), { formName: 'signup_client', userRole: 'client', page: '/signup/client' });
  const everyMinutes = (type: 'signup_page_view' | 'signup_success', fromIso: string, count: number, step: number) =>
    times(count, (i) => signup(type, new Date(ms(fromIso) + i * step * MIN).toISOString()));

  // Behaviour changed (issue 20): the count that pages is learned from the form's conversion by the metrics job.
  it('a total signup outage after a busy morning: the metrics job learns the 20 % conversion, the fast path pages at the 62nd visitor', async () => {
    await seedFunctional(db, {
      ...healthy(),
      analytics_events: [
        // Busy morning: 40 signups for 200 page views from 07:00 to 11:00 (20 %).
        ...everyMinutes('signup_page_view', '2026-11-20T07:00:30Z', 200, 1.2),
        ...everyMinutes('signup_success', '2026-11-20T07:03:00Z', 40, 6),
        // 11:00 onwards signups are broken: one page view a minute, no success.
        ...everyMinutes('signup_page_view', '2026-11-20T11:01:00Z', 70, 1),
      ],
    });
    // 10:30: 175 views and 35 signups so far, 20 %: 62 views in a row without a signup have less than 1 chance in a million (0.8^62).
    const learned = await scheduled('metrics', '2026-11-20T10:30:00Z');
    expect((learned.metrics as { blockedRates: Record<string, unknown> }).blockedRates).toMatchObject({
      signup_blocked: { signup_client: { attempts: 175, successes: 35, days: 14 }, signup_provider: { attempts: 0, successes: 0 } },
    });
    // Last success 10:57; views after it: 10:58:06, 10:59:18, then 11:01, 11:02... By 11:55, 57 views: quiet.
    const early = await scheduled('fast', '2026-11-20T11:55:00Z');
    expect(evaluation(early, 'signup_blocked', 'signup_client')).toMatchObject({ status: 'ok', value: 57, threshold: 61 });
    const fired = await scheduled('fast', '2026-11-20T12:00:00Z');
    expect(evaluation(fired, 'signup_blocked', 'signup_client')).toMatchObject({ status: 'breach', value: 62 });
    const [alert] = await alertsOf('functional_alerts', 'signup_blocked');
    expect(alert).toMatchObject({ key: 'signup_client', severity: 'emergency', threshold: 61, metadata: expect.objectContaining({ job: 'fast' }) });
    expect(alert.message).toBe(
      "62 visitors on signup_client since the last signup (20 Nov 2026, 11:57 GMT+1; 0 valid form submits); at this form's usual 20 % conversion that happens less than once a year.",
    );
    expect(alert.i18n?.fr.message).toBe(
      "62 visiteurs sur signup_client depuis la dernière inscription (20 nov. 2026, 11:57 UTC+1 ; 0 envois valides du formulaire) ; avec la conversion habituelle de ce formulaire (20\u202f%), cela arrive moins d'une fois par an.",
    );
    expect(servers.current.slack.messages.map((message) => message.text)).toEqual(['EMERGENCY: No signups despite traffic: signup_client']);
  });

  /**
   * Visitors at random on a form converting 3 %: the fixed count of 10 paged about every 72 minutes
   * (0.97^11 = 72 %). Two days of history learned by the metrics job, then 8 hours of the same
   * traffic through the fast path (every 15 minutes here), then a true block.
   */
  it('a form converting 3 % does not page over a day of normal traffic; a true block on it pages, saying so in words', async () => {
    const random = prng(20);
    const views: ReturnType<typeof signup>[] = [];
    const successes: ReturnType<typeof signup>[] = [];
    const start = ms('2026-11-18T06:00:00Z');
    const normalUntil = ms('2026-11-20T14:00:00Z');
    const blockedUntil = ms('2026-11-20T20:00:00Z');
    // About 120 visitors an hour from 06:00 to 20:00 UTC, none at night; 3 % of them sign up (until the block).
    for (let t = start; t < blockedUntil; t += random.between(15_000, 45_000)) {
      const hour = new Date(t).getUTCHours();
      if (hour < 6 || hour >= 20) continue;
      const iso = new Date(t).toISOString();
      views.push(signup('signup_page_view', iso));
      if (t < normalUntil && random.next() < 0.03) successes.push(signup('signup_success', new Date(t + 30_000).toISOString()));
    }
    await seedFunctional(db, { ...healthy('2026-11-20T06:00:00Z'), analytics_events: [...views, ...successes] });
    await scheduled('metrics', '2026-11-20T05:30:00Z');
    const pages: string[] = [];
    let first: Candidate | null = null;
    for (let t = ms('2026-11-20T06:00:00Z'); t <= blockedUntil; t += 15 * MIN) {
      const result = await scheduled('fast', new Date(t).toISOString());
      const item = evaluation(result, 'signup_blocked', 'signup_client');
      if (item?.status === 'breach') {
        pages.push(new Date(t).toISOString());
        first ??= result.candidates.find((candidate) => candidate.ruleId === 'signup_blocked' && candidate.key === 'signup_client')!;
      }
    }
    const firstPage = pages[0] ?? null;
    // Nothing during the eight normal hours; the block (from 14:00) pages once the run is improbable.
    expect(firstPage !== null && ms(firstPage) > normalUntil).toBe(true);
    expect(first!.details).toMatchObject({ basis: 'learned' });
    expect(first!.details.ratePercent).toBeGreaterThan(2);
    expect(first!.details.ratePercent).toBeLessThan(4);
    expect(first!.threshold).toBeGreaterThan(300);
    expect(first!.message).toMatch(
      /^\d+ visitors on signup_client since the last signup .*; at this form's usual \d(\.\d)? % conversion that happens less than once a year\.$/,
    );
    expect(pages.length).toBeGreaterThan(0);
  }, 240_000);

  it('without history (a new app) the conservative fixed count applies, and the alert says so', async () => {
    await seedFunctional(db, { ...healthy(), analytics_events: everyMinutes('signup_page_view', '2026-11-20T09:00:00Z', 201, 0.5) });
    const result = await scheduled('fast', '2026-11-20T11:00:00Z');
    expect(evaluation(result, 'signup_blocked', 'signup_client')).toMatchObject({ status: 'breach', value: 201, threshold: 200 });
    expect(result.candidates.find((candidate) => candidate.ruleId === 'signup_blocked')!.message).toBe(
      "201 visitors on signup_client since the last signup (at least 72 h; 0 valid form submits); too little history to know this form's usual conversion (0 signups in 0 days), so the conservative fixed count of 200 applies.",
    );
  });

  it('a quiet night with a few visitors stays silent', async () => {
    await seedFunctional(db, {
      providers: bookable(),
      analytics_events: [signup('signup_success', '2026-11-19T21:40:00Z'), ...everyMinutes('signup_page_view', '2026-11-19T23:00:00Z', 8, 35)],
    });
    const result = await scheduled('fast', '2026-11-20T04:00:00Z');
    expect(evaluation(result, 'signup_blocked', 'signup_client')).toMatchObject({ status: 'ok', value: 8 });
    expect(await allDocs(db, 'functional_alerts')).toHaveLength(0);
  });
});

describe('fast path and full check together', () => {
  beforeEach(async () => {
    await db
      .collection('monitoring_config')
      .doc('settings')
      .set({ recipients: { emails: ['ops@example.com'] } });
    await seedFunctional(db, { providers: bookable() });
  });

  it('a condition seen first by the fast path and then by the full check is one alert and one message per channel', async () => {
    await seed(
      db,
      'payments',
      ['11:40', '11:45', '11:50', '11:52'].map((time) => stripeFailure(`2026-11-20T${time}:00Z`)),
    );
    const fast = await scheduled('fast', '2026-11-20T11:55:00Z');
    expect(fast.alerts.opened.map((item) => item.ruleId)).toEqual(['stripe_payment_failures']);
    const fastAgain = await scheduled('fast', '2026-11-20T12:00:00Z');
    const full = await scheduled('payment', '2026-11-20T12:00:00Z');
    expect(evaluation(full, 'stripe_payment_failures')).toMatchObject({ status: 'breach', value: 4 });
    expect([...fastAgain.alerts.opened, ...full.alerts.opened]).toHaveLength(0);

    expect(await alertsOf('payment_alerts', 'stripe_payment_failures')).toHaveLength(1);
    expect(servers.current.slack.messages.map((message) => message.text)).toEqual(['CRITICAL: Stripe payment failures']);
    expect(servers.current.smtp.mails).toHaveLength(1);
    const deliveries = await allDocs<{ channel: string; event: string; status: string }>(db, 'monitoring_deliveries');
    expect(deliveries.map((item) => [item.channel, item.event, item.status]).sort()).toEqual([
      ['email', 'opened', 'sent'],
      ['slack', 'opened', 'sent'],
    ]);
  });

  it('interleaved ticks: a full check of 12:00 that runs after the fast path of 12:05 changes nothing and sends nothing', async () => {
    await seed(
      db,
      'payments',
      ['11:40', '11:45', '11:50', '11:52'].map((time) => stripeFailure(`2026-11-20T${time}:00Z`)),
    );
    await scheduled('fast', '2026-11-20T12:00:00Z');
    await scheduled('fast', '2026-11-20T12:05:00Z');
    const late = await scheduled('payment', '2026-11-20T12:00:00Z');
    // The same windows as the fast run of 12:00 (the span remembered for that tick), and the engine
    // leaves the alert to the later tick.
    expect(late.candidates.find((item) => item.ruleId === 'stripe_payment_failures')?.details).toMatchObject({
      coveredFrom: '2026-11-20T12:00:00.000Z',
      windowsExamined: 1,
    });
    expect(late.alerts.opened).toHaveLength(0);
    expect(await alertsOf('payment_alerts', 'stripe_payment_failures')).toHaveLength(1);
    expect(servers.current.slack.messages.map((message) => message.text)).toEqual(['CRITICAL: Stripe payment failures']);
  });

  it('two fast-path runs racing on the same tick open one alert and send one message per channel', async () => {
    await seed(db, 'payouts', [
      { method: 'paypal', status: 'failed', amount: 4_000, currency: 'EUR', createdAt: Timestamp.fromMillis(ms('2026-11-19T06:00:00Z')) },
    ]);
    await seed(
      db,
      'payments',
      ['11:40', '11:45', '11:50', '11:52'].map((time) => stripeFailure(`2026-11-20T${time}:00Z`)),
    );
    const [a, b] = await Promise.all([scheduled('fast', '2026-11-20T12:00:00Z'), scheduled('fast', '2026-11-20T12:00:00Z')]);
    // Checks run concurrently: their observations arrive in any order, so compare them sorted.
    const pick = (result: RunResult) =>
      result.evaluations
        .filter((item) => item.ruleId !== 'monitor_check_failed' && item.ruleId !== 'config_invalid')
        .sort((x, y) => `${x.ruleId}/${x.key}`.localeCompare(`${y.ruleId}/${y.key}`));
    expect(pick(a)).toEqual(pick(b));
    expect((await allDocs<AlertDoc>(db, 'payment_alerts')).map((alert) => alert.ruleId).sort()).toEqual(['failed_payouts', 'stripe_payment_failures']);
    expect(servers.current.slack.messages).toHaveLength(2);
    expect(servers.current.smtp.mails).toHaveLength(2);
  });

  it('reads lean: no document scan, the same billed reads at 5x the data', async () => {
    const measure = async (count: number) => {
      db = await freshProject();
      await seedFunctional(db, {
        ...healthy(),
        analytics_events: times(count, (i) =>
          analyticsEvent(i % 2 ? 'signup_page_view' : 'signup_success', new Date(ms('2026-11-20T11:00:00Z') + i * 1_000), { formName: 'signup_client' }),
        ),
      });
      await seed(
        db,
        'payments',
        times(count, (i) => ({ ...stripeFailure(`2026-11-19T0${i % 10}:00:00Z`), status: i % 2 ? 'captured' : 'failed' })),
      );
      await scheduled('fast', '2026-11-20T11:55:00Z');
      return (await scheduled('fast', '2026-11-20T12:00:00Z')).reads;
    };
    // Both sizes are past the traffic minimum of meta_capi_inactive, so the same rules are decided.
    const small = await measure(60);
    const large = await measure(300);
    if (process.env.REPORT_READS) process.stdout.write(`fast path reads per run: N=60 ${JSON.stringify(small)}; N=300 ${JSON.stringify(large)}\n`);
    // Config, silences, the coverage cursors, the last-success lookups, alert states, the due-delivery
    // sweep and the open inhibiting alerts; no document scan.
    expect(large.documents).toBe(small.documents);
    expect(large.aggregations).toBe(small.aggregations);
    expect(large.billedReads).toBe(small.billedReads);
    expect(small.billedReads).toBeLessThanOrEqual(45);
  });
});
