/**
 * The client tracking module (client/functionalAnalytics.ts) through the real Firebase Web SDK,
 * connected to the same emulator as the monitor: the documents it writes, what it refuses to send,
 * how it behaves when Firestore is unreachable, and a tracking call that ends as an alert.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { resolve } from 'node:path';
import { deleteApp, initializeApp, type FirebaseApp } from 'firebase/app';
import { connectFirestoreEmulator, getFirestore, setLogLevel, terminate, type Firestore as WebFirestore } from 'firebase/firestore';
import type { Firestore, Timestamp } from 'firebase-admin/firestore';
import * as client from '../../client/functionalAnalytics';
import { FunctionalAnalytics, type FunctionalAnalyticsOptions } from '../../client/functionalAnalytics';
import { freePort } from '../dev/emulator';
import { HIGH_CONVERSION_HISTORY, provider, seedFunctional, seedLearnedRates, times, trackingEvent } from '../dev/scenario/functional';
import type { AlertDoc } from '../src/alerts/model';
import { EVENT_TYPES } from '../src/monitors/functional/data';
import { SOURCE_MODEL } from '../src/sources/model';
import { runJob } from '../src/pipeline/run';
import { allDocs, closeFirebase, freshProject } from './support/firebase';

setLogLevel('silent');

let db: Firestore;
const apps: FirebaseApp[] = [];
let appCounter = 0;

/** A Web SDK Firestore for the current test project, on the given host (the emulator by default). */
function webFirestore(host = process.env.FIRESTORE_EMULATOR_HOST!): WebFirestore {
  appCounter += 1;
  const app = initializeApp({ projectId: process.env.GCLOUD_PROJECT!, apiKey: 'demo-key', appId: 'demo-app' }, `web-${appCounter}`);
  apps.push(app);
  const firestore = getFirestore(app);
  const [hostname, port] = host.split(':');
  connectFirestoreEmulator(firestore, hostname, Number(port));
  return firestore;
}

function tracker(options: FunctionalAnalyticsOptions = {}, firestore: WebFirestore | null = webFirestore()): FunctionalAnalytics {
  return new FunctionalAnalytics(firestore, { sessionId: 'session-1', getPage: () => '/signup/provider', flushDelayMs: 10, ...options });
}

beforeEach(async () => {
  db = await freshProject();
});
afterEach(async () => {
  await Promise.all(
    apps.splice(0).map(async (app) => {
      await terminate(getFirestore(app));
      await deleteApp(app);
    }),
  );
});
afterAll(closeFirebase);

type Stored = Record<string, unknown> & { timestamp: Timestamp; metadata: Record<string, unknown> };
const stored = async (collection: string) => {
  const docs = await allDocs<Stored>(db, collection);
  return docs.map(({ _id, ...data }) => data as Stored);
};
const withoutTime = ({ timestamp, ...rest }: Stored) => {
  expect(timestamp.toMillis()).toBeGreaterThan(Date.now() - 60_000);
  return rest;
};
const byType = (docs: Stored[], type: string) => docs.filter((item) => item.eventType === type).map(withoutTime);

