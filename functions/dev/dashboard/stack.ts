/**
 * The dashboard on this machine (npm run dashboard, npm run test:browser): the embedded Firestore
 * seeded with the demo scenario (every job run once, with local Slack/SMTP/Twilio servers), the
 * callables and the acknowledge function served by firebase-tools' Functions emulator with its Auth
 * emulator (see ../../../../shared/notes/local-callables.md), and the built dashboard (dashboard/dist)
 * on a small static server that also answers Hosting's /__/firebase/init.json.
 *
 * The emulators run in their own process group on ports picked here (a generated firebase config,
 * .firebase-local.json at the repo root), with their own temp directory, so several copies can run.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, normalize, resolve } from 'node:path';
import { deleteApp, getApps, initializeApp } from 'firebase-admin/app';
import { getAuth } from 'firebase-admin/auth';
import { getFirestore, type Firestore } from 'firebase-admin/firestore';
import { REGION } from '../../src/config/deployment';
import { PARAMS } from '../../src/config/params';
import { JOBS } from '../../src/jobs/catalog';
import { runJob } from '../../src/pipeline/run';
import { freePort, startFirestore, type LocalFirestore } from '../emulator';
import { SCENARIO } from '../scenario';
import { daysAgo, writeAll } from '../scenario/types';
import { startLocalServers, type LocalServers } from '../servers';

const FUNCTIONS_DIR = resolve(__dirname, '../..');
const ROOT = resolve(FUNCTIONS_DIR, '..');
const DIST = join(ROOT, 'dashboard', 'dist');

export const DEMO_ADMIN = { email: 'admin@example.com', password: 'demo-admin-password', displayName: 'Demo admin' };
export const DEMO_USER = { email: 'viewer@example.com', password: 'demo-viewer-password', displayName: 'Not an admin' };

export interface StackOptions {
  /** Port of the dashboard (default: a free one). The origin http://localhost:<port> is the only one the callables answer. */
  dashboardPort?: number;
  projectId?: string;
  log?: (line: string) => void;
}

export interface DashboardStack {
  url: string;
  projectId: string;
  functionsUrl: string;
  ackBaseUrl: string;
  firestoreHost: string;
  db: Firestore;
  servers: LocalServers;
  now: Date;
  stop(): Promise<void>;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
};

/**
 * Hosting's rewrite of `/ack` to the acknowledgeFromLink function (firebase.json), done here by
 * passing the request on to the Functions emulator (loopback) and its answer back.
 */
function proxyAck(req: IncomingMessage, res: ServerResponse, ackBaseUrl: string): void {
  const incoming = new URL(req.url ?? '/', 'http://localhost');
  const target = new URL(ackBaseUrl);
  target.search = incoming.search;
  const headers = { ...req.headers, host: target.host };
  const upstream = httpRequest(target, { method: req.method, headers }, (answer) => {
    res.writeHead(answer.statusCode ?? 502, answer.headers);
    answer.pipe(res);
  });
  upstream.once('error', (error) => {
    res.writeHead(502, { 'content-type': 'text/plain' });
    res.end(`acknowledgeFromLink unreachable: ${error.message}`);
  });
  req.pipe(upstream);
}

function serveDashboard(port: number, initJson: string, ackBaseUrl: string): Promise<Server> {
  if (!existsSync(join(DIST, 'index.html'))) throw new Error(`${DIST}/index.html not found: build the dashboard first (npm --prefix dashboard run build).`);
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
    if (path === '/ack' || path.startsWith('/ack/')) return proxyAck(req, res, ackBaseUrl);
    if (path === '/__/firebase/init.json') {
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(initJson);
      return;
    }
    const file = normalize(join(DIST, path));
    const target = file.startsWith(DIST) && existsSync(file) && extname(file) ? file : join(DIST, 'index.html');
    res.writeHead(200, { 'content-type': TYPES[extname(target)] ?? 'application/octet-stream' });
    res.end(readFileSync(target));
  });
  return new Promise((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolveListen(server));
  });
}

