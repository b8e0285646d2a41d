/**
 * The alert-quality benchmark (dev/bench/quality.ts) on its reduced CI length: 3 simulated hours of
 * a weekday morning (06:00-09:00 Paris, the 06:30 metrics run learning the rates) at the small scale,
 * after 2 days of history, every job of QUALITY_JOBS at its scheduled instants against the emulator
 * and the local servers. With the defaults no emergency may page. The full length (28 days, both scales) is `npm run bench -- quality`.
 */
import { attribute, falsePagesPerWeek, QUALITY_START, SCALES, simulateQuality, Traffic, trafficFactor, weekIncidents } from '../dev/bench/quality';
import { closeFirebase } from './support/firebase';
import { useLocalServers } from './support/servers';

const servers = useLocalServers();
afterAll(closeFirebase);

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe('the simulated traffic', () => {
  it('has quiet nights, busy middays and lighter weekends', () => {
    const monday = QUALITY_START;
    expect(trafficFactor(monday + 4 * HOUR)).toBeLessThan(0.1);
    expect(trafficFactor(monday + 12 * HOUR)).toBeGreaterThan(1.5);
    expect(trafficFactor(monday + 5 * DAY + 12 * HOUR)).toBeCloseTo(trafficFactor(monday + 12 * HOUR) * 0.75, 5);
  });

  it('converts at the scale rates: a simulated weekday of the small scale', () => {
    const traffic = new Traffic(SCALES.small, 7);
    const counts = new Map<string, number>();
    for (let t = QUALITY_START; t < QUALITY_START + DAY; t += 60_000) {
      for (const { collection, data } of traffic.minute(t)) {
        const name =
          collection === 'analytics_events' ? `${String(data.eventType)}:${String(data.formName ?? '')}` : `${collection}:${String(data.status ?? '')}`;
        counts.set(name, (counts.get(name) ?? 0) + 1);
      }
    }
    const get = (name: string) => counts.get(name) ?? 0;
    const views = get('signup_page_view:signup_client');
    expect(views).toBeGreaterThan(500);
    expect(views).toBeLessThan(700);
    expect(get('signup_success:signup_client') / views).toBeGreaterThan(0.015);
    expect(get('signup_success:signup_client') / views).toBeLessThan(0.05);
    expect(get('payments:captured')).toBeGreaterThan(35);
    expect(get('payments:captured')).toBeLessThan(65);
  });

  it('blocks the client form during a signup block and attributes pages to incidents by rule and time', () => {
    const [burst, block] = weekIncidents(QUALITY_START);
    const traffic = new Traffic(SCALES.large, 3, [block]);
    const writes = traffic.minute(block.startMs + HOUR);
    expect(writes.some((write) => write.data.eventType === 'signup_page_view' && write.data.formName === 'signup_client')).toBe(true);
    expect(writes.some((write) => write.data.eventType === 'signup_success' && write.data.formName === 'signup_client')).toBe(false);
    const incidents = [burst, block];
    expect(attribute({ ruleId: 'signup_blocked', openedAt: block.startMs + 3 * HOUR }, incidents)).toBe(1);
    expect(attribute({ ruleId: 'signup_blocked', openedAt: block.startMs - HOUR }, incidents)).toBeNull();
    expect(attribute({ ruleId: 'booking_blocked', openedAt: block.startMs + HOUR }, incidents)).toBeNull();
  });
});

describe('reduced simulation', () => {
  it('a weekday morning at about 50 payments a day: no false emergency, no failed run, the rates learned', async () => {
    const run = await simulateQuality(servers.current, SCALES.small, {
      days: 0.125,
      historyDays: 2,
      incidents: false,
      start: QUALITY_START + 6 * HOUR,
      log: () => undefined,
    });
    expect(run.failures).toEqual([]);
    expect(run.runs).toBeGreaterThan(45);
    // Provider signup (9 a day) has fewer than 20 successes in 2 days: its fallback count applies.
    expect(run.learnedSubjects.sort()).toEqual(['booking_blocked/-', 'payment_flow_blocked/-', 'signup_blocked/signup_client']);
    const falses = falsePagesPerWeek(run);
    expect(falses.filter((entry) => entry.severity === 'emergency')).toEqual([]);
  }, 600_000);
});
