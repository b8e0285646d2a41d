/**
 * npm run emulators: firebase-tools' Functions and Auth emulators (no Java) on the built functions,
 * with an embedded Firestore for them, from a fresh clone. It builds `lib/`, gives the emulator a
 * value for every param (it cannot prompt: without one it loads no function and still says "All
 * emulators ready!"), and checks that the emulator loaded every function the code exports; if it
 * did not, it says which are missing and exits 1 instead of serving nothing.
 *
 *   npm run emulators              # until Ctrl-C, on firebase.json's ports (functions 5001, auth 9099)
 *   npm run emulators -- --check   # free ports, exit 0 once every function is loaded (tests, CI)
 *
 * Params: functions/.env.local if you have one (it must name every param without a default), else
 * one written here for the run (local values, `none` for the optional features) and removed at the
 * end. Secrets are not set (the emulator leaves them empty): messages are not sent from here; the
 * full local stack with its Slack/SMTP/Twilio stand-ins is `npm run dashboard`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { REGION } from '../src/config/deployment';
import { PARAMS } from '../src/config/params';
import { JOBS } from '../src/jobs/catalog';
import { freePort, startFirestore } from './emulator';

const FUNCTIONS_DIR = resolve(__dirname, '..');
const ROOT = resolve(FUNCTIONS_DIR, '..');

/** Every function of src/index.ts, as test/manifest.test.ts lists them. */
export async function expectedFunctions(): Promise<string[]> {
  const { ADMIN_CALLABLES } = await import('../src/admin');
  return [...JOBS.map((job) => job.exportName), 'onErrorLogCreated', 'acknowledgeFromLink', ...Object.keys(ADMIN_CALLABLES)].sort();
}