/** One metrics snapshot a day for 30 days, so the charts have a history (the metrics job writes the latest). */
async function seedMetricsHistory(db: Firestore, now: Date): Promise<void> {
  const docs = Array.from({ length: 30 }, (_, index) => {
    const day = 30 - index;
    const wave = Math.sin(index / 3);
    const authorized = 180 + Math.round(40 * wave);
    const captured = authorized - (day === 4 || day === 11 ? 25 : 4 + (index % 3));
    return {
      id: `demo-history-${day}`,
      timestamp: daysAgo(now, day),
      source: 'demo-history',
      period: '24h',
      stripe: {
        payments: authorized + 12,
        failed: 6 + (index % 4) + (day === 4 ? 30 : 0),
        authorized,
        captured,
        captureRate: (captured / authorized) * 100,
        volume: {
          EUR: { payments: captured, amount: captured * 4_850, average: 4_850 },
          USD: { payments: 30 + (index % 7), amount: (30 + (index % 7)) * 5_200, average: 5_200 },
        },
      },
      paypal: { payments: 40 + (index % 5), failed: 1 + (index % 2), payoutsPaid: 12, payoutsFailed: day === 2 ? 3 : 0, payoutsPending: 2 },
      calls: { completed: 95 + (index % 9), failed: 2 + (index % 3) },
    };
  });
  await writeAll(db, 'payment_metrics', docs);
}

function waitForLine(child: ChildProcess, pattern: RegExp, timeoutMs: number, output: string[]): Promise<void> {
  return new Promise((resolveWait, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`firebase emulators did not start within ${timeoutMs / 1000} s:\n${output.join('').slice(-3000)}`)),
      timeoutMs,
    );
    const onData = (chunk: Buffer) => {
      output.push(chunk.toString());
      if (pattern.test(output.join(''))) {
        clearTimeout(timer);
        resolveWait();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`firebase emulators exited (code ${code}):\n${output.join('').slice(-3000)}`));
    });
  });
}

function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => (code === 0 ? resolveRun() : reject(new Error(`${command} ${args.join(' ')} failed (${code}):\n${output.slice(-3000)}`))));
  });
}

const dotenv = (values: Record<string, string>) =>
  `# Written by dev/dashboard/stack.ts for the local emulators; removed when it stops.\n${Object.entries(values)
    .map(([name, value]) => `${name}=${JSON.stringify(value)}`)
    .join('\n')}\n`;