describe('documents written', () => {
  it('every funnel helper writes one analytics_events document with exactly the documented fields', async () => {
    const analytics = tracker({ getUser: () => ({ userId: 'uid_123', userRole: 'client' }) });
    analytics.signup.pageView('provider');
    analytics.signup.formStart('provider');
    analytics.signup.formSubmit('provider');
    analytics.signup.success('uid_new', 'provider');
    analytics.signup.error('auth/email-already-in-use', 'Email already used', 'provider');
    analytics.booking.search({ specialty: 'lawyer', country: 'FR', online: true, maxPrice: 80 });
    analytics.booking.providerView('provider_42');
    analytics.booking.start('provider_42', 50, 'eur');
    analytics.booking.complete('booking_9', 'provider_42', 50, 'EUR');
    analytics.booking.error('slot_taken', undefined, 'provider_42');
    analytics.payment.checkoutStart(50, 'EUR');
    analytics.payment.methodSelected('stripe');
    analytics.payment.attempt('pi_1', 50, 'EUR', 'stripe');
    analytics.payment.success('pi_1', 50, 'EUR', 'stripe');
    analytics.payment.error('card_declined', 'Your card was declined.', 'pi_2', 'stripe');
    analytics.trackFormSubmit('contact_form');
    await analytics.flush();

    expect(analytics.stats).toEqual({ sent: 16, dropped: 0, queued: 0 });
    const docs = await stored('analytics_events');
    expect(docs.map((item) => item.eventType).sort()).toEqual([...EVENT_TYPES].sort());
    const fields = ['eventType', 'formName', 'metadata', 'page', 'sessionId', 'timestamp', 'userId', 'userRole'];
    for (const item of docs) expect(Object.keys(item).sort()).toEqual(fields);

    const common = { sessionId: 'session-1', page: '/signup/provider' };
    const signup = { ...common, formName: 'signup_provider', userRole: 'provider', userId: 'uid_123' };
    expect(byType(docs, 'signup_page_view')).toEqual([{ ...signup, eventType: 'signup_page_view', metadata: {} }]);
    expect(byType(docs, 'signup_success')).toEqual([{ ...signup, eventType: 'signup_success', userId: 'uid_new', metadata: {} }]);
    expect(byType(docs, 'signup_error')).toEqual([
      { ...signup, eventType: 'signup_error', metadata: { errorCode: 'auth/email-already-in-use', errorMessage: 'Email already used' } },
    ]);
    const user = { ...common, formName: null, userRole: 'client', userId: 'uid_123' };
    expect(byType(docs, 'booking_search')).toEqual([
      { ...user, eventType: 'booking_search', metadata: { specialty: 'lawyer', country: 'FR', online: true, maxPrice: 80 } },
    ]);
    expect(byType(docs, 'booking_start')).toEqual([
      { ...user, eventType: 'booking_start', metadata: { providerId: 'provider_42', amount: 50, currency: 'EUR' } },
    ]);
    expect(byType(docs, 'booking_complete')).toEqual([
      { ...user, eventType: 'booking_complete', metadata: { bookingId: 'booking_9', providerId: 'provider_42', amount: 50, currency: 'EUR' } },
    ]);
    expect(byType(docs, 'booking_error')).toEqual([
      { ...user, eventType: 'booking_error', metadata: { errorCode: 'slot_taken', errorMessage: '', providerId: 'provider_42' } },
    ]);
    expect(byType(docs, 'payment_success')).toEqual([
      { ...user, eventType: 'payment_success', metadata: { paymentId: 'pi_1', amount: 50, currency: 'EUR', method: 'stripe' } },
    ]);
    expect(byType(docs, 'payment_error')).toEqual([
      {
        ...user,
        eventType: 'payment_error',
        metadata: { errorCode: 'card_declined', errorMessage: 'Your card was declined.', paymentId: 'pi_2', method: 'stripe' },
      },
    ]);
    expect(byType(docs, 'form_submit')).toEqual([{ ...user, eventType: 'form_submit', formName: 'contact_form', metadata: { valid: true } }]);
  });

  it('the react-hook-form onError adapter records one failed attempt: a form_submit and one form_errors document', async () => {
    const analytics = tracker();
    const onError = analytics.createFormErrorHandler('provider_profile');
    // The shape react-hook-form passes: nested objects, field arrays, DOM refs.
    onError({
      phone: { type: 'pattern', message: 'Invalid phone number', ref: { name: 'phone' } },
      address: { city: { type: 'required', message: 'Required', ref: {} } },
      languages: [undefined, { code: { type: 'minLength', message: 'Too short' } }],
    });
    await analytics.flush();

    const [submit] = await stored('analytics_events');
    expect(withoutTime(submit)).toEqual({
      eventType: 'form_submit',
      formName: 'provider_profile',
      metadata: { valid: false },
      sessionId: 'session-1',
      page: '/signup/provider',
      userId: null,
      userRole: null,
    });
    const [error, ...others] = await stored('form_errors');
    expect(others).toHaveLength(0);
    expect(withoutTime(error)).toEqual({
      formName: 'provider_profile',
      fieldName: 'phone',
      errorType: 'pattern',
      errorMessage: 'Invalid phone number',
      sessionId: 'session-1',
      url: '',
      invalidFields: ['phone', 'address.city', 'languages.1.code'],
    });
  });

  it("the module-level API (the specification's usage) writes through the tracker set up by initFunctionalAnalytics", async () => {
    client.signupFunnelTracking.pageView('client');
    client.trackGenericFormError('contact_form', 'email', 'invalid', 'Email invalide');
    expect(client.functionalAnalytics.stats.queued).toBe(2);
    client.initFunctionalAnalytics(webFirestore(), { flushDelayMs: 10, getPage: () => '/contact' });
    client.bookingFunnelTracking.providerView('provider_1');
    client.paymentFunnelTracking.methodSelected('paypal');
    client.createFormErrorHandler('contact_form')({ message: { type: 'required' } });
    await client.functionalAnalytics.flush();

    expect((await stored('analytics_events')).map((item) => item.eventType).sort()).toEqual([
      'booking_provider_view',
      'form_submit',
      'payment_method_selected',
      'signup_page_view',
    ]);
    expect((await stored('form_errors')).map((item) => [item.fieldName, item.errorType, item.errorMessage]).sort()).toEqual([
      ['email', 'invalid', 'Email invalide'],
      ['message', 'required', ''],
    ]);
  });

  it('uses the vocabulary and collections the monitor reads', () => {
    expect([...client.EVENT_TYPES]).toEqual([...EVENT_TYPES]);
    expect(client.ANALYTICS_COLLECTIONS).toEqual({ events: SOURCE_MODEL.analyticsEvents.collection, formErrors: SOURCE_MODEL.formErrors.collection });
  });

  it('firestore.rules lets clients create exactly these event types and fields', () => {
    // The embedded emulator does not enforce security rules: this only keeps the lists in step.
    const rules = readFileSync(resolve(__dirname, '..', '..', 'firestore.rules'), 'utf8');
    const list = (text: string) => [...text.matchAll(/'([a-zA-Z_]+)'/g)].map((match) => match[1]).sort();
    const eventTypes = /data\.eventType in \[([^\]]*)\]/.exec(rules)?.[1] ?? '';
    expect(list(eventTypes)).toEqual([...EVENT_TYPES].sort());
    const [eventFields, , errorFields] = [...rules.matchAll(/keys\(\)\.has(?:Only|All)\(\[([^\]]*)\]\)/g)].map((match) => list(match[1]));
    expect(eventFields).toEqual(['eventType', 'formName', 'metadata', 'page', 'sessionId', 'timestamp', 'userId', 'userRole']);
    expect(errorFields).toEqual(['errorMessage', 'errorType', 'fieldName', 'formName', 'invalidFields', 'sessionId', 'timestamp', 'url']);
  });
});

