/** Weekly silences (alerts/silences.ts): pure tables, across the daylight-saving changes. */
import { Timestamp } from 'firebase-admin/firestore';
import type { WeeklyRecurrence } from '../src/alerts/model';
import { inWeeklyWindow, isTimeZone, localTime, parseLocalTime, silenceInForce } from '../src/alerts/silences';

const paris = (days: WeeklyRecurrence['days'], start: string, end: string): WeeklyRecurrence => ({ days, start, end, timeZone: 'Europe/Paris' });

describe('inWeeklyWindow', () => {
  // Europe/Paris: 2026-03-29 02:00 CET -> 03:00 CEST (UTC+1 -> UTC+2); 2026-10-25 03:00 CEST -> 02:00 CET.
  const rows: Array<[string, WeeklyRecurrence, string, boolean]> = [
    // An ordinary week: Tuesday 22:00-23:30 deploy slot, UTC+1 in winter.
    ['winter Tuesday 21:59 local', paris(['tuesday'], '22:00', '23:30'), '2026-11-24T20:59:00Z', false],
    ['winter Tuesday 22:00 local', paris(['tuesday'], '22:00', '23:30'), '2026-11-24T21:00:00Z', true],
    ['winter Tuesday 23:29 local', paris(['tuesday'], '22:00', '23:30'), '2026-11-24T22:29:00Z', true],
    ['winter Tuesday 23:30 local (end excluded)', paris(['tuesday'], '22:00', '23:30'), '2026-11-24T22:30:00Z', false],
    ['winter Wednesday 22:00 local (not a listed day)', paris(['tuesday'], '22:00', '23:30'), '2026-11-25T21:00:00Z', false],
    // The same slot in summer is two hours before midnight UTC, not one.
    ['summer Tuesday 22:00 local', paris(['tuesday'], '22:00', '23:30'), '2026-07-07T20:00:00Z', true],
    ['summer Tuesday 21:00 UTC = 23:00 local', paris(['tuesday'], '22:00', '23:30'), '2026-07-07T21:00:00Z', true],
    ['summer Tuesday 21:30 UTC = 23:30 local', paris(['tuesday'], '22:00', '23:30'), '2026-07-07T21:30:00Z', false],
    // March change, Sunday 01:00-04:00 local: 02:00-03:00 does not exist, the window lasts 2 real hours.
    ['March: 23:59 UTC Saturday = 00:59 CET', paris(['sunday'], '01:00', '04:00'), '2026-03-28T23:59:00Z', false],
    ['March: 00:00 UTC = 01:00 CET, opens', paris(['sunday'], '01:00', '04:00'), '2026-03-29T00:00:00Z', true],
    ['March: 00:59 UTC = 01:59 CET', paris(['sunday'], '01:00', '04:00'), '2026-03-29T00:59:00Z', true],
    ['March: 01:00 UTC = 03:00 CEST (clock jumped)', paris(['sunday'], '01:00', '04:00'), '2026-03-29T01:00:00Z', true],
    ['March: 01:59 UTC = 03:59 CEST', paris(['sunday'], '01:00', '04:00'), '2026-03-29T01:59:00Z', true],
    ['March: 02:00 UTC = 04:00 CEST, closed', paris(['sunday'], '01:00', '04:00'), '2026-03-29T02:00:00Z', false],
    // A window inside the skipped hour covers what exists of it: 02:30-03:30 -> 03:00-03:30 CEST.
    ['March: 02:30-03:30 window, 00:59 UTC = 01:59 CET', paris(['sunday'], '02:30', '03:30'), '2026-03-29T00:59:00Z', false],
    ['March: 02:30-03:30 window, 01:00 UTC = 03:00 CEST', paris(['sunday'], '02:30', '03:30'), '2026-03-29T01:00:00Z', true],
    ['March: 02:30-03:30 window, 01:30 UTC = 03:30 CEST', paris(['sunday'], '02:30', '03:30'), '2026-03-29T01:30:00Z', false],
    // October change, Sunday 01:00-04:00 local: 02:00-03:00 happens twice, the window lasts 4 real hours.
    ['October: 22:59 UTC Saturday = 00:59 CEST', paris(['sunday'], '01:00', '04:00'), '2026-10-24T22:59:00Z', false],
    ['October: 23:00 UTC = 01:00 CEST, opens', paris(['sunday'], '01:00', '04:00'), '2026-10-24T23:00:00Z', true],
    ['October: 00:30 UTC = 02:30 CEST (first time)', paris(['sunday'], '01:00', '04:00'), '2026-10-25T00:30:00Z', true],
    ['October: 01:30 UTC = 02:30 CET (second time)', paris(['sunday'], '01:00', '04:00'), '2026-10-25T01:30:00Z', true],
    ['October: 02:59 UTC = 03:59 CET', paris(['sunday'], '01:00', '04:00'), '2026-10-25T02:59:00Z', true],
    ['October: 03:00 UTC = 04:00 CET, closed', paris(['sunday'], '01:00', '04:00'), '2026-10-25T03:00:00Z', false],
    // Overnight windows end the next day, across the October change too.
    ['overnight Saturday 23:00 -> Sunday 05:00: Sunday 04:59 CET', paris(['saturday'], '23:00', '05:00'), '2026-10-25T03:59:00Z', true],
    ['overnight Saturday 23:00 -> Sunday 05:00: Sunday 05:00 CET', paris(['saturday'], '23:00', '05:00'), '2026-10-25T04:00:00Z', false],
    ['overnight: Sunday 23:00 is not a Saturday night', paris(['saturday'], '23:00', '05:00'), '2026-10-25T22:00:00Z', false],
    ['overnight: Saturday 23:00 CEST opens', paris(['saturday'], '23:00', '05:00'), '2026-10-24T21:00:00Z', true],
    // Another zone with its own change dates (US: 2026-03-08, 2026-11-01).
    ['New York Monday 09:00 EDT', { days: ['monday'], start: '09:00', end: '10:00', timeZone: 'America/New_York' }, '2026-03-09T13:00:00Z', true],
    ['New York Monday 09:00 EST', { days: ['monday'], start: '09:00', end: '10:00', timeZone: 'America/New_York' }, '2026-03-02T14:00:00Z', true],
    [
      'New York Monday 14:00 UTC in March after the change = 10:00 EDT',
      { days: ['monday'], start: '09:00', end: '10:00', timeZone: 'America/New_York' },
      '2026-03-09T14:00:00Z',
      false,
    ],
  ];
  it.each(rows)('%s', (_name, recurrence, at, expected) => {
    expect(inWeeklyWindow(recurrence, new Date(at))).toBe(expected);
  });
});

