/**
 * The functional checks. Each one measures the rules it lists and reports them with ctx.observe; the
 * pipeline decides on alerts. Counts come from aggregation queries; documents are read only where a
 * rule needs their content (top-rated providers, payment error codes, the names of forms with
 * errors), always with a limit.
 */
import type { Firestore } from 'firebase-admin/firestore';
import { INVALID_CODE_SUBJECT, isSafeSubject } from '../../config/subjects';
import { ALERT_COLLECTIONS } from '../../rules';
import { measureSliding } from '../coverage';
import type { MonitorContext } from '../types';
import { fs } from '../../platform/firestore';
import { SourceReader, type SourceQuery } from '../../sources';
import type { SourceName } from '../../sources/model';
import { blockedThreshold, chanceIntervalDays, type BlockedThreshold } from './blocked';
import { FORM_SUBMIT_EVENTS, SIGNUP_FORMS, TRACKING_PLATFORMS, type EventType } from './data';
import type { FunctionalCheckGroup, FunctionalCheckSet } from './sets';
import { chooseFormSubjects, INVALID_FORM_SUBJECT } from './subjects';
import { NO_KEY, readLearnedRates, type HistoryCounter, type LearnedRates } from './learned';
import { clientWriteVolume } from './volume';

export interface TimeWindow {
  startMs: number;
  endMs: number;
  hours: number;
}

/** Measurement helpers shared by the checks of one run. */
export class CheckEnv {
  private readonly traffic = new Map<number, Promise<number>>();
  private learned: Promise<LearnedRates> | null = null;

  /**
   * `lean` (the fast path, 288 runs a day): figures that only feed the functional_metrics snapshot or
   * explain an alert that does not fire are not counted.
   */
  readonly lean: boolean;

  constructor(
    readonly ctx: MonitorContext,
    options: { lean?: boolean } = {},
  ) {
    this.lean = options.lean ?? false;
  }

  get db(): Firestore {
    return this.ctx.db.db;
  }

  /** The blocked rules' learned rates (monitoring_baselines/blocked): one document read per run. */
  learnedRates(): Promise<LearnedRates> {
    this.learned ??= readLearnedRates(this.ctx);
    return this.learned;
  }

  /**
   * The threshold of one subject of a blocked rule, from its learned rate and the rule's settings
   * (monitors/functional/blocked.ts), and the details that explain it in the alert.
   */
  async blockedLimit(ruleId: string, key: string | null, count: number): Promise<{ threshold: number; details: Record<string, unknown> }> {
    const rates = await this.learnedRates();
    const settings = this.ctx.settings(ruleId);
    const p = settings.params;
    const limit: BlockedThreshold = blockedThreshold(rates[ruleId]?.[key ?? NO_KEY], {
      minCount: settings.threshold,
      maxCount: p.maxCount,
      oneChanceIn: p.oneChanceIn,
      fallbackCount: p.fallbackCount,
      minSuccesses: p.minSuccesses,
    });
    const every = limit.ratePercent !== null && limit.successesPerDay !== null ? chanceIntervalDays(limit.ratePercent, limit.successesPerDay, count) : null;
    return {
      threshold: limit.threshold,
      details: {
        threshold: limit.threshold,
        basis: limit.basis,
        limitedBy: limit.limitedBy,
        ratePercent: limit.ratePercent === null ? null : Math.round(limit.ratePercent * 100) / 100,
        successesPerDay: limit.successesPerDay === null ? null : Math.round(limit.successesPerDay * 100) / 100,
        chanceEveryDays: every === null ? null : Number.isFinite(every) ? Math.round(every * 10) / 10 : 'never',
        historySuccesses: limit.historySuccesses,
        historyDays: limit.historyDays,
      },
    };
  }

  /** Parameters of a rule, as configured. */
  params(ruleId: string): Record<string, number> {
    return this.ctx.settings(ruleId).params;
  }

  /** [now - hours, now), computed back from the evaluation instant. */
  window(hours: number): TimeWindow {
    const end = this.ctx.now.getTime();
    return { startMs: end - hours * 3_600_000, endMs: end, hours };
  }

  /** [startMs, endMs) */
  between(startMs: number, endMs: number): TimeWindow {
    return { startMs, endMs, hours: (endMs - startMs) / 3_600_000 };
  }

