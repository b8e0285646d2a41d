/**
 * firestore.rules, evaluated by the official Firestore emulator (the embedded one used by `npm test`
 * does not enforce rules). Run: `npm run test:rules` from the repository root; it needs Java and
 * downloads the emulator jar on first use (docs/security.md).
 *
 * Who may do what: any client (signed in, anonymously or not, or not signed in) may only create
 * analytics_events and form_errors documents of the documented shape (docs/data-model.md); nothing
 * else, for anyone, admins included: the dashboard uses the admin callables.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { assertFails, assertSucceeds, initializeTestEnvironment, type RulesTestContext, type RulesTestEnvironment } from '@firebase/rules-unit-testing';
import firebase from 'firebase/compat/app';
import 'firebase/compat/firestore';

let env: RulesTestEnvironment;

beforeAll(async () => {
  if (!process.env.FIRESTORE_EMULATOR_HOST && !process.env.FIREBASE_EMULATOR_HUB) {
    throw new Error('The rules tests need the official Firestore emulator: run `npm run test:rules` (firebase emulators:exec).');
  }
  env = await initializeTestEnvironment({
    projectId: 'demo-rules-test',
    firestore: { rules: readFileSync(resolve(__dirname, '..', '..', 'firestore.rules'), 'utf8') },
  });
});
afterEach(async () => {
  await env.clearFirestore();
});
afterAll(async () => {
  await env?.cleanup();
});

const serverTime = () => firebase.firestore.FieldValue.serverTimestamp();

type Data = Record<string, unknown>;

function analyticsEvent(overrides: Data = {}): Data {
  return {
    eventType: 'signup_form_submit',
    timestamp: serverTime(),
    sessionId: '6f1c2a4e-8f3b-4c1d-9a77-0c5d2b1e9f00',
    userId: null,
    userRole: 'provider',
    page: '/signup/provider',
    formName: 'signup_provider',
    metadata: {},
    ...overrides,
  };
}

function formError(overrides: Data = {}): Data {
  return {
    formName: 'provider_profile',
    fieldName: 'phone',
    errorType: 'pattern',
    errorMessage: 'Invalid phone number',
    timestamp: serverTime(),
    sessionId: '6f1c2a4e-8f3b-4c1d-9a77-0c5d2b1e9f00',
    url: 'https://app.example.com/account/profile',
    invalidFields: ['phone', 'address.city'],
    ...overrides,
  };
}

function without(data: Data, field: string): Data {
  const copy = { ...data };
  delete copy[field];
  return copy;
}

/** The clients the rules must treat alike (but for userId): not signed in, anonymous, signed in, admin claim; with their uid. */
const clients: Array<[string, () => RulesTestContext, string | null]> = [
  ['not signed in', () => env.unauthenticatedContext(), null],
  ['anonymous', () => env.authenticatedContext('anonUid123', { firebase: { sign_in_provider: 'anonymous' } }), 'anonUid123'],
  ['signed in', () => env.authenticatedContext('Zk3vQ9abcDEF123_-', { email: 'user@example.com', email_verified: true }), 'Zk3vQ9abcDEF123_-'],
  ['admin claim', () => env.authenticatedContext('admin-uid', { admin: true }), 'admin-uid'],
];

const db = (client: () => RulesTestContext) => client().firestore();
const x = (length: number) => 'x'.repeat(length);