describe('no personal data beyond ids', () => {
  it('masks emails, phone numbers and URLs in messages, drops free text, query strings and malformed ids', async () => {
    const analytics = tracker({ getPage: () => '/checkout?email=jean.dupont@example.com#card', getUser: () => ({ userId: 'jean.dupont@example.com' }) });
    analytics.signup.error(
      'auth/email-already-in-use',
      'jean.dupont@example.com is taken, call +33 6 12 34 56 78 or see https://app.example.com/reset?token=abc',
    );
    analytics.booking.search({ specialty: 'lawyer', query: 'Jean Dupont avocat Paris', 'bad key': 'x', note: 'free text here' });
    analytics.payment.error('Carte refusée pour Jean Dupont', 'Card 4242 4242 4242 4242 declined', 'pi_1');
    analytics.booking.providerView('Jean Dupont');
    analytics.trackGenericFormError('contact_form', 'email', 'invalid', 'Address jean@example.org is invalid\nsecond line');
    await analytics.flush();

    const docs = await stored('analytics_events');
    const all = JSON.stringify([...docs, ...(await stored('form_errors'))]);
    expect(all).not.toMatch(/jean|dupont|@example|4242|6 12 34|token=|\?email/i);
    for (const item of docs) expect(item).toMatchObject({ page: '/checkout', userId: null });
    expect(docs.find((item) => item.eventType === 'signup_error')?.metadata).toEqual({
      errorCode: 'auth/email-already-in-use',
      errorMessage: '[email] is taken, call [number] or see [url]',
    });
    expect(docs.find((item) => item.eventType === 'booking_search')?.metadata).toEqual({ specialty: 'lawyer' });
    expect(docs.find((item) => item.eventType === 'payment_error')?.metadata).toEqual({
      errorCode: 'unrecognized',
      errorMessage: 'Card [number] declined',
      paymentId: 'pi_1',
      method: null,
    });
    expect(docs.find((item) => item.eventType === 'booking_provider_view')?.metadata).toEqual({ providerId: null });
    expect((await stored('form_errors'))[0]).toMatchObject({ errorMessage: 'Address [email] is invalid second line' });
  });
});

