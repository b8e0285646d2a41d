import { Timestamp, type Firestore } from 'firebase-admin/firestore';
import type { MonitoringConfig } from '../../../src/config/schema';
import { EVENT_TYPES, FORM_SUBMIT_EVENTS, type EventType } from '../../../src/monitors/functional/data';
import { analyticsEvent, booking, commission, formError, provider, trackingEvent } from '../../scenario/functional';
import { prng } from '../prng';
import { scanCollection, writeBatches, type Workload } from './types';

const HOUR = 3_600_000;
const FORMS = ['contact_form', 'provider_profile', 'booking_form', 'signup_client', 'signup_provider'];
const ms = (value: unknown) => (value instanceof Timestamp ? value.toMillis() : Number.NaN);

/** analytics_events, form_errors, tracking_events, providers, bookings and commissions over 7 days. */
export const functionalWorkload: Workload = {
  job: 'functional',
  collections: ['analytics_events', 'form_errors', 'tracking_events', 'providers', 'bookings', 'commissions'],
  async seed(db: Firestore, n: number, now: Date) {
    const random = prng(7);
    const at = () => new Date(now.getTime() - random.between(0, 7 * 24) * HOUR);
    const weights: Array<[EventType, number]> = EVENT_TYPES.map((type) => [
      type,
      type === 'booking_search' || type === 'signup_page_view' ? 8 : type === 'payment_error' ? 1 : 3,
    ]);
    const events = Array.from({ length: n }, () => {
      const eventType = random.pick(weights);
      const formName = eventType.startsWith('signup_')
        ? random.pick([
            ['signup_client', 3],
            ['signup_provider', 1],
          ])
        : eventType === 'form_submit'
          ? random.pick(FORMS.map((form) => [form, 1] as [string, number]))
          : null;
      const metadata =
        eventType === 'payment_error'
          ? {
              errorCode: random.pick([
                ['card_declined', 5],
                ['insufficient_funds', 2],
                ['processing_error', 1],
              ]),
            }
          : {};
      return analyticsEvent(eventType, at(), { formName, metadata, sessionId: `s-${Math.floor(random.next() * n)}` });
    });
    await writeBatches(db, 'analytics_events', events);
    await writeBatches(
      db,
      'form_errors',
      Array.from({ length: n }, () => formError(random.pick(FORMS.map((form) => [form, 1] as [string, number])), at())),
    );
    await writeBatches(
      db,
      'tracking_events',
      Array.from({ length: n }, () =>
        trackingEvent(
          random.pick([
            ['meta_capi', 3],
            ['google_ads', 1],
          ]),
          random.pick([
            ['sent', 19],
            ['failed', 1],
          ]),
          at(),
        ),
      ),
    );
    await writeBatches(
      db,
      'providers',
      Array.from({ length: n }, (_, i) => {
        const { id, ...fields } = provider(`p-${i}`, {
          isAvailable: random.next() < 0.6,
          rating: Math.round(random.between(1, 5) * 1e6) / 1e6,
          status: random.pick([
            ['active', 8],
            ['pending', 1],
            ['suspended', 1],
          ]),
        });
        void id;
        return fields;
      }),
    );
    await writeBatches(
      db,
      'bookings',
      Array.from({ length: n }, () =>
        booking(
          at(),
          random.pick([
            ['confirmed', 6],
            ['completed', 3],
            ['cancelled', 1],
          ]),
        ),
      ),
    );
    await writeBatches(
      db,
      'commissions',
      Array.from({ length: n }, () =>
        commission(
          new Date(now.getTime() - random.between(0, 30 * 24) * HOUR),
          random.pick([
            ['paid', 8],
            ['pending', 2],
          ]),
        ),
      ),
    );
  },

  async scan(db: Firestore, now: Date, config: MonitoringConfig) {
    const [events, errors, tracking, providers, bookings, commissions] = await Promise.all(this.collections.map((name) => scanCollection(db, name)));
    const t = now.getTime();
    const p = (rule: string) => config.rules[rule].params;
    const inWindow = (doc: Record<string, unknown>, hours: number, field = 'timestamp') => ms(doc[field]) >= t - hours * HOUR && ms(doc[field]) < t;
    const count = (hours: number, type: string, form?: string) =>
      events.filter((doc) => doc.eventType === type && (form === undefined || doc.formName === form) && inWindow(doc, hours)).length;
    const pct = (part: number, whole: number) => (whole > 0 ? (part * 100) / whole : null);
    const values: Record<string, number> = {};
    const set = (name: string, value: number | null) => {
      if (value !== null) values[name] = value;
    };
    /** Attempts since the last success (at most `hours` back), in (since, now]. */
    const sinceLastSuccess = (successes: Array<Record<string, unknown>>, field: string, attempts: Array<Record<string, unknown>>, hours: number) => {
      const last = Math.max(t - hours * HOUR, ...successes.map((doc) => ms(doc[field])).filter((at) => at <= t));
      return attempts.filter((doc) => ms(doc.timestamp) > last && ms(doc.timestamp) <= t).length;
    };
    const ofType = (type: string, form?: string) => events.filter((doc) => doc.eventType === type && (form === undefined || doc.formName === form));
    for (const form of ['signup_client', 'signup_provider']) {
      set(
        `signup_blocked/${form}`,
        sinceLastSuccess(ofType('signup_success', form), 'timestamp', ofType('signup_page_view', form), p('signup_blocked').windowHours),
      );
      const starts = count(p('signup_dropoff_high').windowHours, 'signup_form_start', form);
      set(`signup_dropoff_high/${form}`, pct(Math.max(0, starts - count(p('signup_dropoff_high').windowHours, 'signup_form_submit', form)), starts));
    }
    set('booking_blocked', sinceLastSuccess(bookings, 'createdAt', ofType('booking_search'), p('booking_blocked').windowHours));
    set(
      'booking_failure_rate',
      pct(count(p('booking_failure_rate').windowHours, 'booking_error'), count(p('booking_failure_rate').windowHours, 'booking_start')),
    );
    const active = providers.filter((doc) => doc.status === 'active');
    set('providers_available_low', active.filter((doc) => doc.isAvailable === true).length);
    const top = [...active].sort((a, b) => Number(b.rating) - Number(a.rating)).slice(0, p('top_rated_unavailable').topCount);
    set('top_rated_unavailable', pct(top.filter((doc) => doc.isAvailable !== true).length, top.length));
    const formHours = p('form_error_rate').windowHours;
    for (const form of new Set(errors.filter((doc) => inWindow(doc, formHours)).map((doc) => String(doc.formName)))) {
      const attempts = events.filter(
        (doc) => doc.formName === form && FORM_SUBMIT_EVENTS.includes(doc.eventType as EventType) && inWindow(doc, formHours),
      ).length;
      set(`form_error_rate/${form}`, pct(errors.filter((doc) => doc.formName === form && inWindow(doc, formHours)).length, attempts));
    }
    const sent = (platform: string, hours: number) =>
      tracking.filter((doc) => doc.platform === platform && doc.status === 'sent' && inWindow(doc, hours)).length;
    set('meta_capi_inactive', sent('meta_capi', p('meta_capi_inactive').windowHours));
    set('google_ads_inactive', sent('google_ads', p('google_ads_inactive').windowHours));
    const conversionHours = p('payment_flow_conversion_low').windowHours;
    set('payment_flow_conversion_low', pct(count(conversionHours, 'payment_success'), count(conversionHours, 'checkout_start')));
    set('payment_flow_blocked', sinceLastSuccess(ofType('payment_success'), 'timestamp', ofType('checkout_start'), p('payment_flow_blocked').windowHours));
    const byCode = new Map<string, number>();
    for (const doc of events.filter((event) => event.eventType === 'payment_error' && inWindow(event, p('payment_flow_error_repeated').windowHours))) {
      const code = String((doc.metadata as { errorCode?: string } | undefined)?.errorCode ?? 'unknown');
      byCode.set(code, (byCode.get(code) ?? 0) + 1);
    }
    for (const [code, total] of byCode) set(`payment_flow_error_repeated/${code}`, total);
    set(
      'commissions_pending_overdue',
      commissions.filter((doc) => doc.status === 'pending' && ms(doc.createdAt) < t - p('commissions_pending_overdue').maxAgeDays * 24 * HOUR).length,
    );
    return {
      values,
      documents: events.length + errors.length + tracking.length + providers.length + bookings.length + commissions.length,
      queries: this.collections.length,
    };
  },
};

/** The critical subset on the same data (no seeding of its own). */
export const functionalCriticalWorkload: Workload = {
  job: 'functional-critical',
  collections: [],
  seed: async () => undefined,
  async scan(db, now, config) {
    const full = await functionalWorkload.scan(db, now, config);
    const critical = [
      'signup_blocked',
      'booking_blocked',
      'booking_failure_rate',
      'providers_available_low',
      'payment_flow_conversion_low',
      'payment_flow_blocked',
      'payment_flow_error_repeated',
    ];
    const values = Object.fromEntries(Object.entries(full.values).filter(([name]) => critical.includes(name.split('/')[0])));
    // The naive critical check still has to download the collections it reads.
    const [events, providers, bookings] = await Promise.all(['analytics_events', 'providers', 'bookings'].map((name) => scanCollection(db, name)));
    return { values, documents: events.length + providers.length + bookings.length, queries: 3 };
  },
};