/** The names after "Loaded functions definitions from source:", or null before that line. */
export function loadedFunctions(output: string): string[] | null {
  const match = /Loaded functions definitions from source: ([^\n]+)/.exec(output.replace(new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g'), ''));
  return match
    ? match[1]
        .split(',')
        .map((name) => name.trim().replace(/\.$/, ''))
        .filter(Boolean)
    : null;
}

/** Local values for the params the emulator would prompt for. */
export function localParams(functionsUrl: string, firestoreHost: string): Record<string, string> {
  const values: Record<string, string> = {};
  for (const entry of PARAMS) if (entry.kind !== 'secret') values[entry.param.name] = entry.defaultValue ?? 'none';
  values.MONITORING_ENVIRONMENT = 'local';
  values.ACK_LINK_BASE_URL = `${functionsUrl}/acknowledgeFromLink`;
  values.DASHBOARD_ORIGINS = 'http://localhost:5173';
  values.FIRESTORE_EMULATOR_HOST = firestoreHost;
  return values;
}

/** Names of params without a default that a .env.local does not set (the emulator would prompt for them). */
export function missingFromEnvFile(text: string): string[] {
  const { parse } = require('firebase-tools/lib/functions/env') as { parse: (data: string) => { envs: Record<string, string> } };
  const { envs } = parse(text);
  return PARAMS.filter((entry) => entry.kind !== 'secret' && entry.defaultValue === undefined && !(entry.param.name in envs)).map((entry) => entry.param.name);
}

function build(): Promise<void> {
  return new Promise((done, reject) => {
    const child = spawn(join(FUNCTIONS_DIR, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.json'], { cwd: FUNCTIONS_DIR, stdio: 'inherit' });
    child.once('exit', (code) => (code === 0 ? done() : reject(new Error(`tsc failed (exit ${code})`))));
  });
}

async function main(): Promise<number> {
  const { values: args } = parseArgs({ options: { check: { type: 'boolean' }, project: { type: 'string' } } });
  const project = args.project ?? 'demo-monitoring';
  const config = JSON.parse(readFileSync(join(ROOT, 'firebase.json'), 'utf8')) as {
    functions: unknown;
    emulators: { functions: { port: number }; auth: { port: number } };
  };
  const ports = args.check
    ? { functions: await freePort(), auth: await freePort(), hub: await freePort(), logging: await freePort() }
    : { functions: config.emulators.functions.port, auth: config.emulators.auth.port, hub: 4400, logging: 4500 };
  const functionsUrl = `http://127.0.0.1:${ports.functions}/${project}/${REGION}`;
  const cleanups: Array<() => Promise<void> | void> = [];
  const cleanup = async () => {
    for (const step of cleanups.reverse()) await Promise.resolve(step()).catch(() => undefined);
  };
  const say = (line: string) => process.stdout.write(`${line}\n`);
  try {
    const envFile = join(FUNCTIONS_DIR, '.env.local');
    const ownEnvFile = existsSync(envFile);
    if (ownEnvFile) {
      const missing = missingFromEnvFile(readFileSync(envFile, 'utf8'));
      if (missing.length) {
        process.stderr.write(
          `functions/.env.local does not set ${missing.join(', ')}: the emulator would prompt for them and load no function.\n` +
            'Add them (none turns a feature off), or move the file away and npm run emulators writes one for the run.\n',
        );
        return 1;
      }
    }
    say('[1/4] Building the functions (tsc -> functions/lib)');
    await build();

    say('[2/4] Starting an embedded Firestore for the functions');
    const firestore = await startFirestore();
    cleanups.push(() => firestore.stop());

    if (ownEnvFile) say('[3/4] Params: your functions/.env.local');
    else {
      const values = localParams(functionsUrl, firestore.host);
      writeFileSync(
        envFile,
        `# Written by npm run emulators (functions/dev/emulators.ts) for this run; removed when it stops.\n${Object.entries(values)
          .map(([name, value]) => `${name}=${JSON.stringify(value)}`)
          .join('\n')}\n`,
      );
      cleanups.push(() => rmSync(envFile, { force: true }));
      say('[3/4] Params: local values in functions/.env.local (removed when this stops)');
    }

    const configFile = join(ROOT, '.firebase-emulators.json');
    writeFileSync(
      configFile,
      JSON.stringify({
        functions: config.functions,
        emulators: {
          singleProjectMode: false,
          functions: { host: '127.0.0.1', port: ports.functions },
          auth: { host: '127.0.0.1', port: ports.auth },
          hub: { host: '127.0.0.1', port: ports.hub },
          logging: { host: '127.0.0.1', port: ports.logging },
          ui: { enabled: false },
        },
      }),
    );
    cleanups.push(() => rmSync(configFile, { force: true }));

    say(`[4/4] Starting firebase-tools' Functions (:${ports.functions}) and Auth (:${ports.auth}) emulators, project ${project}`);
    const temp = mkdtempSync(join(tmpdir(), 'emulators-'));
    cleanups.push(() => rmSync(temp, { recursive: true, force: true }));
    const node24 = join(FUNCTIONS_DIR, 'node_modules', 'node', 'bin');
    const firebase: ChildProcess = spawn(
      join(FUNCTIONS_DIR, 'node_modules', '.bin', 'firebase'),
      ['emulators:start', '--only', 'functions,auth', '--project', project, '--config', configFile],
      {
        cwd: ROOT,
        detached: true,
        env: { ...process.env, PATH: `${node24}:${process.env.PATH}`, TMPDIR: temp, FIREBASE_CLI_DISABLE_UPDATE_CHECK: 'true', CI: 'true', GCLOUD_PROJECT: '' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    cleanups.push(
      () =>
        new Promise<void>((done) => {
          if (firebase.exitCode !== null || firebase.signalCode !== null) return done();
          firebase.once('exit', () => done());
          process.kill(-firebase.pid!, 'SIGINT');
          setTimeout(() => {
            if (firebase.exitCode === null) process.kill(-firebase.pid!, 'SIGKILL');
          }, 10_000).unref();
        }),
    );
    const expected = await expectedFunctions();
    const outcome = await new Promise<{ ok: boolean; message: string }>((done) => {
      let output = '';
      const onData = (chunk: Buffer) => {
        const text = chunk.toString();
        output += text;
        // The emulator's own lines, minus the params warnings discovery prints for every callable (docs/deploy.md).
        if (!args.check) for (const line of text.split('\n')) if (line && !/ADMIN_ENFORCE_APP_CHECK|usually a mistake|memoryParam/.test(line)) say(line);
        const failed = /Failed to load function definition[^\n]*/.exec(output);
        if (failed) done({ ok: false, message: failed[0] });
        if (/All emulators ready/.test(output)) {
          const loaded = loadedFunctions(output) ?? [];
          const missing = expected.filter((name) => !loaded.includes(name));
          done(
            missing.length
              ? { ok: false, message: `the emulator did not load ${missing.length} of ${expected.length} functions: ${missing.join(', ')}` }
              : {
                  ok: true,
                  message: [
                    `All ${expected.length} functions loaded. Served: the admin callables and acknowledgeFromLink at ${functionsUrl}/<name>; Auth at 127.0.0.1:${ports.auth}; Firestore at ${firestore.host}.`,
                    'Not served here: the scheduled jobs (they need the Pub/Sub emulator) and onErrorLogCreated (the official Firestore emulator); both need Java.',
                    `Run a job against this Firestore: FIRESTORE_EMULATOR_HOST=${firestore.host} GCLOUD_PROJECT=${project} npm run monitor -- <job>`,
                  ].join('\n'),
                },
          );
        }
      };
      firebase.stdout?.on('data', onData);
      firebase.stderr?.on('data', onData);
      firebase.once('exit', (code) => done({ ok: false, message: `firebase emulators exited (code ${code}):\n${output.slice(-2000)}` }));
      setTimeout(() => done({ ok: false, message: `the emulators did not start within 180 s:\n${output.slice(-2000)}` }), 180_000).unref();
    });
    if (!outcome.ok) {
      process.stderr.write(`npm run emulators FAILED: ${outcome.message}\n`);
      return 1;
    }
    say(outcome.message);
    if (args.check) return 0;
    say('Ctrl-C stops everything.');
    await new Promise<void>((done) => {
      process.once('SIGINT', () => done());
      process.once('SIGTERM', () => done());
      firebase.once('exit', () => done());
    });
    return 0;
  } finally {
    await cleanup();
  }
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (error) => {
      process.stderr.write(`npm run emulators FAILED: ${(error as Error).stack ?? String(error)}\n`);
      process.exit(1);
    },
  );
}
