/**
 * The benchmark's cron evaluator (dev/bench/cron.ts): the instants at which Cloud Scheduler triggers
 * the catalogue's schedules in Europe/Paris, as a table.
 */
import { cronInstants, parseCron, scheduledRuns } from '../dev/bench/cron';
import { JOBS } from '../src/jobs/catalog';

const PARIS = 'Europe/Paris';
/** "24 08:00": day of month and wall-clock time in Paris. */
const local = (instant: Date) => {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', { timeZone: PARIS, day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
      .formatToParts(instant)
      .map((part) => [part.type, part.value]),
  );
  return `${parts.day} ${parts.hour}:${parts.minute}`;
};
const hoursOfDay = (...hours: number[]) => hours.map((hour) => `24 ${String(hour).padStart(2, '0')}:00`);

// Tuesday 24 November 2026 in Paris (CET, UTC+1): 2026-11-23T23:00Z to 2026-11-24T23:00Z.
const DAY_START = new Date('2026-11-23T23:00:00Z');
const DAY_END = new Date('2026-11-24T23:00:00Z');

describe('cronInstants over a day in Europe/Paris', () => {
  it.each([
    ['0 */4 * * *', hoursOfDay(0, 4, 8, 12, 16, 20)],
    ['30 */6 * * *', ['24 00:30', '24 06:30', '24 12:30', '24 18:30']],
    ['0 7 * * *', ['24 07:00']],
    ['0 9,18 * * *', ['24 09:00', '24 18:00']],
    ['0 8 * * *', ['24 08:00']],
    ['30 3 * * *', ['24 03:30']],
    ['0 9-17/4 * * *', ['24 09:00', '24 13:00', '24 17:00']],
    ['15,45 22-23 * * *', ['24 22:15', '24 22:45', '24 23:15', '24 23:45']],
    ['0 12 * * 1-5', ['24 12:00']],
    ['0 12 * * 0,6', []],
    ['0 12 25 * *', []],
  ])('%s', (expression, expected) => {
    expect(cronInstants(expression, PARIS, DAY_START, DAY_END).map(local)).toEqual(expected);
  });

  it('*/15 fires 96 times a day, on the quarter hours', () => {
    const instants = cronInstants('*/15 * * * *', PARIS, DAY_START, DAY_END).map(local);
    expect(instants).toHaveLength(96);
    expect(instants.slice(0, 5)).toEqual(['24 00:00', '24 00:15', '24 00:30', '24 00:45', '24 01:00']);
    expect(instants[95]).toBe('24 23:45');
  });

  it('crosses midnight into the next day (the range is half-open)', () => {
    const from = new Date('2026-11-24T19:00:00Z'); // 20:00 in Paris
    const to = new Date('2026-11-25T03:00:00Z'); // 04:00 the next day
    expect(cronInstants('0 */4 * * *', PARIS, from, to).map(local)).toEqual(['24 20:00', '25 00:00']);
    expect(cronInstants('30 3 * * *', PARIS, from, to).map(local)).toEqual(['25 03:30']);
  });

  it('evaluates in the zone, not in UTC: 09:00 in Paris is 08:00 UTC in winter and 07:00 UTC in summer', () => {
    expect(cronInstants('0 9 * * *', PARIS, DAY_START, DAY_END).map((instant) => instant.toISOString())).toEqual(['2026-11-24T08:00:00.000Z']);
    expect(
      cronInstants('0 9 * * *', PARIS, new Date('2026-07-01T00:00:00Z'), new Date('2026-07-02T00:00:00Z')).map((instant) => instant.toISOString()),
    ).toEqual(['2026-07-01T07:00:00.000Z']);
  });

  it('daylight-saving days: a skipped local time never fires, a repeated one fires twice', () => {
    // 29 March 2026: 02:00 -> 03:00. 25 October 2026: 03:00 -> 02:00.
    expect(cronInstants('30 2 * * *', PARIS, new Date('2026-03-28T22:00:00Z'), new Date('2026-03-29T22:00:00Z'))).toEqual([]);
    expect(
      cronInstants('30 2 * * *', PARIS, new Date('2026-10-24T22:00:00Z'), new Date('2026-10-25T23:00:00Z')).map((instant) => instant.toISOString()),
    ).toEqual(['2026-10-25T00:30:00.000Z', '2026-10-25T01:30:00.000Z']);
  });

  it('a restricted day of month and day of week match either (cron semantics)', () => {
    // November 2026: the 1st is a Sunday; Mondays are the 2nd and the 9th.
    const from = new Date('2026-10-31T23:00:00Z');
    const to = new Date('2026-11-10T23:00:00Z');
    expect(cronInstants('0 9 1 * 1', PARIS, from, to).map(local)).toEqual(['01 09:00', '02 09:00', '09 09:00']);
    expect(cronInstants('0 9 * * 7', PARIS, from, to).map(local)).toEqual(['01 09:00', '08 09:00']);
  });
});

describe('parseCron rejects what it does not support, naming the field', () => {
  it.each([
    ['0 */4 * *', 'expected 5 fields'],
    ['60 * * * *', 'minute field "60" has 60, outside 0-59'],
    ['0 */0 * * *', 'hour field "*/0" has step "0"'],
    ['0 9 * * MON', 'day-of-week field "MON" has "MON" where a number'],
    ['0 18-9 * * *', 'hour field "18-9" has a range "18-9" that ends before it starts'],
    ['0 9,,18 * * *', 'hour field "9,,18" has an empty list item'],
    ['0 9 ? * *', 'day-of-month field "?"'],
  ])('%s', (expression, message) => {
    expect(() => parseCron(expression)).toThrow(message);
  });

  it('names an unknown time zone', () => {
    expect(() => cronInstants('0 * * * *', 'Europe/Atlantis', DAY_START, DAY_END)).toThrow(/Europe\/Atlantis/);
  });
});

describe('scheduledRuns of the catalogue', () => {
  it('every job of JOBS parses and runs at least once a day, in time order', () => {
    const runs = scheduledRuns(JOBS, DAY_START, DAY_END);
    for (const job of JOBS) expect(runs.filter((run) => run.job === job.name).length).toBeGreaterThanOrEqual(1);
    expect(runs.map((run) => run.at)).toEqual([...runs.map((run) => run.at)].sort((a, b) => a - b));
  });

  it('merges jobs in time order, catalogue order at the same instant', () => {
    const jobs = [
      { name: 'b', schedule: '0 */4 * * *', timeZone: PARIS },
      { name: 'a', schedule: '0 8 * * *', timeZone: PARIS },
      { name: 'utc', schedule: '0 8 * * *', timeZone: 'UTC' },
    ];
    const runs = scheduledRuns(jobs, new Date('2026-11-24T06:00:00Z'), new Date('2026-11-24T09:00:00Z'));
    expect(runs.map((run) => `${run.job} ${new Date(run.at).toISOString().slice(11, 16)}`)).toEqual(['b 07:00', 'a 07:00', 'utc 08:00']);
  });
});
