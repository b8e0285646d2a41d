/**
 * npm run monitor reads the params a deploy would use (functions/.env, then .env.<project>, the
 * environment above both; secrets only from the environment) and says where each comes from; it
 * gives up within REACH_TIMEOUT_MS with one line when Firestore does not answer.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { checkDeployEnv } from '../src/cli/checkEnv';
import { claimsAfter } from '../src/cli/grantAdmin';
import { aliasesOf, applyDeployEnv, readDeployEnv } from '../src/cli/env';
import { main, REACH_TIMEOUT_MS } from '../src/cli/monitor';
import { PARAMS } from '../src/config/params';

const PROJECT = 'marketplace-prod';
let dir: string;
const saved = { ...process.env };

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cli-env-'));
  writeFileSync(
    join(dir, '.env'),
    ['MONITORING_ENVIRONMENT=staging', 'ALERT_EMAIL_FROM="Monitoring <alerts@marketplace.fr>"', 'RUNBOOK_BASE_URL=none', 'PAYPAL_CLIENT_ID=AZx...'].join('\n'),
  );
  writeFileSync(join(dir, `.env.${PROJECT}`), ['MONITORING_ENVIRONMENT=production-eu', 'ALERT_EMAIL_TO=oncall@marketplace.fr,cto@marketplace.fr'].join('\n'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
  for (const name of [...PARAMS.map((entry) => entry.param.name), 'GCLOUD_PROJECT']) {
    if (saved[name] === undefined) delete process.env[name];
    else process.env[name] = saved[name];
  }
});

describe('params precedence: environment, then .env.<project>, then .env, then the default', () => {
  it('reads the files in the order firebase-tools does, the later winning', () => {
    const env = readDeployEnv(dir, PROJECT);
    expect(env.files).toEqual(['functions/.env', `functions/.env.${PROJECT}`]);
    expect(env.values).toMatchObject({ MONITORING_ENVIRONMENT: 'production-eu', RUNBOOK_BASE_URL: 'none' });
    expect(env.fileOf.MONITORING_ENVIRONMENT).toBe(`functions/.env.${PROJECT}`);
  });

  it.each([
    // name, environment before, status, source, value the process ends with
    ['MONITORING_ENVIRONMENT', 'canary', 'set', 'environment', 'canary'],
    ['MONITORING_ENVIRONMENT', undefined, 'set', `functions/.env.${PROJECT}`, 'production-eu'],
    ['ALERT_EMAIL_FROM', undefined, 'set', 'functions/.env', 'Monitoring <alerts@marketplace.fr>'],
    ['RUNBOOK_BASE_URL', undefined, 'disabled', 'functions/.env', 'none'],
    ['PAYPAL_CLIENT_ID', undefined, 'placeholder', 'functions/.env', 'AZx...'],
    ['PAYPAL_ENVIRONMENT', undefined, 'default', 'default', undefined],
    ['TWILIO_FROM_NUMBER', undefined, 'missing', 'not set', undefined],
    ['SLACK_WEBHOOK_URL', 'https://hooks.slack.com/services/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', 'set', 'environment', undefined],
  ] as const)('%s (environment %j): %s from %s', (name, before, status, source, value) => {
    const target: NodeJS.ProcessEnv = before === undefined ? {} : { [name]: before };
    const origins = applyDeployEnv(readDeployEnv(dir, PROJECT), target);
    const origin = origins.find((item) => item.name === name)!;
    expect({ status: origin.status, source: origin.source }).toEqual({ status, source });
    if (value !== undefined) expect(target[name]).toBe(value);
    // A secret's value is never part of what is reported.
    if (name === 'SLACK_WEBHOOK_URL') expect(JSON.stringify(origins)).not.toContain(before);
  });

  it('.env.<alias> of .firebaserc counts like .env.<project id>', () => {
    expect(aliasesOf({ projects: { default: 'demo-monitoring', prod: PROJECT, staging: 'marketplace-staging' } }, PROJECT)).toEqual(['prod']);
    writeFileSync(join(dir, '.env.prod'), 'MONITORING_ENVIRONMENT=from-alias\n');
    rmSync(join(dir, `.env.${PROJECT}`));
    expect(readDeployEnv(dir, PROJECT, ['prod']).values.MONITORING_ENVIRONMENT).toBe('from-alias');
  });

  it('--explain lists every param with its source, secrets without a value, and runs nothing', async () => {
    process.env.GCLOUD_PROJECT = PROJECT;
    process.env.STRIPE_SECRET_KEY = 'rk_live_51PzQmN8vXk2sH4';
    delete process.env.MONITORING_ENVIRONMENT;
    const outcome = await main(['payment', '--explain'], { functionsDir: dir });
    expect(outcome.code).toBe(0);
    expect(outcome.stdout).toContain(`files read: functions/.env, functions/.env.${PROJECT}`);
    expect(outcome.stdout).toMatch(new RegExp(`MONITORING_ENVIRONMENT +set +functions/\\.env\\.${PROJECT} = production-eu`));
    expect(outcome.stdout).toMatch(/PAYPAL_CLIENT_ID +placeholder +functions\/\.env = AZx\.\.\. \(an elision \(\.\.\.\)\)/);
    expect(outcome.stdout).toMatch(/STRIPE_SECRET_KEY +set +environment\n/);
    expect(outcome.stdout).not.toContain('rk_live_51PzQmN8vXk2sH4');
    expect(outcome.stdout.split('\n').filter((line) => /^ {2}[A-Z_]+ /.test(line))).toHaveLength(PARAMS.length);
  });

  it('a malformed env file stops the CLI with its name (exit 2)', async () => {
    writeFileSync(join(dir, '.env'), 'not a line of dotenv\n');
    process.env.GCLOUD_PROJECT = PROJECT;
    const outcome = await main(['payment', '--explain'], { functionsDir: dir });
    expect(outcome).toMatchObject({ code: 2, stdout: '' });
    expect(outcome.stderr).toMatch(/^functions\/\.env: /);
  });
});

describe('npm run check:env (the first predeploy step) refuses example values', () => {
  it('names each example value and where it is; a copy of .env.example is refused whole', () => {
    expect(checkDeployEnv(dir, PROJECT)).toEqual({
      ok: false,
      lines: [
        `Not deploying to ${PROJECT}: 1 value(s) of functions/.env, functions/.env.${PROJECT} are examples, not a configuration:`,
        '  PAYPAL_CLIENT_ID=AZx... in functions/.env: an elision (...)',
        'Set real values (or none to go without a feature; docs/deploy.md), then deploy again.',
      ],
      warnings: [],
    });
    copyFileSync(resolve(__dirname, '..', '.env.example'), join(dir, `.env.${PROJECT}`));
    const copy = checkDeployEnv(dir, PROJECT);
    expect(copy.ok).toBe(false);
    for (const name of [
      'ALERT_EMAIL_FROM',
      'ALERT_EMAIL_TO',
      'TWILIO_ACCOUNT_SID',
      'TWILIO_FROM_NUMBER',
      'ALERT_SMS_TO',
      'RUNBOOK_BASE_URL',
      'ACK_LINK_BASE_URL',
      'DASHBOARD_ORIGINS',
    ]) {
      expect(copy.lines.some((line) => line.startsWith(`  ${name}=`))).toBe(true);
    }
  });

  it('accepts real values and none; a secret in a params file is refused without printing it', () => {
    writeFileSync(join(dir, '.env'), 'PAYPAL_CLIENT_ID=AYSq3RDGsmBLJE-otTkBtM-jBRd1TCQwFf9RGfwddNXWz0uFU9ztymylOhRS\nRUNBOOK_BASE_URL=none\n');
    expect(checkDeployEnv(dir, PROJECT)).toEqual({
      ok: true,
      lines: [`Params of ${PROJECT}: functions/.env, functions/.env.${PROJECT}, no example value.`],
      warnings: [],
    });
    // A value that does not look like what the param takes is reported, not refused.
    writeFileSync(join(dir, '.env'), 'TWILIO_FROM_NUMBER=06 12 34 56 78\n');
    expect(checkDeployEnv(dir, PROJECT)).toMatchObject({
      ok: true,
      warnings: ['Warning: TWILIO_FROM_NUMBER=06 12 34 56 78 in functions/.env: expected a phone number in E.164 form (+33612345678).'],
    });
    writeFileSync(join(dir, '.env'), 'SLACK_WEBHOOK_URL=https://hooks.slack.com/services/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\n');
    const check = checkDeployEnv(dir, PROJECT);
    expect(check.ok).toBe(false);
    expect(check.lines[1]).toBe(
      '  SLACK_WEBHOOK_URL in functions/.env: a secret, which belongs in Secret Manager (npm run firebase -- functions:secrets:set SLACK_WEBHOOK_URL)',
    );
    expect(check.lines.join('\n')).not.toContain('hooks.slack.com');
  });

  it('runs before lint and build in the functions predeploy', () => {
    const config = JSON.parse(readFileSync(resolve(__dirname, '..', '..', 'firebase.json'), 'utf8')) as { functions: Array<{ predeploy: string[] }> };
    expect(config.functions[0].predeploy[0]).toBe('npm --prefix "$RESOURCE_DIR" run -s check:env');
  });
});

/** A local port nobody listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  await new Promise<void>((done) => server.close(() => done()));
  return port;
}

it('Firestore unreachable: exits 1 within the stated bound with one line on stderr and nothing on stdout', async () => {
  const root = resolve(__dirname, '..');
  const host = `127.0.0.1:${await closedPort()}`;
  const started = Date.now();
  const outcome = await promisify(execFile)(resolve(root, 'node_modules/.bin/tsx'), ['src/cli/monitor.ts', 'payment', '--json'], {
    cwd: root,
    env: { ...process.env, FIRESTORE_EMULATOR_HOST: host, GCLOUD_PROJECT: 'demo-unreachable', MONITORING_LOG_LEVEL: 'info' },
    timeout: 120_000,
  }).catch((error: { code?: number; stdout: string; stderr: string }) => error);
  const elapsed = Date.now() - started;
  expect(outcome).toMatchObject({ code: 1, stdout: '' });
  expect(outcome.stderr.trim().split('\n')).toEqual([
    `Firestore emulator at ${host} is unreachable (no answer within ${REACH_TIMEOUT_MS / 1000} s): is it running? (npm run firestore starts one and prints its address)`,
  ]);
  // The bound plus the start of a TypeScript process on a busy machine; before, this waited 282 s.
  expect(elapsed).toBeGreaterThanOrEqual(REACH_TIMEOUT_MS);
  expect(elapsed).toBeLessThan(REACH_TIMEOUT_MS + 25_000);
}, 150_000);

describe('npm run grant-admin: the admin claim, the other claims kept', () => {
  it.each([
    [undefined, false, { admin: true }],
    [{ team: 'ops' }, false, { team: 'ops', admin: true }],
    [{ team: 'ops', admin: true }, true, { team: 'ops' }],
    [{ admin: true }, true, {}],
    [{ admin: 'true' }, false, { admin: true }],
  ])('%j, revoke %s -> %j', (existing, revoke, expected) => {
    expect(claimsAfter(existing, revoke)).toEqual(expected);
  });
});
