/** npm run monitor: the same code as the scheduled functions, driven from the command line. */
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import type { Firestore } from 'firebase-admin/firestore';
import { main } from '../src/cli/monitor';
import type { RunResult } from '../src/pipeline/run';
import { allDocs, closeFirebase, freshProject } from './support/firebase';
import { hoursAgo, NOW, seed } from './support/seed';
import { useLocalServers } from './support/servers';

useLocalServers();
let db: Firestore;

beforeEach(async () => {
  db = await freshProject();
  await seed(db, 'payouts', [{ method: 'paypal', status: 'failed', amount: 1_000, currency: 'EUR', createdAt: hoursAgo(30) }]);
});
afterAll(closeFirebase);

describe('usage errors', () => {
  it.each([
    [[], /Missing job name/],
    [['nope'], /Unknown job "nope"/],
    [['payment', '--frobnicate'], /Unknown option '--frobnicate'/],
    [['payment', '--now', 'yesterday'], /--now: "yesterday" is not an ISO date-time/],
    [['payment', 'extra'], /Unexpected argument 'extra'/],
  ])('%j exits 2 with a message and the usage', async (argv, message) => {
    const outcome = await main(argv);
    expect(outcome.code).toBe(2);
    expect(outcome.stderr).toMatch(message);
    expect(outcome.stderr).toContain('Usage: npm run monitor -- <job>');
    expect(await allDocs(db, 'monitoring_runs')).toHaveLength(0);
  });

  it('lists the jobs in the usage', async () => {
    const outcome = await main(['--help']);
    expect(outcome.code).toBe(0);
    expect(outcome.stdout).toMatch(/payment\s+Payments, payouts and call sessions/);
    expect(outcome.stdout).toMatch(/balances\s+/);
  });
});

describe('runs', () => {
  it('--dry-run --json prints the result and writes or sends nothing', async () => {
    const outcome = await main(['payment', '--now', NOW.toISOString(), '--dry-run', '--json']);
    expect(outcome.code).toBe(0);
    const result = JSON.parse(outcome.stdout) as RunResult;
    expect(result).toMatchObject({ job: 'payment', dryRun: true, tick: NOW.toISOString(), outcome: 'success', trigger: 'cli' });
    expect(result.candidates).toEqual([expect.objectContaining({ ruleId: 'failed_payouts', severity: 'emergency', value: 1 })]);
    expect(await allDocs(db, 'payment_alerts')).toHaveLength(0);
    expect(await allDocs(db, 'payment_metrics')).toHaveLength(0);
    expect(await allDocs(db, 'monitoring_runs')).toHaveLength(0);
  });

  it('prints a readable report of a real run', async () => {
    const outcome = await main(['payment', '--now', NOW.toISOString()]);
    expect(outcome.code).toBe(0);
    expect(outcome.stdout).toMatch(/^Run payment-20261120T120000000Z-[0-9a-f]{6} \(payment\)/);
    expect(outcome.stdout).toMatch(/FIRING EMERGENCY\s+failed_payouts/);
    expect(outcome.stdout).toMatch(/opened\s+EMERGENCY\s+payment_alerts\/failed_payouts-n1\s+notify: opened/);
    expect(await allDocs(db, 'payment_alerts')).toHaveLength(1);
  });
});

it('works as `npm run monitor` in a child process', async () => {
  const { stdout } = await promisify(execFile)('npm', ['run', '-s', 'monitor', '--', 'payment', '--dry-run', '--json', '--now', NOW.toISOString()], {
    cwd: resolve(__dirname, '..'),
    env: { ...process.env },
  });
  const result = JSON.parse(stdout) as RunResult;
  expect(result.candidates.map((candidate) => candidate.ruleId)).toEqual(['failed_payouts']);
}, 60_000);