describe('never blocking the page', () => {
  it('Firestore refusing connections: calls return at once without throwing, the batch is dropped and reported', async () => {
    const port = await freePort();
    const errors: unknown[] = [];
    const analytics = tracker({ timeoutMs: 5_000, onError: (error) => errors.push(error) }, webFirestore(`127.0.0.1:${port}`));
    const started = Date.now();
    for (let i = 0; i < 5; i += 1) analytics.signup.pageView('client');
    expect(Date.now() - started).toBeLessThan(50);
    await analytics.flush();

    expect(analytics.stats).toEqual({ sent: 0, dropped: 5, queued: 0 });
    expect(errors).toHaveLength(1);
    expect(String(errors[0])).toMatch(/unavailable|ECONNREFUSED/i);
  });

  it('Firestore never answering: the write is abandoned after the timeout', async () => {
    // Accepts TCP connections and never says a word.
    const sockets: Socket[] = [];
    const silent: Server = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as { port: number };
    try {
      const errors: unknown[] = [];
      const analytics = tracker({ timeoutMs: 300, onError: (error) => errors.push(error) }, webFirestore(`127.0.0.1:${port}`));
      analytics.booking.search({ specialty: 'lawyer' });
      const started = Date.now();
      await analytics.flush();
      expect(Date.now() - started).toBeLessThan(3_000);
      expect(analytics.stats).toEqual({ sent: 0, dropped: 1, queued: 0 });
      expect(String(errors[0])).toMatch(/did not settle within 300 ms/);
    } finally {
      sockets.forEach((socket) => socket.destroy());
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it('keeps a bounded queue: beyond maxQueue events are dropped, not accumulated', async () => {
    const analytics = tracker({ maxQueue: 5 }, null);
    for (let i = 0; i < 8; i += 1) analytics.booking.search();
    expect(analytics.stats).toEqual({ sent: 0, dropped: 3, queued: 5 });
    analytics.configure(webFirestore(), { flushDelayMs: 10, batchSize: 2 });
    await analytics.flush();
    expect(analytics.stats).toEqual({ sent: 5, dropped: 3, queued: 0 });
    expect(await stored('analytics_events')).toHaveLength(5);
  });

  it('bad input and a throwing hook never escape', () => {
    const analytics = tracker(
      {
        getUser: () => {
          throw new Error('auth not ready');
        },
        getPage: () => {
          throw new Error('no router');
        },
      },
      null,
    );
    expect(() => {
      analytics.booking.start(undefined as unknown as string, Number.NaN, 'euros');
      analytics.createFormErrorHandler('form')(null as unknown as object);
      analytics.trackGenericFormError(42 as unknown as string, {} as unknown as string, '', undefined);
    }).not.toThrow();
    expect(analytics.stats.queued).toBe(4);
  });
});

describe('from a tracking call to an alert', () => {
  it('provider signups tracked by the module with no success open signup_blocked; a bad form opens form_error_rate for that form only', async () => {
    const analytics = tracker({ getPage: () => '/signup/provider' });
    for (let i = 0; i < 12; i += 1) {
      analytics.signup.pageView('provider');
      analytics.signup.pageView('client');
    }
    for (let i = 0; i < 4; i += 1) {
      analytics.signup.formStart('provider');
      analytics.signup.formSubmit('provider');
      analytics.signup.error('functions/internal', 'internal', 'provider');
    }
    analytics.signup.success('uid_client_1', 'client');
    const profileErrors = analytics.createFormErrorHandler('provider_profile');
    for (let i = 0; i < 20; i += 1) {
      if (i < 3) profileErrors({ phone: { type: 'pattern', message: 'Invalid phone' } });
      else analytics.trackFormSubmit('provider_profile');
      analytics.trackFormSubmit('contact_form');
    }
    await analytics.flush();
    expect(analytics.stats.dropped).toBe(0);
    // Healthy surroundings: bookable providers, ad tracking alive; forms that usually convert 9 visitors in 10 (issue 20).
    await seedLearnedRates(db, HIGH_CONVERSION_HISTORY);
    await seedFunctional(db, {
      providers: times(3, (i) => provider(`p${i}`, { isAvailable: true, rating: 4 })),
      tracking_events: [trackingEvent('meta_capi', 'sent', new Date()), trackingEvent('google_ads', 'sent', new Date())],
    });

    // The events carry server timestamps: evaluate just after them.
    const result = await runJob('functional', { trigger: 'test', now: new Date(Date.now() + 1_000), options: { check: 'all' } });

    const open = (await allDocs<AlertDoc>(db, 'functional_alerts')).filter((alert) => !alert.resolved);
    expect(open.map((alert) => [alert.ruleId, alert.key, alert.severity, alert.value]).sort()).toEqual([
      ['form_error_rate', 'provider_profile', 'warning', 15],
      ['signup_blocked', 'signup_provider', 'emergency', 12],
    ]);
    // signup_blocked counts the page views since the form's last signup (issue 10): none after the client's.
    expect(result.evaluations.find((item) => item.ruleId === 'signup_blocked' && item.key === 'signup_client')).toMatchObject({ status: 'ok', value: 0 });
    expect(result.evaluations.find((item) => item.ruleId === 'form_error_rate' && item.key === 'contact_form')).toBeUndefined();
    const signup = open.find((alert) => alert.ruleId === 'signup_blocked')!;
    expect(signup.message).toBe(
      "12 visitors on signup_provider since the last signup (at least 72 h; 4 valid form submits); at this form's usual 90 % conversion that happens less than once a year.",
    );
  });
});
