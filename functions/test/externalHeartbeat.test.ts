/**
 * External heartbeat: each watchdog run pings a dead man's switch outside the project (a local
 * receiver in the healthchecks.io convention), `/start` then the outcome; never failing the run.
 */
import type { Firestore } from 'firebase-admin/firestore';
import { defaultConfig } from '../src/config/schema';
import { findJob, type JobDefinition } from '../src/jobs/catalog';
import { externalPingUrl } from '../src/monitors/system/watchdog';
import { executeRun, JobFailedError, runJob } from '../src/pipeline/run';
import { closeFirebase, freshProject } from './support/firebase';
import { useLocalServers } from './support/servers';

const servers = useLocalServers();
let db: Firestore;
const NOW = new Date('2026-11-20T08:00:00Z');

beforeEach(async () => {
  db = await freshProject();
});
afterAll(closeFirebase);

async function configure(externalHeartbeat: Record<string, unknown>) {
  await db
    .collection('monitoring_config')
    .doc('settings')
    .set({
      recipients: { emails: ['oncall@example.com'], phones: ['+33612345678'] },
      externalHeartbeat,
    });
}

it.each([
  ['https://hc-ping.com/5f1e2d3c', 'start', 'https://hc-ping.com/5f1e2d3c/start'],
  ['https://hc-ping.com/5f1e2d3c', 'success', 'https://hc-ping.com/5f1e2d3c'],
  ['https://hc-ping.com/5f1e2d3c/', 'fail', 'https://hc-ping.com/5f1e2d3c/fail'],
  ['https://hc-ping.com/key/watchdog?create=1', 'fail', 'https://hc-ping.com/key/watchdog/fail?create=1'],
  ['https://example.com', 'success', 'https://example.com/'],
] as const)('%s %s -> %s', (base, ping, expected) => {
  expect(externalPingUrl(base, ping)).toBe(expected);
});

it('a successful watchdog run pings <url>/start, then <url> with a short outcome', async () => {
  const receiver = servers.current.heartbeat;
  await configure({ url: receiver.pingUrl });
  const result = await runJob('watchdog', { trigger: 'test', now: NOW });
  expect(receiver.requests.map((request) => [request.method, request.path])).toEqual([
    ['POST', `/ping/${receiver.uuid}/start`],
    ['POST', `/ping/${receiver.uuid}`],
  ]);
  expect(receiver.pings[0].body).toBe(`run ${result.runId} started`);
  expect(receiver.pings[1].body).toMatch(new RegExp(`^success: run ${result.runId}, 0 opened, 0 resolved, 0 failed deliveries, \\d+ ms$`));
  expect(result.metrics.externalHeartbeat).toEqual([
    { ping: 'start', origin: receiver.url, status: 200, error: null },
    { ping: 'success', origin: receiver.url, status: 200, error: null },
  ]);
});

it('other jobs, dry runs and a configuration without a URL do not ping', async () => {
  const receiver = servers.current.heartbeat;
  await configure({ url: receiver.pingUrl });
  await runJob('cleanup', { trigger: 'test', now: NOW });
  await runJob('watchdog', { trigger: 'test', now: NOW, dryRun: true });
  await configure({});
  await runJob('watchdog', { trigger: 'test', now: NOW });
  expect(receiver.requests).toEqual([]);
});

it('a failed watchdog run pings <url>/fail with its error', async () => {
  const receiver = servers.current.heartbeat;
  const watchdog = findJob('watchdog')!;
  // The real pipeline with a watchdog whose monitor breaks.
  const broken: JobDefinition = {
    ...watchdog,
    load: async () => ({
      run: async () => {
        throw new Error('DEADLINE_EXCEEDED: Firestore unavailable');
      },
    }),
  };
  const config = defaultConfig();
  config.externalHeartbeat.url = receiver.pingUrl;
  const error = await executeRun(broken, { trigger: 'test', now: NOW }, { config }).catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(JobFailedError);
  const result = (error as JobFailedError).result;
  expect(receiver.pings).toEqual([
    { kind: 'start', body: `run ${result.runId} started` },
    { kind: 'fail', body: `failed: run ${result.runId}: DEADLINE_EXCEEDED: Firestore unavailable` },
  ]);
});

it("a dead man's switch that hangs or refuses costs at most its timeout and never fails the run", async () => {
  const receiver = servers.current.heartbeat;
  await configure({ url: receiver.pingUrl, timeoutMs: 500 });
  receiver.fail({ hang: true }, 1);
  receiver.fail({ status: 503 }, 1);
  const started = Date.now();
  const result = await runJob('watchdog', { trigger: 'test', now: NOW });
  expect(result.outcome).toBe('success');
  expect(Date.now() - started).toBeLessThan(5_000);
  expect(result.metrics.externalHeartbeat).toEqual([
    { ping: 'start', origin: receiver.url, status: null, error: 'no answer within 500 ms' },
    { ping: 'success', origin: receiver.url, status: 503, error: 'status 503' },
  ]);
  expect((await db.collection('monitoring_jobs').doc('watchdog').get()).data()).toMatchObject({ lastOutcome: 'success', consecutiveFailures: 0 });
});