export async function startDashboardStack(options: StackOptions = {}): Promise<DashboardStack> {
  const log = options.log ?? (() => undefined);
  const projectId = options.projectId ?? 'demo-monitoring';
  const cleanups: Array<() => Promise<void> | void> = [];
  const stop = async () => {
    for (const cleanup of cleanups.reverse()) {
      try {
        await cleanup();
      } catch {
        // keep stopping the rest
      }
    }
  };
  try {
    const [functionsPort, authPort, hubPort, loggingPort, dashboardPort] = await Promise.all([
      freePort(),
      freePort(),
      freePort(),
      freePort(),
      options.dashboardPort ?? freePort(),
    ]);
    const origin = `http://localhost:${dashboardPort}`;
    const functionsUrl = `http://127.0.0.1:${functionsPort}/${projectId}/${REGION}`;
    // The messages carry the short link of production (Hosting rewrites /ack to the function); the local server does the same.
    const ackFunctionUrl = `${functionsUrl}/acknowledgeFromLink`;
    const ackBaseUrl = `${origin}/ack`;

    log('Starting the embedded Firestore and the local Slack/SMTP/Twilio/PagerDuty/Sentry/Stripe/PayPal servers');
    delete process.env.FIRESTORE_EMULATOR_HOST;
    const firestore: LocalFirestore = await startFirestore();
    cleanups.push(() => firestore.stop());
    const servers = await startLocalServers();
    cleanups.push(() => servers.stop());
    const env: Record<string, string> = {
      ...servers.env,
      MONITORING_ENVIRONMENT: 'demo',
      RUNBOOK_BASE_URL: 'https://github.com/your-org/your-repo/blob/main/docs/runbook.md',
      ALERT_EMAIL_TO: 'oncall@example.com',
      ALERT_SMS_TO: '+33600000001',
      ACK_LINK_BASE_URL: ackBaseUrl,
      DASHBOARD_ORIGINS: JSON.stringify([origin]),
    };
    Object.assign(process.env, env, {
      GCLOUD_PROJECT: projectId,
      FIREBASE_AUTH_EMULATOR_HOST: `127.0.0.1:${authPort}`,
      MONITORING_LOG_LEVEL: process.env.MONITORING_LOG_LEVEL ?? 'error',
    });
    for (const app of getApps()) await deleteApp(app);
    initializeApp({ projectId });
    const db = getFirestore();
    const now = new Date(Math.floor(Date.now() / 60_000) * 60_000);

    log('Seeding the demo scenario and running every job once');
    for (const part of SCENARIO) await part.seed({ db, now, servers });
    await seedMetricsHistory(db, now);
    for (const job of JOBS)
      await runJob(job.name, { trigger: 'cli', now }).catch((error: { result?: unknown }) => (error.result ? undefined : Promise.reject(error)));

    log('Building the functions (tsc)');
    const node24 = join(FUNCTIONS_DIR, 'node_modules', 'node', 'bin');
    const childEnv = { ...process.env, PATH: `${node24}:${process.env.PATH}` };
    await run(join(FUNCTIONS_DIR, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.json'], FUNCTIONS_DIR, childEnv);

    // Params for the emulator (it prompts for unset ones): strings in .env.local, secrets in .secret.local.
    const strings: Record<string, string> = {};
    const secrets: Record<string, string> = {};
    for (const entry of PARAMS) {
      const value = env[entry.param.name] ?? process.env[entry.param.name] ?? entry.defaultValue ?? (entry.kind === 'secret' ? 'none' : '');
      (entry.kind === 'secret' ? secrets : strings)[entry.param.name] = value;
    }
    for (const job of JOBS) for (const secret of job.secrets) secrets[secret.name] ??= env[secret.name] ?? 'none';
    // Every vendor base URL of the stand-ins, PagerDuty's included: nothing may reach the real vendors.
    for (const name of ['TWILIO_API_BASE_URL', 'STRIPE_API_BASE_URL', 'PAYPAL_API_BASE_URL', 'PAGERDUTY_EVENTS_URL']) strings[name] = env[name];
    strings.FIRESTORE_EMULATOR_HOST = firestore.host;
    strings.MONITORING_ENVIRONMENT = 'demo';
    const envFile = join(FUNCTIONS_DIR, '.env.local');
    const secretFile = join(FUNCTIONS_DIR, '.secret.local');
    writeFileSync(envFile, dotenv(strings));
    writeFileSync(secretFile, dotenv(secrets));
    cleanups.push(() => {
      rmSync(envFile, { force: true });
      rmSync(secretFile, { force: true });
    });

    const base = JSON.parse(readFileSync(join(ROOT, 'firebase.json'), 'utf8')) as { functions: unknown };
    const configFile = join(ROOT, '.firebase-local.json');
    writeFileSync(
      configFile,
      JSON.stringify(
        {
          functions: base.functions,
          emulators: {
            singleProjectMode: false,
            functions: { host: '127.0.0.1', port: functionsPort },
            auth: { host: '127.0.0.1', port: authPort },
            hub: { host: '127.0.0.1', port: hubPort },
            logging: { host: '127.0.0.1', port: loggingPort },
            ui: { enabled: false },
          },
        },
        null,
        2,
      ),
    );
    cleanups.push(() => rmSync(configFile, { force: true }));

    log(`Starting firebase-tools emulators (functions :${functionsPort}, auth :${authPort})`);
    const temp = mkdtempSync(join(tmpdir(), 'dashboard-emulators-'));
    cleanups.push(() => rmSync(temp, { recursive: true, force: true }));
    const firebase = spawn(
      join(FUNCTIONS_DIR, 'node_modules', '.bin', 'firebase'),
      ['emulators:start', '--only', 'functions,auth', '--project', projectId, '--config', configFile],
      {
        cwd: ROOT,
        detached: true,
        env: { ...childEnv, TMPDIR: temp, FIREBASE_CLI_DISABLE_UPDATE_CHECK: 'true', CI: 'true', FIREBASE_AUTH_EMULATOR_HOST: '', GCLOUD_PROJECT: '' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const output: string[] = [];
    cleanups.push(
      () =>
        new Promise<void>((done) => {
          if (firebase.exitCode !== null) return done();
          firebase.once('exit', () => done());
          process.kill(-firebase.pid!, 'SIGINT');
          setTimeout(() => {
            if (firebase.exitCode === null) process.kill(-firebase.pid!, 'SIGKILL');
          }, 10_000).unref();
        }),
    );
    await waitForLine(firebase, /All emulators ready/, 120_000, output);

    log('Creating the demo users in the Auth emulator');
    const auth = getAuth();
    const admin = await auth.createUser(DEMO_ADMIN);
    await auth.setCustomUserClaims(admin.uid, { admin: true });
    await auth.createUser(DEMO_USER);

    const initJson = JSON.stringify({
      apiKey: 'demo-api-key',
      projectId,
      authDomain: `${projectId}.firebaseapp.com`,
      emulators: { auth: `http://127.0.0.1:${authPort}`, functions: { host: '127.0.0.1', port: functionsPort } },
    });
    const server = await serveDashboard(dashboardPort, initJson, ackFunctionUrl);
    cleanups.push(() => new Promise<void>((done) => server.close(() => done())));
    return { url: `${origin}/`, projectId, functionsUrl, ackBaseUrl, firestoreHost: firestore.host, db, servers, now, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
