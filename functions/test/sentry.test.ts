/** A failing job reports to Sentry (local endpoint, real @sentry/node) before the run returns. */
import type { Firestore } from 'firebase-admin/firestore';
import { JobFailedError } from '../src/pipeline/run';
import { resetErrorReporting } from '../src/platform/sentry';
import { closeFirebase, freshProject } from './support/firebase';
import { at, scriptedJob } from './support/scriptedJob';
import { useLocalServers } from './support/servers';

const servers = useLocalServers();
let db: Firestore;

beforeEach(async () => {
  db = await freshProject();
  await resetErrorReporting();
});
afterAll(async () => {
  await resetErrorReporting();
  await closeFirebase();
});

it('captures the exception with the job and run id, flushed before the run rejects', async () => {
  const job = scriptedJob();
  job.failWith(new Error('payments collection unreachable'));
  const error = await job.run(at('2026-11-20T08:00:00Z')).catch((caught: unknown) => caught);

  expect(error).toBeInstanceOf(JobFailedError);
  const { runId } = error as JobFailedError;
  // No waiting: the event is already at the server when the promise settles.
  const events = servers.current.sentry.events;
  expect(events).toHaveLength(1);
  expect(events[0].exception?.values?.[0]).toMatchObject({ type: 'JobFailedError' });
  expect(events[0].exception?.values?.[0].value).toContain('payments collection unreachable');
  expect(events[0].tags).toMatchObject({ source: 'scripted', runId });

  const record = (await db.collection('monitoring_runs').doc(runId).get()).data()!;
  expect(record).toMatchObject({ outcome: 'failed', error: 'payments collection unreachable' });
  const heartbeat = (await db.collection('monitoring_jobs').doc('scripted').get()).data()!;
  expect(heartbeat).toMatchObject({ lastOutcome: 'failed', consecutiveFailures: 1 });
});

it('sends nothing and does not load Sentry when no DSN is configured', async () => {
  delete process.env.SENTRY_DSN;
  const job = scriptedJob();
  job.failWith(new Error('boom'));
  await expect(job.run(at('2026-11-20T08:00:00Z'))).rejects.toBeInstanceOf(JobFailedError);
  expect(servers.current.sentry.requests).toHaveLength(0);
});
