/**
 * Unexpected failures: reported to Sentry (flushed before the call answers), logged with the
 * structured logger, answered as `internal` with a reference and no detail.
 */
import * as functionsLogger from 'firebase-functions/logger';
import { HttpsError } from 'firebase-functions/v2/https';
import { getActiveAlerts, getSystemHealthSummary, updateThresholds } from '../src/index';
import { Meter } from '../src/platform/firestore';
import { resetErrorReporting } from '../src/platform/sentry';
import { ADMIN, callError } from './support/admin';
import { closeFirebase, freshProject } from './support/firebase';
import { useLocalServers } from './support/servers';

// Capture the structured log lines the product writes through the firebase-functions logger.
jest.mock('firebase-functions/logger', () => ({ ...jest.requireActual('firebase-functions/logger'), write: jest.fn() }));

const servers = useLocalServers();

beforeEach(async () => {
  await freshProject();
  await resetErrorReporting();
});
afterEach(() => {
  jest.restoreAllMocks();
  jest.mocked(functionsLogger.write).mockClear();
  process.env.MONITORING_LOG_LEVEL = 'silent';
});
afterAll(async () => {
  await resetErrorReporting();
  await closeFirebase();
});

it('reports an unexpected exception to Sentry, logs it, and answers internal without details', async () => {
  process.env.MONITORING_LOG_LEVEL = 'info';
  jest.spyOn(Meter.prototype, 'count').mockRejectedValue(new Error('DEADLINE_EXCEEDED talking to firestore.googleapis.com with token sk_live_123'));

  const error = await callError(getSystemHealthSummary, {});
  expect(error).toBeInstanceOf(HttpsError);
  expect(error.code).toBe('internal');
  expect(error.message).toMatch(/^Internal error \(reference [0-9a-f]{12}\)/);
  expect(error.message).not.toMatch(/DEADLINE|sk_live/);
  expect(error.details).toBeUndefined();
  const reference = /reference ([0-9a-f]+)/.exec(error.message)![1];

  // Flushed before the call answered: no waiting here.
  const events = servers.current.sentry.events;
  expect(events).toHaveLength(1);
  expect(events[0].exception?.values?.[0].value).toContain('DEADLINE_EXCEEDED');
  expect(events[0].tags).toMatchObject({ source: 'getSystemHealthSummary' });
  expect(JSON.stringify(events[0])).toContain(reference);

  const written = jest.mocked(functionsLogger.write).mock.calls.map(([entry]) => entry);
  expect(written).toContainEqual(
    expect.objectContaining({
      severity: 'ERROR',
      message: 'Admin call failed',
      callable: 'getSystemHealthSummary',
      uid: ADMIN.uid,
      reference,
      outcome: 'internal',
    }),
  );
});

it('does not send input values to Sentry, only the field names', async () => {
  jest.spyOn(Meter.prototype, 'get').mockRejectedValue(new Error('boom'));
  await callError(updateThresholds, { patch: { recipients: { emails: ['private.person@example.com'] } } });
  const [event] = servers.current.sentry.events;
  expect(JSON.stringify(event)).not.toContain('private.person');
  expect(JSON.stringify(event)).toContain('patch');
});

it('does not report expected errors (bad input, refused access)', async () => {
  await callError(getActiveAlerts, { pageSize: 'ten' });
  await callError(getActiveAlerts, {}, null);
  expect(servers.current.sentry.requests).toHaveLength(0);
});