describe('silenceInForce', () => {
  const base = { startsAt: Timestamp.fromDate(new Date('2026-03-01T00:00:00Z')), endsAt: Timestamp.fromDate(new Date('2026-12-01T00:00:00Z')) };
  it.each([
    ['one-off, inside', { ...base }, '2026-06-01T00:00:00Z', true],
    ['one-off, before its start', { ...base }, '2026-02-28T23:59:00Z', false],
    ['one-off, at its end', { ...base }, '2026-12-01T00:00:00Z', false],
    ['ended early', { ...base, endedAt: Timestamp.fromDate(new Date('2026-05-01T00:00:00Z')) }, '2026-06-01T00:00:00Z', false],
    ['weekly, inside a window', { ...base, recurrence: paris(['monday'], '08:00', '09:00') }, '2026-06-01T06:30:00Z', true],
    ['weekly, between windows', { ...base, recurrence: paris(['monday'], '08:00', '09:00') }, '2026-06-01T07:30:00Z', false],
    ['weekly, a window after the validity end', { ...base, recurrence: paris(['monday'], '08:00', '09:00') }, '2026-12-07T07:30:00Z', false],
  ])('%s', (_name, silence, at, expected) => {
    expect(silenceInForce(silence, new Date(at))).toBe(expected);
  });
});

describe('local times', () => {
  it('parses HH:MM and refuses anything else', () => {
    expect([parseLocalTime('00:00'), parseLocalTime('23:59'), parseLocalTime('09:30')]).toEqual([0, 1439, 570]);
    expect([parseLocalTime('24:00'), parseLocalTime('9:30'), parseLocalTime('12:60'), parseLocalTime('noon')]).toEqual([null, null, null, null]);
  });
  it('knows IANA zones', () => {
    expect([isTimeZone('Europe/Paris'), isTimeZone('UTC'), isTimeZone('Mars/Olympus'), isTimeZone('CET+1')]).toEqual([true, true, false, false]);
    expect(localTime(new Date('2026-10-25T01:30:00Z'), 'Europe/Paris')).toEqual({ day: 'sunday', minutes: 150 });
  });
});
