/**
 * Maintenance windows (`monitoring_silences`, shape `SilenceDoc` in alerts/model.ts): create, list,
 * end early. A silence mutes notifications of the rules it covers; alerts are still recorded. A
 * silence may recur: weekly windows in local time (days, start, end, IANA time zone), in force only
 * inside those windows between startsAt and endsAt.
 */
import type { DocumentSnapshot } from 'firebase-admin/firestore';
import { HttpsError } from 'firebase-functions/v2/https';
import { z } from 'zod';
import { COLLECTIONS, WEEKDAYS, type SilenceDoc, type WeeklyRecurrence } from '../alerts/model';
import { isTimeZone, parseLocalTime, silenceInForce } from '../alerts/silences';
import { fs } from '../platform/firestore';
import { hasRule, RULES } from '../rules';
import { defineCallable, invalid } from './callable';
import { valuePage } from './pagination';
import { documentId, domain, iso, pageSize, pageToken, text } from './schemas';

export const SILENCE_LIMITS = {
  /** Longest silence. */
  maxDurationMinutes: 30 * 24 * 60,
  /** Longest validity of a recurring silence (its windows are short; the rule lasts). */
  maxRecurringDays: 366,
  /** How far ahead a silence may be scheduled. */
  maxLeadDays: 90,
  reasonMax: 500,
} as const;
export const SILENCE_PAGE = { default: 25, max: 100 } as const;

/** `scheduled`: not in force yet (a recurring one: between two windows). */
export type SilenceStatus = 'scheduled' | 'active' | 'ended' | 'expired';

export interface SilenceView {
  id: string;
  status: SilenceStatus;
  startsAt: string | null;
  endsAt: string | null;
  /** Weekly windows, or null for a one-off silence. */
  recurrence: WeeklyRecurrence | null;
  ruleId: string | null;
  category: string | null;
  domain: string | null;
  reason: string;
  createdBy: string;
  createdAt: string | null;
  endedAt: string | null;
  endedBy: string | null;
}

function silenceView(snapshot: DocumentSnapshot, now: Date): SilenceView {
  const silence = snapshot.data() as SilenceDoc;
  const status: SilenceStatus = silence.endedAt
    ? 'ended'
    : silence.endsAt.toMillis() <= now.getTime()
      ? 'expired'
      : silenceInForce(silence, now)
        ? 'active'
        : 'scheduled';
  return {
    id: snapshot.id,
    status,
    startsAt: iso(silence.startsAt),
    endsAt: iso(silence.endsAt),
    recurrence: silence.recurrence ?? null,
    ruleId: silence.ruleId ?? null,
    category: silence.category ?? null,
    domain: silence.domain ?? null,
    reason: silence.reason,
    createdBy: silence.createdBy,
    createdAt: iso(silence.createdAt),
    endedAt: iso(silence.endedAt),
    endedBy: silence.endedBy ?? null,
  };
}

const CATEGORIES = [...new Set(RULES.map((rule) => rule.category))];
const isoTime = z.iso.datetime({ offset: true });
const localTimeOfDay = z.string().refine((value) => parseLocalTime(value) !== null, 'must be a local time HH:MM (00:00-23:59)');
const recurrence = z
  .strictObject({
    days: z
      .array(z.enum(WEEKDAYS))
      .min(1)
      .max(7)
      .refine((days) => new Set(days).size === days.length, 'days must not repeat'),
    start: localTimeOfDay,
    /** At or before start: the window ends the next day. */
    end: localTimeOfDay,
    timeZone: z.string().max(64).refine(isTimeZone, 'must be an IANA time zone such as Europe/Paris'),
  })
  .refine((value) => value.start !== value.end, { message: 'end must differ from start', path: ['end'] });

