/** npm run monitor: the same code as the scheduled functions, driven from the command line. */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import type { Firestore } from 'firebase-admin/firestore';
import { main, parseIsoDateTime } from '../src/cli/monitor';
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
    [['payment', '--now', 'yesterday'], /--now: "yesterday" is not an ISO 8601 date-time with a time zone/],
    [['payment', '--now', '1'], /--now: "1" is not an ISO 8601 date-time with a time zone \(examples: 2026-11-21T08:00:00Z/],
    [['payment', '--now', '2026-02-30T08:00:00Z'], /--now: "2026-02-30T08:00:00Z" is not a valid date-time/],
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

describe('--now takes ISO 8601 date-times with a time zone only', () => {
  it.each([
    ['2026-11-21T08:00:00Z', '2026-11-21T08:00:00.000Z'],
    ['2026-11-21T08:00Z', '2026-11-21T08:00:00.000Z'],
    ['2026-11-21T09:00:00.250+01:00', '2026-11-21T08:00:00.250Z'],
    ['2026-11-21t08:00:00z', '2026-11-21T08:00:00.000Z'],
    ['2028-02-29T00:00:00Z', '2028-02-29T00:00:00.000Z'],
  ])('%s is %s', (text, iso) => {
    expect((parseIsoDateTime(text) as Date).toISOString()).toBe(iso);
  });

  it.each([
    ['1', 'not an ISO 8601 date-time'],
    ['2026', 'not an ISO 8601 date-time'],
    ['2026-11-21', 'not an ISO 8601 date-time'],
    ['2026-11-21T08:00:00', 'not an ISO 8601 date-time'],
    ['Sat, 21 Nov 2026 08:00:00 GMT', 'not an ISO 8601 date-time'],
    ['2026-13-01T00:00:00Z', 'not a valid date-time'],
    ['2027-02-29T00:00:00Z', 'not a valid date-time'],
    ['2026-11-21T24:00:00Z', 'not a valid date-time'],
    ['2026-11-21T08:60:00Z', 'not a valid date-time'],
  ])('%s is refused (%s)', (text, message) => {
    expect(parseIsoDateTime(text)).toContain(message);
  });
});

describe('demo projects need an emulator', () => {
  const saved = { FIRESTORE_EMULATOR_HOST: process.env.FIRESTORE_EMULATOR_HOST, GCLOUD_PROJECT: process.env.GCLOUD_PROJECT };
  afterEach(() => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  it('a demo-* project without FIRESTORE_EMULATOR_HOST exits 2 at once, saying how to start one', async () => {
    delete process.env.FIRESTORE_EMULATOR_HOST;
    process.env.GCLOUD_PROJECT = 'demo-monitoring';
    const outcome = await main(['payment', '--dry-run']);
    expect(outcome).toEqual({ code: 2, stdout: '', stderr: expect.stringContaining('FIRESTORE_EMULATOR_HOST is not set') });
    expect(outcome.stderr).toContain('npm run firestore');
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

const functionsDir = resolve(__dirname, '..');
/** Reads a JSON document from stdin and prints one field of it (what `jq .field` does). */
const readField = (field: string) => `let s='';process.stdin.on('data',(d)=>s+=d).on('end',()=>process.stdout.write(String(JSON.parse(s).${field})))`;

describe('as a child process', () => {
  it('`npm run -s monitor -- payment --json | <JSON reader>`: stdout is one JSON document, the log lines are on stderr', async () => {
    const env = { ...process.env, MONITORING_LOG_LEVEL: 'info' };
    const { stdout, stderr } = await promisify(execFile)('npm', ['run', '-s', 'monitor', '--', 'payment', '--json', '--now', NOW.toISOString()], {
      cwd: functionsDir,
      env,
    });
    const result = JSON.parse(stdout) as RunResult;
    expect(result).toMatchObject({ job: 'payment', outcome: 'success', dryRun: false });
    expect(result.alerts.opened.map((item) => item.alertId)).toEqual(['failed_payouts-n1']);
    const logLines = stderr
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { severity: string; message: string });
    expect(logLines.map((line) => line.message)).toEqual(expect.arrayContaining(['Run started', 'Run finished']));

    // Through a real shell pipe, as in the README.
    const piped = await promisify(execFile)(
      'sh',
      ['-c', `npm run -s monitor -- payment --dry-run --json --now ${NOW.toISOString()} | node -e "${readField('outcome')}"`],
      { cwd: functionsDir, env },
    );
    expect(piped.stdout).toBe('success');
  }, 90_000);

  it('a demo project without an emulator fails at once with the way to start one', async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, GCLOUD_PROJECT: 'demo-monitoring' };
    delete env.FIRESTORE_EMULATOR_HOST;
    const failure = await promisify(execFile)('npm', ['run', '-s', 'monitor', '--', 'payment', '--json'], { cwd: functionsDir, env }).then(
      () => null,
      (error: { code: number; stdout: string; stderr: string }) => error,
    );
    expect(failure).toMatchObject({ code: 2, stdout: '' });
    expect(failure?.stderr).toContain(
      'Project "demo-monitoring" is a demo project (demo-*), which exists only in an emulator, and FIRESTORE_EMULATOR_HOST is not set.',
    );
  }, 60_000);

  describe('npm run firestore', () => {
    let server: ChildProcess | undefined;
    afterEach(async () => {
      // npm starts tsx, which starts node: end the whole process group, and wait until it is gone.
      if (server?.pid && server.exitCode === null && server.signalCode === null) {
        const exited = new Promise((resolveExit) => server!.once('close', resolveExit));
        process.kill(-server.pid, 'SIGTERM');
        await exited;
      }
    });

    it('starts a local Firestore and prints the environment that points the CLI at it', async () => {
      const env: NodeJS.ProcessEnv = { ...process.env };
      delete env.FIRESTORE_EMULATOR_HOST;
      delete env.GCLOUD_PROJECT;
      server = spawn('npm', ['run', '-s', 'firestore', '--', '--port', '0'], { cwd: functionsDir, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
      const printed = await new Promise<string>((resolvePrinted, reject) => {
        let out = '';
        server!.stdout!.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          if (out.includes('GCLOUD_PROJECT=')) resolvePrinted(out);
        });
        server!.on('exit', (code) => reject(new Error(`npm run firestore exited with ${code} before printing the environment`)));
      });
      expect(printed).toMatch(/^export FIRESTORE_EMULATOR_HOST=127\.0\.0\.1:\d+\nexport GCLOUD_PROJECT=demo-monitoring\n$/);
      const exported = Object.fromEntries([...printed.matchAll(/^export (\w+)=(.*)$/gm)].map((match) => [match[1], match[2]]));

      const { stdout } = await promisify(execFile)('npm', ['run', '-s', 'monitor', '--', 'payment', '--json'], {
        cwd: functionsDir,
        env: { ...env, ...exported },
      });
      expect(JSON.parse(stdout)).toMatchObject({ job: 'payment', outcome: 'success', trigger: 'cli' });
    }, 90_000);
  });
});