  /** A query on one of the app's sources (names from the mapping). */
  from(name: SourceName): SourceQuery {
    return this.ctx.sources.from(name);
  }

  /**
   * The span since the last success of a subject: one ordered limit(1) read for the latest document of
   * `successes` (by `field`, at or before the evaluation instant), going back at most `lookbackHours`.
   * Attempts are then counted in (sinceMs, now].
   */
  async sinceLastSuccess(
    successes: SourceQuery,
    field: string,
    lookbackHours: number,
  ): Promise<{ sinceMs: number; lastSuccessAt: string | null; lookbackHours: number }> {
    const nowMs = this.ctx.now.getTime();
    const floorMs = nowMs - lookbackHours * 3_600_000;
    const [latest] = await this.ctx.db.docs(successes.atOrBefore(field, nowMs).orderBy(field, 'desc').limit(1).select(field).query);
    const atMs = latest ? new SourceReader(successes.source).millis(latest, field) : undefined;
    if (atMs === undefined || atMs < floorMs) return { sinceMs: floorMs, lastSuccessAt: null, lookbackHours };
    return { sinceMs: atMs, lastSuccessAt: new Date(atMs).toISOString(), lookbackHours };
  }

  /** Documents of `query` with `field` in (sinceMs, now]. */
  after(query: SourceQuery, sinceMs: number, field = 'timestamp'): SourceQuery {
    return query.inSpan(field, sinceMs, this.ctx.now.getTime());
  }

  /** analytics_events of the given types (and, when given, one form) with a timestamp in (sinceMs, now]. */
  eventsAfter(sinceMs: number, eventType: EventType, form?: FormFilter): SourceQuery {
    return this.after(this.eventsOf([eventType], form), sinceMs);
  }

  /** analytics_events of the given types, of one form when given (a signup form meaning, or a form name). */
  eventsOf(eventTypes: readonly EventType[], form?: FormFilter): SourceQuery {
    const events = this.from('analyticsEvents').is('eventType', ...eventTypes);
    if (form === undefined) return events;
    return typeof form === 'string' ? events.equals('formName', form) : events.is('formName', form.meaning);
  }

  /** Restricts a query to documents whose `field` falls in the window. */
  within(query: SourceQuery, window: TimeWindow, field = 'timestamp'): SourceQuery {
    return query.inWindow(field, window.startMs, window.endMs);
  }

  /** analytics_events of one type (and, when given, one form) in the window. */
  events(window: TimeWindow, eventType: EventType, form?: FormFilter): SourceQuery {
    return this.within(this.eventsOf([eventType], form), window);
  }

  count(query: SourceQuery): Promise<number> {
    return this.ctx.db.count(query.query);
  }

  /** Number of analytics events in the window: the traffic measure of the tracking checks (one query per window length). */
  trafficIn(window: TimeWindow): Promise<number> {
    let pending = this.traffic.get(window.hours);
    if (!pending) {
      pending = this.count(this.within(this.from('analyticsEvents'), window));
      this.traffic.set(window.hours, pending);
    }
    return pending;
  }

  /**
   * Distinct values of a string field among the documents of `query`, read one document per value
   * (each query asks for the smallest value greater than the previous one). Costs one read per
   * distinct value instead of one per document.
   */
  async distinctValues(query: SourceQuery, field: string, max: number): Promise<{ values: string[]; truncated: boolean }> {
    const values: string[] = [];
    const path = query.path(field);
    let last = '';
    const next = (after: string) => this.ctx.db.docs(query.query.where(path, '>', after).orderBy(path).limit(1).select(path));
    while (values.length < max) {
      const [doc] = await next(last);
      const value = doc?.get(path);
      if (typeof value !== 'string' || value <= last) return { values, truncated: false };
      values.push(value);
      last = value;
    }
    const [more] = await next(last);
    return { values, truncated: more !== undefined };
  }

  /**
   * Subjects of a keyed rule that have an open alert. They are measured even when nothing about them
   * shows up this run, so that their alert can resolve.
   */
  async openAlertKeys(ruleId: string): Promise<string[]> {
    const docs = await this.ctx.db.docs(
      this.db.collection(ALERT_COLLECTIONS.functional).where('ruleId', '==', ruleId).where('resolved', '==', false).limit(200).select('key'),
    );
    return docs.map((doc) => doc.get('key')).filter((key): key is string => typeof key === 'string' && key.length > 0);
  }
}