describe.each(clients)('analytics_events, %s', (_label, client, uid) => {
  it('may create a documented event', async () => {
    await assertSucceeds(db(client).collection('analytics_events').add(analyticsEvent()));
  });

  it.each([
    [
      'booking_search with code-like filters',
      { eventType: 'booking_search', formName: null, userRole: null, metadata: { specialty: 'lawyer', country: 'FR', remote: true, maxPrice: 120 } },
    ],
    [
      'payment_error with masked message',
      { eventType: 'payment_error', formName: null, metadata: { errorCode: 'card_declined', errorMessage: x(120), paymentId: 'pi_123', method: 'card' } },
    ],
    [
      "signup_success with the visitor's own uid (null when not signed in)",
      { eventType: 'signup_success', userId: uid, userRole: 'client', formName: 'signup_client' },
    ],
    ['12 metadata entries at the size limits', { metadata: Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`k${i}${x(37)}`, x(128)])) }],
    ['limits of the top-level strings', { sessionId: x(128), page: `/${x(199)}`, formName: x(64) }],
    [
      'safe names, pages and codes',
      { formName: 'signup/step-2.v1:a_b', page: '/providers/:id/~x%20y+z@a,b=c', metadata: { errorCode: 'auth/email-already-in-use' } },
    ],
    ['an empty page', { page: '' }],
    ['finite numbers', { metadata: { amount: 12.5, count: -3, big: 1e300 } }],
  ])('may create %s', async (_name, overrides) => {
    await assertSucceeds(db(client).collection('analytics_events').add(analyticsEvent(overrides)));
  });

  it.each([
    ['an unknown event type', { eventType: 'page_view' }],
    ['a client-chosen timestamp', { timestamp: new Date() }],
    ['a numeric timestamp', { timestamp: Date.now() }],
    ['an extra field', { ip: '203.0.113.7' }],
    ['a sessionId over 128 characters', { sessionId: x(129) }],
    ['a non-string sessionId', { sessionId: 42 }],
    ['a userId that is not an id', { userId: 'jean.dupont@example.com' }],
    ['a userId over 128 characters', { userId: 'a'.repeat(129) }],
    ["another visitor's userId", { userId: 'someone-else' }],
    ['a formName with a Slack mention', { formName: '<!channel>' }],
    ['a formName with a disguised link', { formName: '<https://evil.example|Open runbook>' }],
    ['a formName with a space or a line break', { formName: 'contact form\nx' }],
    ['a formName starting with a separator', { formName: '-contact' }],
    ['an empty formName', { formName: '' }],
    ['a page with markup', { page: '/<script>' }],
    ['a page that is not a path', { page: 'javascript:alert(1)' }],
    ['a metadata errorCode with a mention', { metadata: { errorCode: '<!here>' } }],
    ['a metadata errorCode that is not a string', { metadata: { errorCode: 42 } }],
    ['a NaN metadata value', { metadata: { amount: Number.NaN } }],
    ['an infinite metadata value', { metadata: { amount: Number.POSITIVE_INFINITY } }],
    ['a negative infinite metadata value', { metadata: { amount: Number.NEGATIVE_INFINITY } }],
    ['an unknown role', { userRole: 'superuser' }],
    ['a page over 200 characters', { page: `/${x(200)}` }],
    ['a formName over 64 characters', { formName: x(65) }],
    ['metadata that is not a map', { metadata: 'signup' }],
    ['13 metadata entries', { metadata: Object.fromEntries(Array.from({ length: 13 }, (_, i) => [`k${i}`, 1])) }],
    ['a metadata value over 128 characters', { metadata: { errorMessage: x(129) } }],
    ['a metadata value that is a map', { metadata: { filters: { nested: 'x' } } }],
    ['a metadata value that is a list', { metadata: { ids: ['a', 'b'] } }],
    ['a metadata key that is not an identifier', { metadata: { 'bad key': 'x' } }],
    ['a metadata key over 40 characters', { metadata: { [`k${x(40)}`]: 'x' } }],
  ])('may not create an event with %s', async (_name, overrides) => {
    await assertFails(db(client).collection('analytics_events').add(analyticsEvent(overrides)));
  });

  it.each(['eventType', 'timestamp', 'sessionId', 'userId', 'userRole', 'page', 'formName', 'metadata'])('may not omit %s', async (field) => {
    await assertFails(db(client).collection('analytics_events').add(without(analyticsEvent(), field)));
  });

  it('may not read, list, update or delete events', async () => {
    await env.withSecurityRulesDisabled(async (admin) => {
      await admin
        .firestore()
        .collection('analytics_events')
        .doc('e1')
        .set({ ...analyticsEvent(), timestamp: new Date() });
    });
    const events = db(client).collection('analytics_events');
    await assertFails(events.doc('e1').get());
    await assertFails(events.limit(1).get());
    await assertFails(events.doc('e1').update({ page: '/other' }));
    await assertFails(events.doc('e1').set(analyticsEvent()));
    await assertFails(events.doc('e1').delete());
  });
});

