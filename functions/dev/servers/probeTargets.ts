/**
 * Endpoints for the HTTP probes to watch: a healthy JSON health page, a plain-text status page, and
 * endpoints that answer slowly, with 500, with a wrong body, or never; a TLS server whose self-signed
 * certificate (made with openssl at start) expires in a few days; and a dead man's switch receiver in
 * the healthchecks.io convention (`/ping/<uuid>`, `/start`, `/fail`).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalHttpServer } from './http';

export class ProbeTargets extends LocalHttpServer {
  /** Delay of /slow. */
  slowMs = 400;
  /** Token /private expects in `authorization: Bearer <token>`. */
  token = 'local-probe-token';
  /** What /health reports as its status (tests flip it to simulate an outage). */
  healthStatus = 'ok';

  constructor() {
    super('probe-targets');
    this.route('GET', '/health', () => ({ status: 200, body: { status: this.healthStatus, checks: { db: 'ok' } } }));
    this.route('GET', '/status', () => ({ status: 200, body: 'all systems operational' }));
    this.route('GET', '/slow', async () => {
      await new Promise((resolve) => setTimeout(resolve, this.slowMs));
      return { status: 200, body: { status: 'ok' } };
    });
    this.route('GET', '/error', () => ({ status: 500, body: { error: 'internal' } }));
    // A body that is untrusted in every way: markup, mentions, control characters, and long.
    this.route('GET', '/wrong', () => ({
      status: 200,
      body: { status: `degraded <!channel> <script>alert(1)</script>\u0007 ${'x'.repeat(5_000)}` },
    }));
    this.route('GET', '/html', () => ({ status: 200, body: `<html><body>Maintenance <b>@here</b></body></html>${' '.repeat(100)}` }));
    this.route('GET', '/hang', () => new Promise(() => undefined));
    // A redirect towards the metadata server: a probe must report the 302, never follow it.
    this.route('GET', '/redirect', () => ({ status: 302, headers: { location: 'http://169.254.169.254/computeMetadata/v1/' }, body: '' }));
    // A metadata-server lookalike: the value of the field must never reach an alert or the history.
    this.route('GET', '/token', () => ({ status: 200, body: { access_token: 'ya29.LOCAL-SECRET-TOKEN-VALUE', token_type: 'Bearer' } }));
    this.route('GET', '/private', (request) =>
      request.headers.authorization === `Bearer ${this.token}` ? { status: 200, body: { status: 'ok' } } : { status: 401, body: { error: 'unauthorized' } },
    );
  }

  override reset(): void {
    super.reset();
    this.slowMs = 400;
    this.healthStatus = 'ok';
  }
}

/** A self-signed certificate for 127.0.0.1 / localhost valid for `days` from now (openssl). */
export function selfSignedCertificate(days: number): { key: string; cert: string } {
  const dir = mkdtempSync(join(tmpdir(), 'probe-cert-'));
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
        '-days',
        String(days),
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=DNS:localhost,IP:127.0.0.1',
      ],
      { stdio: 'ignore' },
    );
    return { key: readFileSync(join(dir, 'key.pem'), 'utf8'), cert: readFileSync(join(dir, 'cert.pem'), 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** An HTTPS server answering `{"status":"ok"}` on every path, with a self-signed certificate. */
export class TlsProbeTarget {
  private server: HttpsServer | null = null;
  port = 0;

  constructor(readonly days: number) {}

  get url(): string {
    return `https://localhost:${this.port}/health`;
  }

  async start(): Promise<this> {
    const { key, cert } = selfSignedCertificate(this.days);
    this.server = createHttpsServer({ key, cert }, (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ status: 'ok' }));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    const address = this.server.address();
    this.port = typeof address === 'object' && address ? address.port : 0;
    return this;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
    this.server = null;
  }
}

/** Receives dead man's switch pings (healthchecks.io convention). */
export class HeartbeatReceiver extends LocalHttpServer {
  readonly uuid = '5f1e2d3c-0000-4000-8000-000000000001';

  constructor() {
    super('heartbeat');
    for (const suffix of ['', '/start', '/fail']) this.route('POST', `/ping/:uuid${suffix}`, () => ({ status: 200, body: 'OK' }));
  }

  get pingUrl(): string {
    return `${this.url}/ping/${this.uuid}`;
  }

  /** Pings received: which kind, and the body. */
  get pings(): Array<{ kind: 'start' | 'success' | 'fail'; body: string }> {
    return this.requests.map((request) => ({
      kind: request.path.endsWith('/start') ? 'start' : request.path.endsWith('/fail') ? 'fail' : 'success',
      body: request.body,
    }));
  }
}