/** A form: a form name the app chose, or a signup form by its meaning in the mapping. */
export type FormFilter = string | { meaning: (typeof SIGNUP_FORMS)[number] };

/** The subject key of a signup form: its first value in the app's mapping (signup_client). */
export function signupFormKey(env: CheckEnv, meaning: (typeof SIGNUP_FORMS)[number]): string {
  return env.ctx.sources.source('analyticsEvents').vocabularies.formName[meaning][0];
}

/** part / whole in percent; null when there is no denominator. (part * 100) / whole keeps whole percentages exact. */
export function rate(part: number, whole: number): number | null {
  return whole > 0 ? (part * 100) / whole : null;
}

export interface FunctionalCheck {
  name: string;
  group: FunctionalCheckGroup;
  /** Part of the critical set (every 4 hours): its failure means customers cannot sign up, book or pay. */
  critical: boolean;
  /** The rules it observes, every run it succeeds. */
  rules: readonly string[];
  /** Measures and observes; returns the figures stored in functional_metrics. */
  run(env: CheckEnv): Promise<Record<string, unknown>>;
}

const signupBlocked: FunctionalCheck = {
  name: 'signup_blocked',
  group: 'signup',
  critical: true,
  rules: ['signup_blocked'],
  async run(env) {
    const { windowHours } = env.params('signup_blocked');
    const forms: Record<string, unknown> = {};
    await Promise.all(
      SIGNUP_FORMS.map(async (meaning) => {
        const form = signupFormKey(env, meaning);
        const which = { meaning };
        const span = await env.sinceLastSuccess(env.eventsOf(['signup_success'], which), 'timestamp', windowHours);
        const pageViews = await env.count(env.eventsAfter(span.sinceMs, 'signup_page_view', which));
        const limit = await env.blockedLimit('signup_blocked', form, pageViews);
        // Submits explain an alert (front end or back end?): counted only when it fires.
        const formSubmits = pageViews > limit.threshold ? await env.count(env.eventsAfter(span.sinceMs, 'signup_form_submit', which)) : null;
        const details = { pageViews, formSubmits, lastSuccessAt: span.lastSuccessAt, lookbackHours: span.lookbackHours, ...limit.details };
        env.ctx.observe({ ruleId: 'signup_blocked', key: form, value: pageViews, threshold: limit.threshold, details });
        forms[form] = details;
      }),
    );
    return { windowHours, forms };
  },
};

/** History of signup_blocked: page views and signups per signup form. */
const signupHistory: HistoryCounter = async (env, startMs, endMs) => {
  const window = env.between(startMs, endMs);
  const entries = await Promise.all(
    SIGNUP_FORMS.map(async (meaning) => {
      const form = signupFormKey(env, meaning);
      const [attempts, successes] = await Promise.all([
        env.count(env.events(window, 'signup_page_view', { meaning })),
        env.count(env.events(window, 'signup_success', { meaning })),
      ]);
      return [form, { attempts, successes }] as const;
    }),
  );
  return Object.fromEntries(entries);
};

const signupDropoff: FunctionalCheck = {
  name: 'signup_dropoff',
  group: 'signup',
  critical: false,
  rules: ['signup_dropoff_high'],
  async run(env) {
    const window = env.window(env.params('signup_dropoff_high').windowHours);
    const forms: Record<string, unknown> = {};
    await Promise.all(
      SIGNUP_FORMS.map(async (meaning) => {
        const form = signupFormKey(env, meaning);
        const [formStarts, formSubmits] = await Promise.all([
          env.count(env.events(window, 'signup_form_start', { meaning })),
          env.count(env.events(window, 'signup_form_submit', { meaning })),
        ]);
        const dropoff = rate(Math.max(0, formStarts - formSubmits), formStarts);
        env.ctx.observe({ ruleId: 'signup_dropoff_high', key: form, value: dropoff, sample: formStarts, details: { formStarts, formSubmits } });
        forms[form] = { formStarts, formSubmits, dropoffPercent: dropoff };
      }),
    );
    return { windowHours: window.hours, forms };
  },
};

