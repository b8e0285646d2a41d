/**
 * Cron expressions of the job catalogue (Cloud Scheduler's unix-cron format) evaluated in an IANA time
 * zone, as Cloud Scheduler triggers them. Pure functions: the benchmark's detection simulation uses
 * them to run every job at each of its scheduled instants.
 *
 * Supported: 5 fields (minute hour day-of-month month day-of-week), `*`, `*\/n`, `a-b`, `a-b/n`,
 * `a/n`, comma lists, day-of-week 0-7 (0 and 7 are Sunday). As in cron, when both day-of-month and
 * day-of-week are restricted, a day matching either one matches. Names (JAN, MON), `?`, `L`, `W`,
 * `#` are rejected with an error naming the field.
 *
 * Instants are found by testing every UTC minute of the range against the wall-clock fields of that
 * minute in the zone (Intl), so daylight-saving changes follow from the zone data: a local time that
 * does not exist (spring forward) never fires, and one that occurs twice (fall back) fires twice.
 * Cloud Scheduler's own handling of those two hours may differ; the benchmark simulates days without
 * a DST change, where the question does not arise.
 */

export interface CronField {
  values: ReadonlySet<number>;
  /** False for `*` (and `*\/1`): matters for the day-of-month / day-of-week rule. */
  restricted: boolean;
}

export interface CronSchedule {
  expression: string;
  minute: CronField;
  hour: CronField;
  dayOfMonth: CronField;
  month: CronField;
  dayOfWeek: CronField;
}

const FIELDS = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day-of-month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12 },
  { name: 'day-of-week', min: 0, max: 7 },
] as const;

function parseField(text: string, spec: (typeof FIELDS)[number], expression: string): CronField {
  const fail = (why: string): never => {
    throw new Error(`Invalid cron expression "${expression}": ${spec.name} field "${text}" ${why}`);
  };
  const number = (part: string): number => {
    if (!/^\d+$/.test(part)) fail(`has "${part}" where a number from ${spec.min} to ${spec.max} is expected`);
    const value = Number(part);
    if (value < spec.min || value > spec.max) fail(`has ${value}, outside ${spec.min}-${spec.max}`);
    return value;
  };
  const values = new Set<number>();
  let restricted = false;
  for (const item of text.split(',')) {
    if (item === '') fail('has an empty list item');
    const [range, stepText, extra] = item.split('/');
    if (extra !== undefined) fail(`has more than one "/" in "${item}"`);
    let step = 1;
    if (stepText !== undefined) {
      if (!/^\d+$/.test(stepText) || Number(stepText) < 1) fail(`has step "${stepText}": expected a whole number of at least 1`);
      step = Number(stepText);
    }
    let from: number;
    let to: number;
    if (range === '*') {
      from = spec.min;
      to = spec.name === 'day-of-week' ? 6 : spec.max;
      if (step > 1) restricted = true;
    } else if (range.includes('-')) {
      const [a, b, more] = range.split('-');
      if (more !== undefined) fail(`has a malformed range "${range}"`);
      from = number(a);
      to = number(b);
      if (from > to) fail(`has a range "${range}" that ends before it starts`);
      restricted = true;
    } else {
      from = number(range);
      // "a/n" means from a to the end of the field, every n.
      to = stepText === undefined ? from : spec.name === 'day-of-week' ? 6 : spec.max;
      restricted = true;
    }
    for (let value = from; value <= to; value += step) values.add(spec.name === 'day-of-week' && value === 7 ? 0 : value);
  }
  return { values, restricted };
}

export function parseCron(expression: string): CronSchedule {
  const parts = expression.trim().split(/\s+/);
  if (parts.length !== 5)
    throw new Error(`Invalid cron expression "${expression}": expected 5 fields (minute hour day-of-month month day-of-week), got ${parts.length}`);
  const [minute, hour, dayOfMonth, month, dayOfWeek] = parts.map((part, index) => parseField(part, FIELDS[index], expression));
  return { expression, minute, hour, dayOfMonth, month, dayOfWeek };
}

/** Wall-clock fields of an instant in a time zone. */
export interface ZonedFields {
  minute: number;
  hour: number;
  dayOfMonth: number;
  month: number;
  /** 0 = Sunday. */
  dayOfWeek: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

export function zonedFields(instant: Date, timeZone: string): ZonedFields {
  let format = formatters.get(timeZone);
  if (!format) {
    // Throws a RangeError naming the zone when it is not a valid IANA zone.
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      weekday: 'short',
    });
    formatters.set(timeZone, format);
  }
  const parts: Record<string, string> = {};
  for (const part of format.formatToParts(instant)) parts[part.type] = part.value;
  return {
    minute: Number(parts.minute),
    hour: Number(parts.hour),
    dayOfMonth: Number(parts.day),
    month: Number(parts.month),
    dayOfWeek: WEEKDAYS.indexOf(parts.weekday),
  };
}

export function matches(schedule: CronSchedule, fields: ZonedFields): boolean {
  if (!schedule.minute.values.has(fields.minute) || !schedule.hour.values.has(fields.hour) || !schedule.month.values.has(fields.month)) return false;
  const dom = schedule.dayOfMonth.values.has(fields.dayOfMonth);
  const dow = schedule.dayOfWeek.values.has(fields.dayOfWeek);
  if (schedule.dayOfMonth.restricted && schedule.dayOfWeek.restricted) return dom || dow;
  return dom && dow;
}

const MINUTE = 60_000;

/** Every instant in [from, to) at which the schedule fires in the zone, in time order. */
export function cronInstants(expression: string, timeZone: string, from: Date, to: Date): Date[] {
  const schedule = parseCron(expression);
  const instants: Date[] = [];
  for (let at = Math.ceil(from.getTime() / MINUTE) * MINUTE; at < to.getTime(); at += MINUTE) {
    const instant = new Date(at);
    if (matches(schedule, zonedFields(instant, timeZone))) instants.push(instant);
  }
  return instants;
}

/** One scheduled run: a job at one of its instants. */
export interface ScheduledRun {
  at: number;
  job: string;
}

/**
 * The runs of several jobs over [from, to), merged in time order; jobs due at the same instant keep
 * the order of `jobs` (Cloud Scheduler starts them together; the simulation runs them one by one).
 * Each UTC minute is converted once per zone, however many jobs there are.
 */
export function scheduledRuns(jobs: ReadonlyArray<{ name: string; schedule: string; timeZone: string }>, from: Date, to: Date): ScheduledRun[] {
  const parsed = jobs.map((job) => ({ job, schedule: parseCron(job.schedule) }));
  const runs: ScheduledRun[] = [];
  for (let at = Math.ceil(from.getTime() / MINUTE) * MINUTE; at < to.getTime(); at += MINUTE) {
    const byZone = new Map<string, ZonedFields>();
    for (const { job, schedule } of parsed) {
      let fields = byZone.get(job.timeZone);
      if (!fields) {
        fields = zonedFields(new Date(at), job.timeZone);
        byZone.set(job.timeZone, fields);
      }
      if (matches(schedule, fields)) runs.push({ at, job: job.name });
    }
  }
  return runs;
}
