/**
 * Functional part of the demo (and the document builders the tests use): the app's data as
 * docs/data-model.md describes it. The incident: provider signups stopped converting, the Meta
 * Conversions API sender died, almost no provider accepts bookings, and one form rejects valid
 * phone numbers, while the other funnels are healthy.
 */
import { Timestamp, type Firestore } from 'firebase-admin/firestore';
import type { EventType } from '../../src/monitors/functional/data';
import { BASELINES_COLLECTION, BLOCKED_RATES_DOC, NO_KEY } from '../../src/monitors/functional/learned';
import { daysAgo, hoursAgo, minutesAgo, writeAll, type ScenarioPart } from './types';

type Doc = Record<string, unknown> & { id?: string };

/** An analytics_events document. */
export function analyticsEvent(
  eventType: EventType,
  at: Date,
  fields: {
    formName?: string | null;
    userId?: string | null;
    userRole?: string | null;
    sessionId?: string;
    page?: string;
    metadata?: Record<string, unknown>;
  } = {},
): Doc {
  return {
    eventType,
    timestamp: Timestamp.fromDate(at),
    sessionId: fields.sessionId ?? `session-${at.getTime().toString(36)}`,
    userId: fields.userId ?? null,
    userRole: fields.userRole ?? null,
    page: fields.page ?? '/',
    formName: fields.formName ?? null,
    metadata: fields.metadata ?? {},
  };
}

/** A form_errors document (one failed submit attempt). */
export function formError(formName: string, at: Date, fieldName = 'email', errorType = 'pattern'): Doc {
  return {
    formName,
    fieldName,
    errorType,
    errorMessage: errorType,
    timestamp: Timestamp.fromDate(at),
    sessionId: `session-${at.getTime().toString(36)}`,
    url: `https://app.example.com/${formName}`,
    invalidFields: [fieldName],
  };
}

/** A tracking_events document written by a server-side sender. */
export function trackingEvent(platform: 'meta_capi' | 'google_ads', status: 'sent' | 'failed', at: Date): Doc {
  return {
    platform,
    status,
    eventName: platform === 'meta_capi' ? 'PageView' : 'signup',
    eventId: `evt-${platform}-${at.getTime().toString(36)}`,
    timestamp: Timestamp.fromDate(at),
    errorCode: status === 'failed' ? 'OAuthException_190' : null,
  };
}

export function provider(id: string, fields: { isAvailable: boolean; rating: number; status?: 'active' | 'pending' | 'suspended' }): Doc {
  return { id, status: fields.status ?? 'active', isAvailable: fields.isAvailable, rating: fields.rating, ratingCount: 12, updatedAt: Timestamp.now() };
}

export function booking(at: Date, status: 'pending' | 'confirmed' | 'completed' | 'cancelled' = 'confirmed'): Doc {
  return { createdAt: Timestamp.fromDate(at), status, providerId: 'provider-1', clientId: 'client-1', amount: 50, currency: 'EUR' };
}

export function commission(createdAt: Date, status: 'pending' | 'paid' | 'cancelled' = 'pending'): Doc {
  return { createdAt: Timestamp.fromDate(createdAt), status, providerId: 'provider-1', bookingId: 'booking-1', amount: 40, currency: 'EUR', paidAt: null };
}

/** n documents, the i-th built by make(i). */
export function times(n: number, make: (index: number) => Doc): Doc[] {
  return Array.from({ length: n }, (_, index) => make(index));
}

/** Writes documents to the functional collections. */
export async function seedFunctional(
  db: Firestore,
  data: Partial<Record<'analytics_events' | 'form_errors' | 'tracking_events' | 'providers' | 'bookings' | 'commissions', Doc[]>>,
): Promise<void> {
  for (const [collection, docs] of Object.entries(data)) if (docs?.length) await writeAll(db, collection, docs);
}