const bookingBlocked: FunctionalCheck = {
  name: 'booking_blocked',
  group: 'booking',
  critical: true,
  rules: ['booking_blocked'],
  async run(env) {
    const { windowHours } = env.params('booking_blocked');
    const span = await env.sinceLastSuccess(env.from('bookings'), 'createdAt', windowHours);
    const searches = await env.count(env.eventsAfter(span.sinceMs, 'booking_search'));
    const limit = await env.blockedLimit('booking_blocked', null, searches);
    // Attempts and errors explain an alert: counted only when it fires.
    const [bookingStarts, bookingErrors] =
      searches > limit.threshold
        ? await Promise.all([env.count(env.eventsAfter(span.sinceMs, 'booking_start')), env.count(env.eventsAfter(span.sinceMs, 'booking_error'))])
        : [null, null];
    const details = { searches, bookingStarts, bookingErrors, lastSuccessAt: span.lastSuccessAt, lookbackHours: span.lookbackHours, ...limit.details };
    env.ctx.observe({ ruleId: 'booking_blocked', value: searches, threshold: limit.threshold, details });
    return { windowHours, ...details };
  },
};

/** History of booking_blocked: provider searches and bookings created. */
const bookingHistory: HistoryCounter = async (env, startMs, endMs) => {
  const window = env.between(startMs, endMs);
  const [attempts, successes] = await Promise.all([
    env.count(env.events(window, 'booking_search')),
    env.count(env.within(env.from('bookings'), window, 'createdAt')),
  ]);
  return { [NO_KEY]: { attempts, successes } };
};

const bookingFailures: FunctionalCheck = {
  name: 'booking_failures',
  group: 'booking',
  critical: true,
  rules: ['booking_failure_rate'],
  async run(env) {
    const window = env.window(env.params('booking_failure_rate').windowHours);
    const [bookingStarts, bookingErrors] = await Promise.all([env.count(env.events(window, 'booking_start')), env.count(env.events(window, 'booking_error'))]);
    const failureRate = rate(bookingErrors, bookingStarts);
    env.ctx.observe({ ruleId: 'booking_failure_rate', value: failureRate, sample: bookingStarts, details: { bookingStarts, bookingErrors } });
    return { windowHours: window.hours, bookingStarts, bookingErrors, failureRatePercent: failureRate };
  },
};

const providerAvailability: FunctionalCheck = {
  name: 'provider_availability',
  group: 'booking',
  critical: true,
  rules: ['providers_available_low'],
  async run(env) {
    const active = env.from('providers').is('status', 'active');
    const [availableProviders, activeProviders] = await Promise.all([env.count(active.equals('isAvailable', true)), env.count(active)]);
    env.ctx.observe({ ruleId: 'providers_available_low', value: availableProviders, details: { availableProviders, activeProviders } });
    return { availableProviders, activeProviders };
  },
};

const topRatedProviders: FunctionalCheck = {
  name: 'top_rated_providers',
  group: 'booking',
  critical: false,
  rules: ['top_rated_unavailable'],
  async run(env) {
    const { topCount } = env.params('top_rated_unavailable');
    const providers = env.from('providers');
    const docs = await env.ctx.db.docs(providers.is('status', 'active').orderBy('rating', 'desc').limit(topCount).select('isAvailable', 'rating').query);
    const reader = new SourceReader(providers.source);
    const unavailableIds = docs.filter((doc) => reader.raw(doc, 'isAvailable') !== true).map((doc) => doc.id);
    const examined = docs.length;
    const share = rate(unavailableIds.length, examined);
    env.ctx.observe({
      ruleId: 'top_rated_unavailable',
      value: share,
      sample: examined,
      details: { examined, unavailable: unavailableIds.length, unavailableIds: unavailableIds.slice(0, 20) },
    });
    return { topCount, examined, unavailable: unavailableIds.length, unavailablePercent: share };
  },
};

