/** Silences from the dashboard: created in the shape the engine reads, listed, ended early. */
import type { Firestore } from 'firebase-admin/firestore';
import type { SilencePage, SilenceView } from '../src/admin/silences';
import { createSilence, endSilence, listSilences } from '../src/index';
import { loadActiveSilences, silenceFor } from '../src/alerts/silences';
import { Meter } from '../src/platform/firestore';
import { getRule } from '../src/rules';
import { ADMIN, call, callError, expectCode, OTHER_ADMIN } from './support/admin';
import { allDocs, closeFirebase, freshProject } from './support/firebase';

let db: Firestore;

beforeEach(async () => {
  db = await freshProject();
});
afterAll(closeFirebase);

const minutesFromNow = (minutes: number) => new Date(Date.now() + minutes * 60_000).toISOString();

describe('createSilence', () => {
  it('creates a silence the engine applies to the rules it covers', async () => {
    const silence = await call<SilenceView>(createSilence, { reason: 'Config migration', durationMinutes: 60, category: 'configuration' });
    expect(silence).toMatchObject({
      status: 'active',
      category: 'configuration',
      ruleId: null,
      domain: null,
      reason: 'Config migration',
      createdBy: ADMIN.uid,
      endedAt: null,
    });
    expect(Date.parse(silence.endsAt!) - Date.parse(silence.startsAt!)).toBe(3_600_000);

    const active = await loadActiveSilences(new Meter(db), new Date());
    expect(active.map((item) => item.id)).toEqual([silence.id]);
    expect(silenceFor(active, getRule('config_invalid'))?.id).toBe(silence.id);
    expect(silenceFor(active, getRule('monitor_check_failed'))).toBeNull();
  });

  it('schedules a window with explicit start and end', async () => {
    const silence = await call<SilenceView>(createSilence, {
      reason: 'Stripe maintenance',
      startsAt: minutesFromNow(60),
      endsAt: minutesFromNow(120),
      domain: 'payment',
    });
    expect(silence.status).toBe('scheduled');
    expect(await loadActiveSilences(new Meter(db), new Date())).toEqual([]);
  });

  it('mutes everything only when asked explicitly', async () => {
    await expectCode(callError(createSilence, { reason: 'x', durationMinutes: 10 }), 'invalid-argument', /everything: give ruleId, category or domain/);
    await expectCode(callError(createSilence, { reason: 'x', durationMinutes: 10, everything: true, domain: 'payment' }), 'invalid-argument', /everything: /);
    const all = await call<SilenceView>(createSilence, { reason: 'Full outage drill', durationMinutes: 10, everything: true });
    expect(all).toMatchObject({ ruleId: null, category: null, domain: null });
  });

  it.each([
    [{ reason: 'x', durationMinutes: 10, ruleId: 'no_such_rule' }, /ruleId "no_such_rule" is not a rule of the catalogue/],
    [{ reason: 'x', durationMinutes: 10, category: 'nope' }, /category "nope" is not used by any rule/],
    [{ reason: 'x', durationMinutes: 10, domain: 'billing' }, /domain: /],
    [{ reason: '', durationMinutes: 10, everything: true }, /reason: must not be empty/],
    [{ reason: 'x'.repeat(501), durationMinutes: 10, everything: true }, /reason: Too big: expected string to have <=500 characters/],
    [{ reason: 'x', everything: true }, /endsAt: give exactly one of endsAt or durationMinutes/],
    [{ reason: 'x', durationMinutes: 10, endsAt: minutesFromNow(30), everything: true }, /give exactly one of endsAt or durationMinutes/],
    [{ reason: 'x', durationMinutes: 0, everything: true }, /durationMinutes: Too small/],
    [{ reason: 'x', durationMinutes: 43_201, everything: true }, /a silence lasts at most 30 days/],
    [{ reason: 'x', endsAt: 'tomorrow', everything: true }, /endsAt: Invalid ISO datetime/],
    [{ reason: 'x', endsAt: minutesFromNow(-5), everything: true }, /endsAt must be after startsAt and in the future/],
    [{ reason: 'x', startsAt: minutesFromNow(60), endsAt: minutesFromNow(30), everything: true }, /endsAt must be after startsAt/],
    [{ reason: 'x', startsAt: minutesFromNow(0), endsAt: minutesFromNow(31 * 24 * 60), everything: true }, /lasts at most 30 days/],
    [{ reason: 'x', startsAt: minutesFromNow(91 * 24 * 60), durationMinutes: 10, everything: true }, /more than 90 days ahead/],
    [{ reason: 'x', durationMinutes: 10, everything: true, createdBy: 'someone-else' }, /Unrecognized key: "createdBy"/],
  ])('rejects %j, naming the problem, and writes nothing', async (input, message) => {
    await expectCode(callError(createSilence, input), 'invalid-argument', message);
    expect(await allDocs(db, 'monitoring_silences')).toEqual([]);
  });
});

