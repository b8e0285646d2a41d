/**
 * The deploy manifest, as firebase-tools gets it: `npm run build`, then firebase-functions' own
 * discovery bin on the built code (what firebase-tools starts to read `/__/functions.yaml`; with
 * FUNCTIONS_MANIFEST_OUTPUT_PATH it writes the same manifest to a file). Every function with its
 * trigger, schedule, time zone, region, memory, timeout and only its own secrets; params without
 * empty defaults.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { ADMIN_CALLABLES as ADMIN } from '../src/admin';
import { PARAMS } from '../src/config/params';
import { CHANNEL_SECRETS } from '../src/notifications/channels/manifests';
import { JOBS } from '../src/jobs/catalog';

interface Endpoint {
  entryPoint: string;
  platform: string;
  region: string[];
  availableMemoryMb: number;
  timeoutSeconds: number;
  maxInstances: number;
  serviceAccountEmail?: string;
  secretEnvironmentVariables?: Array<{ key: string }>;
  scheduleTrigger?: { schedule: string; timeZone: string; retryConfig: { retryCount: number } };
  callableTrigger?: Record<string, unknown>;
  eventTrigger?: { eventType: string; eventFilterPathPatterns: Record<string, string>; retry: boolean };
}
interface Manifest {
  specVersion: string;
  endpoints: Record<string, Endpoint>;
  params: Array<{ name: string; type: string; description?: string; default?: unknown }>;
}

const functionsDir = resolve(__dirname, '..');
const ADMIN_CALLABLES = Object.keys(ADMIN);
// Every channel's secrets (from the channel registry: a new channel binds its own), error reporting and acknowledge links.
const NOTIFY = [...CHANNEL_SECRETS.map((entry) => entry.param.name), 'SENTRY_DSN', 'ACK_LINK_SECRET'];
let manifest: Manifest;

beforeAll(async () => {
  await promisify(execFile)('npm', ['run', '-s', 'build'], { cwd: functionsDir });
  const dir = mkdtempSync(join(tmpdir(), 'manifest-'));
  try {
    // The environment firebase-tools gives the discovery process.
    const env = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      GCLOUD_PROJECT: 'demo-monitoring',
      FUNCTIONS_CONTROL_API: 'true',
      FUNCTIONS_MANIFEST_OUTPUT_PATH: join(dir, 'm.json'),
    };
    await promisify(execFile)(process.execPath, ['node_modules/firebase-functions/lib/bin/firebase-functions.js', '.'], { cwd: functionsDir, env });
    manifest = JSON.parse(readFileSync(join(dir, 'm.json'), 'utf8')) as Manifest;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 240_000);

const secretsOf = (name: string) => (manifest.endpoints[name].secretEnvironmentVariables ?? []).map((secret) => secret.key).sort();

it('declares every scheduled job, the Firestore trigger and every admin callable, and nothing else', () => {
  expect(Object.keys(manifest.endpoints).sort()).toEqual(
    [...JOBS.map((job) => job.exportName), 'onErrorLogCreated', 'acknowledgeFromLink', ...ADMIN_CALLABLES].sort(),
  );
  for (const endpoint of Object.values(manifest.endpoints)) {
    expect(endpoint).toMatchObject({ platform: 'gcfv2', region: ['europe-west1'], maxInstances: 5 });
    // The default account unless MONITORING_SERVICE_ACCOUNT names one (resolved by the deploy).
    expect(endpoint.serviceAccountEmail).toBe('{{ params.MONITORING_SERVICE_ACCOUNT == "default" ? "" : params.MONITORING_SERVICE_ACCOUNT }}');
  }
});

it.each(JOBS.map((job) => [job.exportName, job] as const))('%s: schedule, time zone, retries, memory, timeout, its own secrets only', (exportName, job) => {
  const endpoint = manifest.endpoints[exportName];
  expect(endpoint).toMatchObject({
    entryPoint: exportName,
    availableMemoryMb: 512,
    timeoutSeconds: job.timeoutSeconds,
    scheduleTrigger: { schedule: job.schedule, timeZone: 'Europe/Paris', retryConfig: { retryCount: job.retryCount } },
  });
  expect(secretsOf(exportName)).toEqual([...NOTIFY, ...job.secrets.map((secret) => secret.name)].sort());
});

it('only the payment and balances jobs can read payment credentials; the system job cannot', () => {
  const readers = Object.keys(manifest.endpoints).filter((name) =>
    secretsOf(name).some((secret) => ['STRIPE_SECRET_KEY', 'PAYPAL_CLIENT_SECRET'].includes(secret)),
  );
  expect(readers.sort()).toEqual(['checkServiceBalances', 'runPaymentHealthCheck']);
  expect(secretsOf('runPaymentHealthCheck')).toEqual([...NOTIFY, 'PAYPAL_CLIENT_SECRET', 'STRIPE_SECRET_KEY'].sort());
  expect(secretsOf('checkServiceBalances')).toEqual([...NOTIFY, 'STRIPE_SECRET_KEY'].sort());
  expect(secretsOf('runSystemHealthCheck')).toEqual([...NOTIFY].sort());
});

it('onErrorLogCreated: created documents of error_logs, no retry, the notification secrets', () => {
  expect(manifest.endpoints.onErrorLogCreated).toMatchObject({
    eventTrigger: { eventType: 'google.cloud.firestore.document.v1.created', eventFilterPathPatterns: { document: 'error_logs/{logId}' }, retry: false },
  });
  expect(secretsOf('onErrorLogCreated')).toEqual([...NOTIFY].sort());
});

it('acknowledgeFromLink: an HTTPS function with the link key and Sentry only', () => {
  expect(manifest.endpoints.acknowledgeFromLink).toMatchObject({ httpsTrigger: {} });
  expect(secretsOf('acknowledgeFromLink')).toEqual(['ACK_LINK_SECRET', 'SENTRY_DSN']);
});

it.each([...ADMIN_CALLABLES])('%s: a callable with only the secrets it uses', (name) => {
  const endpoint = manifest.endpoints[name];
  expect(endpoint.callableTrigger).toEqual({});
  const sends = name === 'sendTestNotification' || name === 'triggerFunctionalCheck';
  expect(endpoint).toMatchObject({ availableMemoryMb: sends ? 512 : 256, timeoutSeconds: name === 'triggerFunctionalCheck' ? 300 : 60 });
  expect(secretsOf(name)).toEqual(sends ? [...NOTIFY].sort() : ['SENTRY_DSN']);
});

it('declares every param with a description; none has an empty default, secrets and required params have none', () => {
  expect(manifest.params.map((param) => param.name).sort()).toEqual(PARAMS.map((entry) => entry.param.name).sort());
  for (const param of manifest.params) {
    expect(param.description).toBeTruthy();
    if ('default' in param) expect(param.default === '' || (Array.isArray(param.default) && param.default.length === 0)).toBe(false);
  }
  const defaults = Object.fromEntries(manifest.params.filter((param) => 'default' in param).map((param) => [param.name, param.default]));
  expect(defaults).toEqual({
    MONITORING_ENVIRONMENT: 'production',
    PAYPAL_ENVIRONMENT: 'live',
    ADMIN_ENFORCE_APP_CHECK: false,
    MONITORING_SERVICE_ACCOUNT: 'default',
    // Outbound guards: secure by default, opened per deployment.
    PROBE_CREDENTIAL_HOSTS: 'none',
    OUTBOUND_ALLOWED_NETWORKS: 'none',
  });
  // Asked for: a default could only guess a Hosting site, and the project's default site is the app's.
  expect(manifest.params.find((param) => param.name === 'ACK_LINK_BASE_URL')).not.toHaveProperty('default');
  expect(manifest.params.find((param) => param.name === 'ADMIN_ENFORCE_APP_CHECK')).toMatchObject({ type: 'boolean' });
  expect(manifest.params.filter((param) => param.type === 'list').map((param) => param.name)).toEqual(['ALERT_EMAIL_TO', 'ALERT_SMS_TO', 'DASHBOARD_ORIGINS']);
  expect(
    manifest.params
      .filter((param) => param.type === 'secret')
      .map((param) => param.name)
      .sort(),
  ).toEqual([...NOTIFY, 'STRIPE_SECRET_KEY', 'PAYPAL_CLIENT_SECRET', 'PROBE_TOKEN'].sort());
});

describe('the upload (firebase.json ignore, listed by firebase-tools itself)', () => {
  // firebase-tools packages the functions source with this listing (deploy/functions/prepareFunctionsUpload.js).
  const { readdirRecursive } = require('firebase-tools/lib/fsAsync') as {
    readdirRecursive: (options: { path: string; ignoreStrings: string[] }) => Promise<Array<{ name: string }>>;
  };
  const config = JSON.parse(readFileSync(resolve(functionsDir, '..', 'firebase.json'), 'utf8')) as { functions: Array<{ ignore: string[] }> };
  const localFiles = ['.env.local', '.secret.local'];
  let uploaded: string[];

  beforeAll(async () => {
    // Local env files exist on a developer's machine: make sure they would be left out.
    const created = localFiles.filter((name) => !existsSync(resolve(functionsDir, name)));
    for (const name of created) writeFileSync(resolve(functionsDir, name), 'X=1\n');
    try {
      const files = await readdirRecursive({
        path: functionsDir,
        ignoreStrings: [...config.functions[0].ignore, 'firebase-debug.log', 'firebase-debug.*.log'],
      });
      uploaded = files.map((file) => file.name.slice(functionsDir.length + 1)).sort();
    } finally {
      for (const name of created) rmSync(resolve(functionsDir, name), { force: true });
    }
  });

  it('holds the built code and the package files, nothing else', () => {
    expect(uploaded).toEqual(expect.arrayContaining(['package.json', 'package-lock.json', 'lib/index.js', 'lib/pipeline/run.js']));
    const unexpected = uploaded.filter(
      (name) => !name.startsWith('lib/') && !['package.json', 'package-lock.json'].includes(name) && !/^\.env(\.[\w-]+)?$/.test(name),
    );
    expect(unexpected).toEqual([]);
    for (const name of [...localFiles, '.env.example']) expect(uploaded).not.toContain(name);
    expect(uploaded.filter((name) => /^(src|test|rules-test|dev|node_modules)\//.test(name))).toEqual([]);
  });
});