const formErrors: FunctionalCheck = {
  name: 'form_errors',
  group: 'forms',
  critical: false,
  rules: ['form_error_rate', 'form_subjects_capped'],
  async run(env) {
    const { windowHours, maxForms } = env.params('form_error_rate');
    const window = env.window(windowHours);
    const errorsInWindow = env.within(env.from('formErrors'), window);
    // The forms with the most errors, never the first ones found (./subjects.ts).
    const open = await env.openAlertKeys('form_error_rate');
    const subjects = await chooseFormSubjects(env, errorsInWindow, { maxForms, allowlist: env.ctx.config.forms.allowlist, open });
    const forms = subjects.evaluate;
    const byForm: Record<string, unknown> = {};
    if (subjects.invalid.names > 0) byForm[INVALID_FORM_SUBJECT] = { names: subjects.invalid.names, errors: subjects.invalid.errors };
    await Promise.all(
      forms.map(async (form) => {
        const [errors, attempts] = await Promise.all([
          env.count(errorsInWindow.equals('formName', form)),
          env.count(env.within(env.eventsOf(FORM_SUBMIT_EVENTS, form), window)),
        ]);
        const errorRate = rate(errors, attempts);
        env.ctx.observe({ ruleId: 'form_error_rate', key: form, value: errorRate, sample: attempts, details: { errors, attempts } });
        byForm[form] = { errors, attempts, errorRatePercent: errorRate };
      }),
    );
    const { capped } = subjects;
    const leftOut = capped ? Math.max(capped.skipped, capped.seenAtLeast ? 1 : 0) : 0;
    env.ctx.observe({ ruleId: 'form_subjects_capped', value: leftOut, details: { ...capped, windowHours, maxForms, errorsTotal: subjects.errorsTotal } });
    return {
      windowHours,
      formsExamined: forms.length,
      formsTruncated: capped !== null,
      formsSeen: capped?.seen ?? forms.length,
      errorsTotal: subjects.errorsTotal,
      invalidNames: subjects.invalid,
      unlistedErrors: subjects.unlisted,
      forms: byForm,
    };
  },
};

/** Sent and failed deliveries of one platform in the window (`which`: only those counts, the others are 0). */
async function trackingDeliveries(
  env: CheckEnv,
  platform: (typeof TRACKING_PLATFORMS)[keyof typeof TRACKING_PLATFORMS],
  window: TimeWindow,
  which: ReadonlyArray<'sent' | 'failed'> = ['sent', 'failed'],
): Promise<{ sent: number; failed: number }> {
  const base = env.from('trackingEvents').is('platform', platform);
  const [sent, failed] = await Promise.all(
    (['sent', 'failed'] as const).map((status) => (which.includes(status) ? env.count(env.within(base.is('status', status), window)) : Promise.resolve(0))),
  );
  return { sent, failed };
}

const metaCapi: FunctionalCheck = {
  name: 'meta_capi',
  group: 'tracking',
  critical: false,
  rules: ['meta_capi_inactive'],
  async run(env) {
    const { windowHours } = env.params('meta_capi_inactive');
    const sent = env.from('trackingEvents').is('platform', TRACKING_PLATFORMS.metaCapi).is('status', 'sent');
    // Every 12-hour window since the previous evaluation (the functional job's 18:00 -> 09:00 gap is 15 h).
    const worst = await measureSliding(env.ctx, 'meta_capi_inactive', windowHours * 60, 'below', async (startMs, endMs) => {
      const window = env.between(startMs, endMs);
      const [traffic, sentCount] = await Promise.all([env.count(env.within(env.from('analyticsEvents'), window)), env.count(env.within(sent, window))]);
      return { value: sentCount, sample: traffic };
    });
    const firing = worst.value < env.ctx.settings('meta_capi_inactive').threshold;
    const { failed } =
      !env.lean || firing ? await trackingDeliveries(env, TRACKING_PLATFORMS.metaCapi, env.between(worst.startMs, worst.endMs), ['failed']) : { failed: 0 };
    const traffic = worst.sample ?? 0;
    env.ctx.observe({
      ruleId: 'meta_capi_inactive',
      value: worst.value,
      sample: traffic,
      details: { sent: worst.value, failed, traffic, ...worst.coverageDetails },
    });
    return { windowHours, sent: worst.value, failed, traffic, windowsExamined: worst.windows };
  },
};

const googleAds: FunctionalCheck = {
  name: 'google_ads',
  group: 'tracking',
  critical: false,
  rules: ['google_ads_inactive'],
  async run(env) {
    const window = env.window(env.params('google_ads_inactive').windowHours);
    const [traffic, { sent, failed }] = await Promise.all([env.trafficIn(window), trackingDeliveries(env, TRACKING_PLATFORMS.googleAds, window)]);
    env.ctx.observe({ ruleId: 'google_ads_inactive', value: sent, sample: traffic, details: { sent, failed, traffic } });
    return { windowHours: window.hours, conversions: sent, failed, traffic };
  },
};