describe.each(clients)('form_errors, %s', (_label, client) => {
  it('may create a documented form error', async () => {
    await assertSucceeds(db(client).collection('form_errors').add(formError()));
  });

  it('may create one at the size limits', async () => {
    await assertSucceeds(
      db(client)
        .collection('form_errors')
        .add(
          formError({
            formName: x(64),
            fieldName: x(64),
            errorType: x(64),
            errorMessage: x(120),
            sessionId: x(128),
            url: x(300),
            invalidFields: Array.from({ length: 20 }, () => x(64)),
          }),
        ),
    );
  });

  it.each([
    ['an extra field', { userAgent: 'Mozilla/5.0' }],
    ['a client-chosen timestamp', { timestamp: new Date() }],
    ['an errorMessage over 120 characters', { errorMessage: x(121) }],
    ['a fieldName over 64 characters', { fieldName: x(65) }],
    ['a url over 300 characters', { url: x(301) }],
    ['21 invalid fields', { invalidFields: Array.from({ length: 21 }, (_, i) => `f${i}`) }],
    ['an invalid field over 64 characters', { invalidFields: ['phone', x(65)] }],
    ['an invalid field that is not a string', { invalidFields: ['phone', 3] }],
    ['invalidFields that is not a list', { invalidFields: 'phone' }],
    ['a null formName', { formName: null }],
    ['a formName with a Slack mention', { formName: '<!channel>' }],
    ['a formName with a line break', { formName: 'contact\nform' }],
    ['a formName with a pipe', { formName: 'a|b' }],
  ])('may not create one with %s', async (_name, overrides) => {
    await assertFails(db(client).collection('form_errors').add(formError(overrides)));
  });

  it.each(['formName', 'fieldName', 'errorType', 'errorMessage', 'timestamp', 'sessionId', 'url', 'invalidFields'])('may not omit %s', async (field) => {
    await assertFails(db(client).collection('form_errors').add(without(formError(), field)));
  });

  it('may not read, update or delete form errors', async () => {
    await env.withSecurityRulesDisabled(async (admin) => {
      await admin
        .firestore()
        .collection('form_errors')
        .doc('f1')
        .set({ ...formError(), timestamp: new Date() });
    });
    const errors = db(client).collection('form_errors');
    await assertFails(errors.doc('f1').get());
    await assertFails(errors.limit(1).get());
    await assertFails(errors.doc('f1').update({ errorType: 'required' }));
    await assertFails(errors.doc('f1').delete());
  });
});

const MONITORING_COLLECTIONS = [
  'payment_alerts',
  'functional_alerts',
  'system_alerts',
  'payment_metrics',
  'functional_metrics',
  'monitoring_config',
  'monitoring_alert_state',
  'monitoring_deliveries',
  'monitoring_silences',
  'monitoring_runs',
  'monitoring_jobs',
  'monitoring_locks',
  'monitoring_admin_actions',
  'monitoring_test_notifications',
  'error_logs',
];

describe.each(clients)('monitoring data, %s', (_label, client) => {
  it.each(MONITORING_COLLECTIONS)('%s: no read, list, create, update or delete', async (name) => {
    await env.withSecurityRulesDisabled(async (admin) => {
      await admin.firestore().collection(name).doc('d1').set({ value: 1 });
    });
    const collection = db(client).collection(name);
    await assertFails(collection.doc('d1').get());
    await assertFails(collection.limit(1).get());
    await assertFails(collection.add({ value: 2 }));
    await assertFails(collection.doc('d1').update({ value: 3 }));
    await assertFails(collection.doc('d1').delete());
  });

  it('no access to subcollections either (delivery attempts)', async () => {
    await assertFails(db(client).collection('monitoring_deliveries').doc('d1').collection('attempts').doc('1').set({ outcome: 'sent' }));
    await assertFails(db(client).collection('analytics_events').doc('e1').collection('x').add({ a: 1 }));
  });
});
