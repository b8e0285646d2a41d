/** Maintenance windows: alerts are still recorded, notifications are muted. */
import type { Meter } from '../platform/firestore';
import { fs } from '../platform/firestore';
import type { RuleDefinition } from '../rules';
import { COLLECTIONS, WEEKDAYS, type SilenceDoc, type WeeklyRecurrence, type Weekday } from './model';

export interface ActiveSilence extends SilenceDoc {
  id: string;
}

/** Silences in force at `now` (ended ones excluded). One query on endsAt; few documents. */
export async function loadActiveSilences(meter: Meter, now: Date): Promise<ActiveSilence[]> {
  const query = meter.db.collection(COLLECTIONS.silences).where('endsAt', '>', fs().Timestamp.fromDate(now)).limit(100);
  const docs = await meter.docs(query);
  return docs.map((doc) => ({ id: doc.id, ...(doc.data() as SilenceDoc) })).filter((silence) => silenceInForce(silence, now));
}

/** Whether a silence mutes notifications at `now` (pure). */
export function silenceInForce(silence: Pick<SilenceDoc, 'startsAt' | 'endsAt' | 'endedAt' | 'recurrence'>, now: Date): boolean {
  if (silence.endedAt || silence.startsAt.toMillis() > now.getTime() || silence.endsAt.toMillis() <= now.getTime()) return false;
  return silence.recurrence ? inWeeklyWindow(silence.recurrence, now) : true;
}

const HHMM = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** Minutes since midnight of `HH:MM`, or null when malformed. */
export function parseLocalTime(value: string): number | null {
  const match = HHMM.exec(value);
  return match ? Number(match[1]) * 60 + Number(match[2]) : null;
}

/** Whether `timeZone` is an IANA zone this runtime knows. */
export function isTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone });
    return true;
  } catch {
    return false;
  }
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** Local weekday and minutes since local midnight of an instant in a time zone. */
export function localTime(at: Date, timeZone: string): { day: Weekday; minutes: number } {
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-GB', { timeZone, weekday: 'long', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    formatters.set(timeZone, format);
  }
  const parts = Object.fromEntries(format.formatToParts(at).map((part) => [part.type, part.value]));
  return { day: parts.weekday.toLowerCase() as Weekday, minutes: Number(parts.hour) * 60 + Number(parts.minute) };
}

/**
 * Whether an instant falls in a weekly window (pure). Decided on the local wall clock of the zone,
 * so "Sunday 01:00-03:00 Europe/Paris" covers the local hours that exist that day: one real hour on
 * the March change (02:00 does not exist), three in October (02:00-03:00 happens twice).
 */
export function inWeeklyWindow(recurrence: WeeklyRecurrence, at: Date): boolean {
  const start = parseLocalTime(recurrence.start);
  const end = parseLocalTime(recurrence.end);
  if (start === null || end === null) return false;
  const { day, minutes } = localTime(at, recurrence.timeZone);
  const today = recurrence.days.includes(day);
  if (start < end) return today && minutes >= start && minutes < end;
  // Overnight: from start on one of the days to end the next day.
  const yesterday = WEEKDAYS[(WEEKDAYS.indexOf(day) + 6) % 7];
  return (today && minutes >= start) || (recurrence.days.includes(yesterday) && minutes < end);
}

export function silenceFor(silences: ActiveSilence[], rule: Pick<RuleDefinition, 'id' | 'category' | 'domain'>): ActiveSilence | null {
  return (
    silences.find(
      (silence) =>
        (!silence.ruleId || silence.ruleId === rule.id) &&
        (!silence.category || silence.category === rule.category) &&
        (!silence.domain || silence.domain === rule.domain),
    ) ?? null
  );
}