export const createSilence = defineCallable({
  input: z
    .strictObject({
      reason: text(SILENCE_LIMITS.reasonMax),
      /** Default: now. */
      startsAt: isoTime.optional(),
      endsAt: isoTime.optional(),
      durationMinutes: z
        .number()
        .int()
        .min(1)
        .max(SILENCE_LIMITS.maxRecurringDays * 1_440)
        .optional(),
      /** Weekly windows in local time; the silence is in force only inside them. */
      recurrence: recurrence.optional(),
      ruleId: z.string().max(100).optional(),
      category: z.string().max(100).optional(),
      domain: domain.optional(),
      /** Required (and alone) to mute every rule: a silence without restriction mutes everything. */
      everything: z.literal(true).optional(),
    })
    .refine((input) => (input.endsAt === undefined) !== (input.durationMinutes === undefined), {
      message: 'give exactly one of endsAt or durationMinutes',
      path: ['endsAt'],
    })
    .refine((input) => (input.everything === true) !== Boolean(input.ruleId || input.category || input.domain), {
      message: 'give ruleId, category or domain to narrow the silence, or everything: true (alone) to mute every rule',
      path: ['everything'],
    }),
  mutates: true,
  errors: [],
  async handler(input, ctx): Promise<SilenceView> {
    if (input.ruleId !== undefined && !hasRule(input.ruleId)) {
      throw invalid(`Invalid input: ruleId "${input.ruleId}" is not a rule of the catalogue (see docs/alerts.md).`);
    }
    if (input.category !== undefined && !CATEGORIES.includes(input.category)) {
      throw invalid(`Invalid input: category "${input.category}" is not used by any rule (categories: ${CATEGORIES.join(', ')}).`);
    }
    const now = ctx.now.getTime();
    const startsAt = input.startsAt ? Date.parse(input.startsAt) : now;
    const endsAt = input.endsAt ? Date.parse(input.endsAt) : startsAt + input.durationMinutes! * 60_000;
    if (startsAt > now + SILENCE_LIMITS.maxLeadDays * 86_400_000) {
      throw invalid(`Invalid input: startsAt is more than ${SILENCE_LIMITS.maxLeadDays} days ahead.`);
    }
    if (endsAt <= Math.max(startsAt, now)) throw invalid('Invalid input: endsAt must be after startsAt and in the future.');
    if (!input.recurrence && endsAt - startsAt > SILENCE_LIMITS.maxDurationMinutes * 60_000) {
      throw invalid(
        `Invalid input: a silence lasts at most ${SILENCE_LIMITS.maxDurationMinutes / 1_440} days (a recurring one ${SILENCE_LIMITS.maxRecurringDays}).`,
      );
    }
    if (input.recurrence && endsAt - startsAt > SILENCE_LIMITS.maxRecurringDays * 86_400_000) {
      throw invalid(`Invalid input: a recurring silence is valid for at most ${SILENCE_LIMITS.maxRecurringDays} days.`);
    }
    const { Timestamp } = fs();
    const silence: SilenceDoc = {
      startsAt: Timestamp.fromMillis(startsAt),
      endsAt: Timestamp.fromMillis(endsAt),
      recurrence: input.recurrence ?? null,
      ruleId: input.ruleId ?? null,
      category: input.category ?? null,
      domain: input.domain ?? null,
      reason: input.reason,
      createdBy: ctx.uid,
      createdAt: Timestamp.fromDate(ctx.now),
      endedAt: null,
      endedBy: null,
    };
    const ref = ctx.meter.db.collection(COLLECTIONS.silences).doc();
    await ref.create(silence);
    ctx.meter.noteWrites(1);
    ctx.log.info('Silence created', {
      silenceId: ref.id,
      ruleId: silence.ruleId,
      category: silence.category,
      domain: silence.domain,
      recurring: Boolean(silence.recurrence),
    });
    return silenceView(await ctx.meter.get(ref), ctx.now);
  },
});

export interface SilencePage {
  silences: SilenceView[];
  nextPageToken: string | null;
}

export const listSilences = defineCallable({
  input: z.strictObject({ pageSize: pageSize(SILENCE_PAGE.max), pageToken }),
  mutates: false,
  errors: [],
  async handler(input, ctx): Promise<SilencePage> {
    const page = await valuePage(ctx.meter, ctx.meter.db.collection(COLLECTIONS.silences), {
      field: 'endsAt',
      direction: 'desc',
      pageSize: input.pageSize ?? SILENCE_PAGE.default,
      token: input.pageToken,
      query: 'silences',
    });
    return { silences: page.docs.map((doc) => silenceView(doc, ctx.now)), nextPageToken: page.nextPageToken };
  },
});

export const endSilence = defineCallable({
  input: z.strictObject({ silenceId: documentId('Xy3kQw9s0aBcDeFgHiJk') }),
  mutates: true,
  errors: ['not-found'],
  async handler({ silenceId }, ctx): Promise<{ changed: boolean; silence: SilenceView }> {
    const ref = ctx.meter.db.collection(COLLECTIONS.silences).doc(silenceId);
    const snapshot = await ctx.meter.get(ref);
    if (!snapshot.exists) throw new HttpsError('not-found', `No silence with id "${silenceId}".`);
    const current = silenceView(snapshot, ctx.now);
    if (current.status === 'ended' || current.status === 'expired') return { changed: false, silence: current };
    await ref.update({ endedAt: fs().Timestamp.fromDate(ctx.now), endedBy: ctx.uid });
    ctx.meter.noteWrites(1);
    return { changed: true, silence: silenceView(await ctx.meter.get(ref), ctx.now) };
  },
});