describe('recurring silences', () => {
  const hhmm = (minutes: number) => {
    const value = ((minutes % 1440) + 1440) % 1440;
    return `${String(Math.floor(value / 60)).padStart(2, '0')}:${String(value % 60).padStart(2, '0')}`;
  };
  const nowMinutes = () => new Date().getUTCHours() * 60 + new Date().getUTCMinutes();
  const everyDay = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];

  it('creates weekly windows the engine applies only inside them, and lists them', async () => {
    const inside = await call<SilenceView>(createSilence, {
      reason: 'Nightly deploy slot',
      durationMinutes: 90 * 1_440,
      domain: 'payment',
      recurrence: { days: everyDay, start: hhmm(nowMinutes() - 30), end: hhmm(nowMinutes() + 30), timeZone: 'UTC' },
    });
    const between = await call<SilenceView>(createSilence, {
      reason: 'Weekly maintenance',
      durationMinutes: 90 * 1_440,
      domain: 'functional',
      recurrence: { days: everyDay, start: hhmm(nowMinutes() + 60), end: hhmm(nowMinutes() + 120), timeZone: 'UTC' },
    });
    expect(inside).toMatchObject({ status: 'active', recurrence: { days: everyDay, timeZone: 'UTC' } });
    expect(between).toMatchObject({ status: 'scheduled', recurrence: { timeZone: 'UTC' } });
    expect(Date.parse(inside.endsAt!) - Date.parse(inside.startsAt!)).toBe(90 * 86_400_000);

    const active = await loadActiveSilences(new Meter(db), new Date());
    expect(active.map((item) => item.id)).toEqual([inside.id]);
    const page = await call<SilencePage>(listSilences, {});
    expect(page.silences.map((item) => [item.reason, item.status, item.recurrence?.timeZone])).toEqual(
      expect.arrayContaining([
        ['Nightly deploy slot', 'active', 'UTC'],
        ['Weekly maintenance', 'scheduled', 'UTC'],
      ]),
    );
  });

  it.each([
    [{ days: ['funday'], start: '01:00', end: '02:00', timeZone: 'UTC' }, /recurrence\.days\.0: /],
    [{ days: ['monday', 'monday'], start: '01:00', end: '02:00', timeZone: 'UTC' }, /recurrence\.days: days must not repeat/],
    [{ days: [], start: '01:00', end: '02:00', timeZone: 'UTC' }, /recurrence\.days: Too small/],
    [{ days: ['monday'], start: '1:00', end: '02:00', timeZone: 'UTC' }, /recurrence\.start: must be a local time HH:MM/],
    [{ days: ['monday'], start: '01:00', end: '24:00', timeZone: 'UTC' }, /recurrence\.end: must be a local time HH:MM/],
    [{ days: ['monday'], start: '01:00', end: '01:00', timeZone: 'UTC' }, /recurrence\.end: end must differ from start/],
    [{ days: ['monday'], start: '01:00', end: '02:00', timeZone: 'Europe/Atlantis' }, /recurrence\.timeZone: must be an IANA time zone/],
  ])('rejects the recurrence %j and writes nothing', async (recurrence, message) => {
    await expectCode(callError(createSilence, { reason: 'x', durationMinutes: 1_440, domain: 'payment', recurrence }), 'invalid-argument', message);
    expect(await allDocs(db, 'monitoring_silences')).toEqual([]);
  });

  it('keeps one-off silences to 30 days and recurring ones to 366', async () => {
    await expectCode(callError(createSilence, { reason: 'x', durationMinutes: 31 * 1_440, domain: 'payment' }), 'invalid-argument', /at most 30 days/);
    const recurrence = { days: ['sunday'], start: '01:00', end: '04:00', timeZone: 'Europe/Paris' };
    await expectCode(
      callError(createSilence, { reason: 'x', durationMinutes: 367 * 1_440, domain: 'payment', recurrence }),
      'invalid-argument',
      /Too big|366 days/,
    );
    expect(await call<SilenceView>(createSilence, { reason: 'x', durationMinutes: 300 * 1_440, domain: 'payment', recurrence })).toMatchObject({ recurrence });
  });
});

describe('listSilences and endSilence', () => {
  it('lists silences (latest end first) with their status, paged', async () => {
    const created: SilenceView[] = [];
    for (const minutes of [30, 90, 60, 120, 10])
      created.push(await call<SilenceView>(createSilence, { reason: `r${minutes}`, durationMinutes: minutes, everything: true }));
    await call(endSilence, { silenceId: created[0].id });
    const first = await call<SilencePage>(listSilences, { pageSize: 2 });
    const second = await call<SilencePage>(listSilences, { pageSize: 2, pageToken: first.nextPageToken });
    const third = await call<SilencePage>(listSilences, { pageSize: 2, pageToken: second.nextPageToken });
    expect(third.nextPageToken).toBeNull();
    const all = [...first.silences, ...second.silences, ...third.silences];
    expect(all.map((silence) => silence.reason)).toEqual(['r120', 'r90', 'r60', 'r30', 'r10']);
    expect(all.find((silence) => silence.reason === 'r30')).toMatchObject({ status: 'ended', endedBy: ADMIN.uid });
    await expectCode(callError(listSilences, { pageSize: 101 }), 'invalid-argument', /pageSize: Too big/);
  });

  it('ends a silence early, once; the engine stops applying it', async () => {
    const silence = await call<SilenceView>(createSilence, { reason: 'deploy', durationMinutes: 60, everything: true });
    const ended = await call<{ changed: boolean; silence: SilenceView }>(endSilence, { silenceId: silence.id });
    expect(ended).toMatchObject({ changed: true, silence: { status: 'ended', endedBy: ADMIN.uid, endedAt: expect.any(String) } });
    const again = await call<{ changed: boolean; silence: SilenceView }>(endSilence, { silenceId: silence.id }, OTHER_ADMIN);
    expect(again).toMatchObject({ changed: false, silence: { endedBy: ADMIN.uid, endedAt: ended.silence.endedAt } });
    expect(await loadActiveSilences(new Meter(db), new Date())).toEqual([]);
  });

  it('answers not-found for an unknown silence and invalid-argument for a malformed id', async () => {
    await expectCode(callError(endSilence, { silenceId: 'nope' }), 'not-found', /No silence with id "nope"/);
    await expectCode(callError(endSilence, { silenceId: 'a/b' }), 'invalid-argument', /silenceId: must be a document id/);
    await expectCode(callError(endSilence, { id: 'nope' }), 'invalid-argument', /Unrecognized key: "id"/);
  });
});