/** Attempts and successes of one blocked-rule subject over `days` (default 14). */
export type LearnedFigures = { attempts: number; successes: number; days?: number };

/**
 * The learned rates document as the metrics job writes it (monitoring_baselines/blocked), for tests
 * and the demo that start with an app that already has a history. Subjects: form name, or '-'.
 */
export async function seedLearnedRates(db: Firestore, rules: Record<string, Record<string, LearnedFigures>>, at = new Date()): Promise<void> {
  const stored = Object.fromEntries(
    Object.entries(rules).map(([ruleId, subjects]) => [
      ruleId,
      Object.fromEntries(Object.entries(subjects).map(([key, figures]) => [key, { days: 14, ...figures, learnedAt: at.toISOString() }])),
    ]),
  );
  await db
    .collection(BASELINES_COLLECTION)
    .doc(BLOCKED_RATES_DOC)
    .set({ learnedAt: Timestamp.fromDate(at), rules: stored });
}

/**
 * A history in which every blocked subject converts 9 attempts in 10: the learned count is then the
 * rule's minimum (its threshold: 10 page views, 20 searches, 20 checkouts), as in the specification.
 */
export const HIGH_CONVERSION_HISTORY: Record<string, Record<string, LearnedFigures>> = {
  signup_blocked: { signup_client: { attempts: 1_000, successes: 900 }, signup_provider: { attempts: 1_000, successes: 900 } },
  booking_blocked: { [NO_KEY]: { attempts: 1_000, successes: 900 } },
  payment_flow_blocked: { [NO_KEY]: { attempts: 1_000, successes: 900 } },
};