const metaQuality: FunctionalCheck = {
  name: 'meta_quality',
  group: 'tracking',
  critical: false,
  rules: ['meta_quality_low'],
  async run(env) {
    const { maxAgeHours } = env.params('meta_quality_low');
    const ref = env.ctx.sources.document('trackingStatus');
    const reader = env.ctx.sources.reader('trackingStatus');
    const snapshot = await env.ctx.db.get(ref);
    const path = ref.path;
    if (!snapshot.exists) {
      env.ctx.skip('meta_quality', `${path} does not exist (no Meta quality score recorded)`);
      env.ctx.observe({ ruleId: 'meta_quality_low', value: null });
      return { qualityScore: null };
    }
    const score = reader.raw(snapshot, 'qualityScore');
    const updatedMs = reader.millis(snapshot, 'qualityScoreUpdatedAt');
    const scoreField = reader.source.fields.qualityScore?.path;
    const updatedField = reader.source.fields.qualityScoreUpdatedAt?.path;
    if (typeof score !== 'number' || !Number.isFinite(score) || score < 0 || score > 100) {
      throw new Error(`${path}.${scoreField} must be a number from 0 to 100, got ${JSON.stringify(score ?? null)}`);
    }
    if (updatedMs === undefined) throw new Error(`${path}.${updatedField} is missing or not a ${reader.source.fields.qualityScoreUpdatedAt?.type}`);
    const ageHours = (env.ctx.now.getTime() - updatedMs) / 3_600_000;
    if (ageHours > maxAgeHours) {
      throw new Error(`${path}.${scoreField} was recorded ${Math.floor(ageHours)} h ago (more than ${maxAgeHours} h): the score updater is not running`);
    }
    const recorded = new Date(updatedMs).toISOString();
    env.ctx.observe({ ruleId: 'meta_quality_low', value: score, details: { updatedAt: recorded } });
    return { qualityScore: score, qualityScoreUpdatedAt: recorded };
  },
};

const checkoutConversion: FunctionalCheck = {
  name: 'checkout_conversion',
  group: 'payment',
  critical: true,
  rules: ['payment_flow_conversion_low'],
  async run(env) {
    const window = env.window(env.params('payment_flow_conversion_low').windowHours);
    // The intermediate steps feed the metrics snapshot only: not counted on the fast path.
    const snapshotOnly = (eventType: EventType) => (env.lean ? Promise.resolve(null) : env.count(env.events(window, eventType)));
    const [checkouts, methodsSelected, attempts, payments, paymentErrors] = await Promise.all([
      env.count(env.events(window, 'checkout_start')),
      snapshotOnly('payment_method_selected'),
      snapshotOnly('payment_attempt'),
      env.count(env.events(window, 'payment_success')),
      env.count(env.events(window, 'payment_error')),
    ]);
    const conversion = rate(payments, checkouts);
    env.ctx.observe({ ruleId: 'payment_flow_conversion_low', value: conversion, sample: checkouts, details: { checkouts, payments, paymentErrors } });
    return { windowHours: window.hours, checkouts, methodsSelected, attempts, payments, paymentErrors, conversionPercent: conversion };
  },
};

const paymentBlocked: FunctionalCheck = {
  name: 'payment_blocked',
  group: 'payment',
  critical: true,
  rules: ['payment_flow_blocked'],
  async run(env) {
    const { windowHours } = env.params('payment_flow_blocked');
    const span = await env.sinceLastSuccess(env.eventsOf(['payment_success']), 'timestamp', windowHours);
    const checkouts = await env.count(env.eventsAfter(span.sinceMs, 'checkout_start'));
    const limit = await env.blockedLimit('payment_flow_blocked', null, checkouts);
    // Payment errors explain an alert: counted only when it fires.
    const paymentErrors = checkouts > limit.threshold ? await env.count(env.eventsAfter(span.sinceMs, 'payment_error')) : null;
    const details = { checkouts, paymentErrors, lastSuccessAt: span.lastSuccessAt, lookbackHours: span.lookbackHours, ...limit.details };
    env.ctx.observe({ ruleId: 'payment_flow_blocked', value: checkouts, threshold: limit.threshold, details });
    return { windowHours, ...details };
  },
};

