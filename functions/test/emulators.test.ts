/**
 * npm run emulators from a fresh clone: the files git tracks (no lib/, no .env.local), the installed
 * node_modules linked in. The Functions emulator must load every function, or the command must say
 * what is wrong and exit 1 (firebase-tools alone prints "All emulators ready!" with no function).
 */
import { execFile, execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { expectedFunctions, loadedFunctions, missingFromEnvFile } from '../dev/emulators';
import { ADMIN_CALLABLES } from '../src/admin';
import { JOBS } from '../src/jobs/catalog';

const root = resolve(__dirname, '..', '..');

it('reads the names of the emulator\'s "Loaded functions definitions" line', () => {
  expect(
    loadedFunctions('i  functions: x\n\x1b[32m✔\x1b[39m  functions: Loaded functions definitions from source: runFastHealthCheck, getThresholds.\nnext'),
  ).toEqual(['runFastHealthCheck', 'getThresholds']);
  expect(loadedFunctions('⬢  functions: Failed to load function definition from source: FirebaseError: ...')).toBeNull();
});

it('expects every scheduled job, the trigger, the ack link and every callable', async () => {
  expect(await expectedFunctions()).toHaveLength(JOBS.length + 2 + Object.keys(ADMIN_CALLABLES).length);
});

it('names the params a .env.local lacks', () => {
  expect(missingFromEnvFile('ALERT_EMAIL_FROM=none\n')).toEqual(expect.arrayContaining(['ALERT_EMAIL_TO', 'ACK_LINK_BASE_URL', 'DASHBOARD_ORIGINS']));
  expect(missingFromEnvFile('ALERT_EMAIL_FROM=none\n')).not.toContain('ALERT_EMAIL_FROM');
  expect(missingFromEnvFile('ALERT_EMAIL_FROM=none\n')).not.toContain('PAYPAL_ENVIRONMENT'); // has a default
});

describe('from a fresh clone', () => {
  let clone: string;
  beforeAll(() => {
    clone = mkdtempSync(join(tmpdir(), 'clone-'));
    const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], { cwd: root, encoding: 'utf8' }).split('\0');
    for (const file of files.filter((name) => name && existsSync(join(root, name)))) {
      mkdirSync(dirname(join(clone, file)), { recursive: true });
      cpSync(join(root, file), join(clone, file));
    }
    symlinkSync(join(root, 'functions', 'node_modules'), join(clone, 'functions', 'node_modules'));
  });
  afterAll(() => rmSync(clone, { recursive: true, force: true }));

  const run = () =>
    promisify(execFile)(join(clone, 'functions', 'node_modules', '.bin', 'tsx'), ['dev/emulators.ts', '--check'], {
      cwd: join(clone, 'functions'),
      env: { ...process.env, FIRESTORE_EMULATOR_HOST: '' },
      timeout: 240_000,
    }).then(
      (result) => ({ code: 0, ...result }),
      (error: { code: number; stdout: string; stderr: string }) => error,
    );

  it('npm run emulators -- --check loads every function, and leaves no file behind', async () => {
    expect(existsSync(join(clone, 'functions', 'lib'))).toBe(false);
    const outcome = await run();
    expect(outcome.stderr).toBe('');
    expect(outcome).toMatchObject({ code: 0 });
    expect(outcome.stdout).toContain(`All ${(await expectedFunctions()).length} functions loaded.`);
    expect(existsSync(join(clone, 'functions', '.env.local'))).toBe(false);
    expect(existsSync(join(clone, '.firebase-emulators.json'))).toBe(false);
  }, 250_000);

  it('an incomplete functions/.env.local fails loudly (exit 1) with the missing names', async () => {
    writeFileSync(join(clone, 'functions', '.env.local'), 'ALERT_EMAIL_FROM=none\n');
    const outcome = await run();
    expect(outcome.code).toBe(1);
    expect(outcome.stderr).toMatch(
      /^functions\/\.env\.local does not set ALERT_EMAIL_TO, .*DASHBOARD_ORIGINS: the emulator would prompt for them and load no function\./,
    );
  }, 250_000);
});