export const functionalScenario: ScenarioPart = {
  name: 'functional',
  story: [
    'Provider signups stopped converting 5 h ago: 25 page views, 16 valid submits, 0 accounts created, on a form that usually converts half of its (invited) visitors (client signups are fine).',
    'The Meta Conversions API sender has failed every call for 12 h (expired token) while the site has traffic.',
    'Only 2 of 14 active providers accept bookings; most of the best-rated are away.',
    'The provider_profile form rejects valid phone numbers (7 errors for 25 submits); contact_form is fine.',
    'Bookings, checkout, payment errors, Google Ads and commissions are healthy.',
  ],
  async seed({ db, now }) {
    const within = (hours: number, index: number, count: number) => minutesAgo(now, 5 + Math.floor((index * (hours * 60 - 10)) / count));
    const signup = (role: string) => ({ formName: `signup_${role}`, userRole: role, page: `/signup/${role}` });
    const events: Doc[] = [
      // Client signup: healthy.
      ...times(24, (i) => analyticsEvent('signup_page_view', within(5, i, 24), signup('client'))),
      ...times(18, (i) => analyticsEvent('signup_form_start', within(5, i, 18), signup('client'))),
      ...times(15, (i) => analyticsEvent('signup_form_submit', within(5, i, 15), signup('client'))),
      ...times(6, (i) => analyticsEvent('signup_success', within(5, i, 6), { ...signup('client'), userId: `client-${i}` })),
      // Provider signup: worked this morning, broken for 5 h.
      ...times(4, (i) => analyticsEvent('signup_success', hoursAgo(now, 8 + i), { ...signup('provider'), userId: `provider-new-${i}` })),
      ...times(25, (i) => analyticsEvent('signup_page_view', within(5, i, 25), signup('provider'))),
      ...times(20, (i) => analyticsEvent('signup_form_start', within(5, i, 20), signup('provider'))),
      ...times(16, (i) => analyticsEvent('signup_form_submit', within(5, i, 16), signup('provider'))),
      ...times(16, (i) =>
        analyticsEvent('signup_error', within(5, i, 16), { ...signup('provider'), metadata: { errorCode: 'functions/internal', errorMessage: 'internal' } }),
      ),
      // Other forms.
      ...times(25, (i) => analyticsEvent('form_submit', within(20, i, 25), { formName: 'contact_form', page: '/contact', metadata: { valid: true } })),
      ...times(25, (i) =>
        analyticsEvent('form_submit', within(20, i, 25), { formName: 'provider_profile', page: '/account/profile', metadata: { valid: i >= 7 } }),
      ),
      // Booking funnel: healthy.
      ...times(30, (i) => analyticsEvent('booking_search', within(40, i, 30), { page: '/providers', metadata: { specialty: 'lawyer' } })),
      ...times(12, (i) => analyticsEvent('booking_start', within(20, i, 12), { metadata: { providerId: 'provider-1', amount: 50, currency: 'EUR' } })),
      ...times(2, (i) => analyticsEvent('booking_error', within(20, i, 2), { metadata: { errorCode: 'slot_taken' } })),
      // Payment flow: healthy.
      ...times(22, (i) => analyticsEvent('checkout_start', within(20, i, 22), { page: '/checkout', metadata: { amount: 50, currency: 'EUR' } })),
      ...times(10, (i) => analyticsEvent('payment_success', within(20, i, 10), { page: '/checkout', metadata: { paymentId: `pay-${i}`, method: 'stripe' } })),
      ...times(2, (i) => analyticsEvent('payment_error', within(20, i, 2), { page: '/checkout', metadata: { errorCode: 'card_declined', method: 'stripe' } })),
    ];
    await seedFunctional(db, {
      analytics_events: events,
      form_errors: [
        formError('contact_form', hoursAgo(now, 3), 'message', 'required'),
        ...times(7, (i) => formError('provider_profile', within(20, i, 7), 'phone', 'pattern')),
      ],
      tracking_events: [
        ...times(3, (i) => trackingEvent('meta_capi', 'sent', hoursAgo(now, 14 + i))),
        ...times(12, (i) => trackingEvent('meta_capi', 'failed', within(12, i, 12))),
        ...times(4, (i) => trackingEvent('google_ads', 'sent', within(20, i, 4))),
      ],
      providers: times(14, (i) => provider(`provider-${i + 1}`, { isAvailable: i === 3 || i === 11, rating: 4.9 - i * 0.1 })),
      bookings: times(5, (i) => booking(within(40, i, 5))),
      commissions: [...times(4, (i) => commission(daysAgo(now, 9 + i))), ...times(6, (i) => commission(daysAgo(now, 2 + i)))],
    });
    // The ten days before the last three: the history the metrics job learns the usual rates from
    // (client signup converts 1 visitor in 15, provider signup, by invitation, 1 in 2).
    const past = (index: number, count: number) => hoursAgo(now, 72 + Math.floor((index * 240) / count));
    await seedFunctional(db, {
      analytics_events: [
        ...times(300, (i) => analyticsEvent('signup_page_view', past(i, 300), signup('client'))),
        ...times(20, (i) => analyticsEvent('signup_success', past(i, 20), { ...signup('client'), userId: `client-old-${i}` })),
        ...times(28, (i) => analyticsEvent('signup_page_view', past(i, 28), signup('provider'))),
        ...times(20, (i) => analyticsEvent('signup_success', past(i, 20), { ...signup('provider'), userId: `provider-old-${i}` })),
        ...times(150, (i) => analyticsEvent('booking_search', past(i, 150), { page: '/providers' })),
        ...times(60, (i) => analyticsEvent('checkout_start', past(i, 60), { page: '/checkout' })),
        ...times(40, (i) => analyticsEvent('payment_success', past(i, 40), { page: '/checkout', metadata: { paymentId: `old-${i}`, method: 'stripe' } })),
      ],
      bookings: times(25, (i) => booking(past(i, 25))),
    });
    await writeAll(db, 'tracking_status', [{ id: 'meta_capi', qualityScore: 68, qualityScoreUpdatedAt: Timestamp.fromDate(hoursAgo(now, 3)) }]);
  },
};
