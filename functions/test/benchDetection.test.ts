/**
 * The detection benchmark's simulation machinery (dev/bench/detection.ts) end to end on one rule:
 * a burst of Stripe failures injected as simulated time passes, the payment job run at its scheduled
 * instants through runJob against the emulator and the local servers, the first Slack message timed.
 * The benchmark itself (every rule, 48 start times) is `npm run bench -- detection`.
 */
import { scheduledRuns } from '../dev/bench/cron';
import { burstStarts, percentile, simulate, SIMULATED_DAY, type SimulationGroup } from '../dev/bench/detection';
import { duration, replaceSection, SECTION_HEADING } from '../dev/bench/detectionReport';
import { INJECTORS } from '../dev/bench/injectors';
import { JOBS } from '../src/jobs/catalog';
import { RULES } from '../src/rules';
import { closeFirebase } from './support/firebase';
import { useLocalServers } from './support/servers';

const servers = useLocalServers();
afterAll(closeFirebase);

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
/** Wall-clock time in Paris on the simulated day (CET, UTC+1). */
const paris = (hours: number, minutes: number) => SIMULATED_DAY.start + hours * HOUR + minutes * MINUTE;

describe('simulate', () => {
  const stripe = INJECTORS.find((injector) => injector.ruleId === 'stripe_payment_failures')!;
  const group: SimulationGroup = { jobs: ['payment'], injectors: [stripe], horizonMs: 6 * HOUR };
  const schedule = scheduledRuns(JOBS, new Date(paris(-6, 0)), new Date(paris(30, 0)));

  it.each([
    // Failures from 03:50, one a minute: the 04:00 payment run counts 11 in its last hour.
    ['03:50, ten minutes before a run', paris(3, 50), 10],
    // From 23:52 the day before: the midnight run counts 9 and pages, across midnight.
    ['23:52, across midnight', paris(-1, 52), 8],
  ])('a burst at %s is paged by the next run', async (_label, start, minutes) => {
    const result = await simulate(group, start, servers.current, schedule);
    expect(result.failures).toEqual([]);
    expect(result.minutes).toEqual({ stripe_payment_failures: minutes });
    expect(result.falseAlarms).toEqual([]);
    // The payment run before the burst (on the history), then the one that pages: it stops there.
    expect(result.runs).toBe(2);
    // The message is the Stripe alert's (the other messages are heartbeat alerts about the jobs the simulation does not run).
    expect(servers.current.slack.messages.map((message) => JSON.stringify(message)).filter((text) => text.includes('stripe_payment_failures'))).toHaveLength(1);
  });
});

describe('benchmark helpers', () => {
  it('spreads 48 burst starts over the simulated day at different phases', () => {
    const starts = burstStarts(48);
    expect(starts).toHaveLength(48);
    expect(starts[0]).toBe(SIMULATED_DAY.start + MINUTE);
    expect(starts.every((start, i) => start >= SIMULATED_DAY.start && start < SIMULATED_DAY.start + 24 * HOUR && (i === 0 || start > starts[i - 1]))).toBe(
      true,
    );
    // Phases within the 4-hour period of the payment job: no two starts share one.
    expect(new Set(starts.map((start) => (start - SIMULATED_DAY.start) % (4 * HOUR))).size).toBe(48);
  });

  it('injects every critical and emergency rule, or says why not', async () => {
    const { NOT_INJECTED } = await import('../dev/bench/injectors');
    const severe = RULES.filter((rule) => rule.severity !== 'warning').map((rule) => rule.id);
    expect([...INJECTORS.map((injector) => injector.ruleId), ...Object.keys(NOT_INJECTED)].sort()).toEqual([...severe].sort());
  });

  it.each([
    [[], 50, null],
    [[7], 95, 7],
    [[1, 2, 3, 4], 50, 2],
    [[4, 1, 3, 2], 95, 4],
    [Array.from({ length: 20 }, (_, i) => i + 1), 95, 19],
  ])('percentile(%j, %i) = %s (nearest rank)', (values, p, expected) => {
    expect(percentile(values, p)).toBe(expected);
  });

  it.each([
    [null, '-'],
    [7.4, '7 min'],
    [60, '1 h'],
    [232, '3 h 52 min'],
  ])('duration(%s) = %s', (minutes, text) => {
    expect(duration(minutes)).toBe(text);
  });

  it('replaces section 4 and keeps the other sections', () => {
    const document = `# Performance\n\n## 3. Fan-out\n\nold 3\n\n${SECTION_HEADING}\n\nold 4\n`;
    expect(replaceSection(document, `${SECTION_HEADING}\n\nnew 4\n`)).toBe(`# Performance\n\n## 3. Fan-out\n\nold 3\n\n${SECTION_HEADING}\n\nnew 4\n`);
    expect(replaceSection(`${SECTION_HEADING}\n\nold\n\n## 5. Next\n\nkept\n`, `${SECTION_HEADING}\n\nnew\n`)).toBe(
      `${SECTION_HEADING}\n\nnew\n\n## 5. Next\n\nkept\n`,
    );
    expect(replaceSection('# Performance\n', `${SECTION_HEADING}\n`)).toBe(`# Performance\n\n${SECTION_HEADING}\n`);
  });
});