/** History of payment_flow_blocked: checkouts started and successful payments. */
const paymentHistory: HistoryCounter = async (env, startMs, endMs) => {
  const window = env.between(startMs, endMs);
  const [attempts, successes] = await Promise.all([env.count(env.events(window, 'checkout_start')), env.count(env.events(window, 'payment_success'))]);
  return { [NO_KEY]: { attempts, successes } };
};

/** The history counters of the blocked rules, learned by the metrics job (./learned.ts). */
export const BLOCKED_HISTORY: Readonly<Record<string, HistoryCounter>> = {
  signup_blocked: signupHistory,
  booking_blocked: bookingHistory,
  payment_flow_blocked: paymentHistory,
};

const paymentErrors: FunctionalCheck = {
  name: 'payment_errors',
  group: 'payment',
  critical: true,
  rules: ['payment_flow_error_repeated'],
  async run(env) {
    const { windowHours, maxEvents } = env.params('payment_flow_error_repeated');
    const window = env.window(windowHours);
    // The error code is in metadata: the documents are needed (capped), grouped here.
    const [docs, open] = await Promise.all([
      env.ctx.db.docs(env.events(window, 'payment_error').limit(maxEvents).select('errorCode', 'sessionId').query),
      env.openAlertKeys('payment_flow_error_repeated'),
    ]);
    const truncated = docs.length >= maxEvents;
    const byCode = new Map<string, { count: number; sessions: Set<string> }>();
    const reader = env.ctx.sources.reader('analyticsEvents');
    for (const doc of docs) {
      const raw = reader.raw(doc, 'errorCode');
      // Client-written: a code outside the safe pattern is counted under a placeholder, never used as a key.
      const code = typeof raw === 'string' && raw.length > 0 ? (isSafeSubject(raw) ? raw : INVALID_CODE_SUBJECT) : 'unknown';
      const entry = byCode.get(code) ?? { count: 0, sessions: new Set<string>() };
      entry.count += 1;
      const session = reader.raw(doc, 'sessionId');
      if (typeof session === 'string') entry.sessions.add(session);
      byCode.set(code, entry);
    }
    for (const code of open) if (!byCode.has(code)) byCode.set(code, { count: 0, sessions: new Set() });
    const codes: Record<string, number> = {};
    for (const [code, { count, sessions }] of byCode) {
      env.ctx.observe({ ruleId: 'payment_flow_error_repeated', key: code, value: count, details: { sessions: sessions.size, truncated } });
      codes[code] = count;
    }
    return { windowHours, paymentErrors: docs.length, truncated, codes };
  },
};

const commissions: FunctionalCheck = {
  name: 'commissions',
  group: 'payment',
  critical: false,
  rules: ['commissions_pending_overdue'],
  async run(env) {
    const { maxAgeDays } = env.params('commissions_pending_overdue');
    const overdueQuery = env
      .from('commissions')
      .is('status', 'pending')
      .before('createdAt', env.ctx.now.getTime() - maxAgeDays * 86_400_000);
    const overdue = await env.ctx.db.aggregate(overdueQuery.query, { amount: fs().AggregateField.sum(overdueQuery.path('amount')) });
    env.ctx.observe({ ruleId: 'commissions_pending_overdue', value: overdue.count, details: { amount: overdue.amount ?? 0 } });
    return { maxAgeDays, overdue: overdue.count, overdueAmount: overdue.amount ?? 0 };
  },
};

/** Every functional check, in the order they are documented. */
export const FUNCTIONAL_CHECKS: readonly FunctionalCheck[] = [
  signupBlocked,
  signupDropoff,
  bookingBlocked,
  bookingFailures,
  providerAvailability,
  topRatedProviders,
  formErrors,
  clientWriteVolume,
  metaCapi,
  metaQuality,
  googleAds,
  checkoutConversion,
  paymentBlocked,
  paymentErrors,
  commissions,
];

/** The checks a set runs: `all` every check, `critical` the critical ones, otherwise one group. */
export function checksFor(set: FunctionalCheckSet): FunctionalCheck[] {
  if (set === 'all') return [...FUNCTIONAL_CHECKS];
  if (set === 'critical') return FUNCTIONAL_CHECKS.filter((check) => check.critical);
  return FUNCTIONAL_CHECKS.filter((check) => check.group === set);
}
