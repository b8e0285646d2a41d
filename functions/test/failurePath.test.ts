/**
 * Bounded failure path: a run that cannot reach Firestore fails within its function timeout, logs,
 * and its Sentry event reaches the (local) Sentry endpoint before the process ends. Real child
 * process, real firebase-admin client against a closed port, real @sentry/node.
 */
import { execFile } from 'node:child_process';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { runBudget } from '../src/pipeline/run';
import { useLocalServers } from './support/servers';

const servers = useLocalServers();

/** A local port nobody listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  await new Promise<void>((done) => server.close(() => done()));
  return port;
}

it('shares the function timeout: work, then the run record, then the Sentry flush, then slack', () => {
  expect(runBudget(120)).toEqual({ workMs: 90_000, recordMs: 10_000, reportMs: 10_000 });
  expect(runBudget(540)).toEqual({ workMs: 510_000, recordMs: 10_000, reportMs: 10_000 });
  expect(runBudget(12)).toEqual({ workMs: 6_000, recordMs: 2_000, reportMs: 2_000 });
});

it('Firestore unreachable: the run fails inside its timeout, logs, and reports to Sentry before the process ends', async () => {
  const timeoutSeconds = 12;
  const root = resolve(__dirname, '..');
  const outcome = await promisify(execFile)(resolve(root, 'node_modules/.bin/tsx'), ['test/support/unreachableRun.ts'], {
    cwd: root,
    env: {
      ...process.env,
      ...servers.current.env,
      FIRESTORE_EMULATOR_HOST: `127.0.0.1:${await closedPort()}`,
      GCLOUD_PROJECT: 'demo-unreachable',
      MONITORING_LOG_LEVEL: 'info',
      PROBE_TIMEOUT_SECONDS: String(timeoutSeconds),
    },
    timeout: 60_000,
  }).catch((error: { code?: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }));
  const output = `${outcome.stdout}\n${outcome.stderr}`;
  const line = outcome.stdout.split('\n').find((item) => item.startsWith('{"probe"'));
  expect(line).toBeDefined();
  const probe = JSON.parse(line!) as { outcome: string; error: string; elapsedMs: number };
  expect(probe.outcome).toBe('failed');
  expect(probe.error).toMatch(/probe run: no answer within \d+ ms/);
  // Inside the function timeout, work deadline + record deadline + Sentry flush included.
  expect(probe.elapsedMs).toBeLessThan(timeoutSeconds * 1_000);
  expect(output).toMatch(/Run failed/);
  expect(output).toMatch(/Could not write the run record/);
  const events = servers.current.sentry.events;
  expect(events).toHaveLength(1);
  expect(events[0].exception?.values?.[0]).toMatchObject({
    type: 'JobFailedError',
    value: expect.stringMatching(/^Job probe failed \(run probe-.*\): probe run: no answer within \d+ ms/),
  });
  expect(events[0].tags).toMatchObject({ source: 'probe' });
}, 90_000);
