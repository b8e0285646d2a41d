/**
 * One HTTP probe: a request with fetch under a hard timeout (AbortSignal.timeout covers connection,
 * headers and body), the checks of the endpoint (status, body text, JSON condition), and for https://
 * endpoints the certificate the server presents (a separate TLS handshake that accepts any
 * certificate, so an expired or self-signed one is still read and dated).
 *
 * Never throws: every failure is a result with a short reason. Response bodies come from outside:
 * they are read up to a limit and only ever quoted, bounded, in a reason.
 */
import { connect, type PeerCertificate } from 'node:tls';
import { isIP } from 'node:net';
import { evaluateJsonCondition, formatPath, parseJsonCondition, type ProbeEndpoint } from '../../config/probes';

/** Bytes of a response body read for the checks; the rest is discarded. */
export const MAX_BODY_BYTES = 64 * 1024;

export interface CertificateInfo {
  /** Expiry instant (ISO). */
  validTo: string;
  validToMs: number;
  /** Whether the certificate chains to a trusted root for this host name. */
  trusted: boolean;
  /** Why it is not trusted (OpenSSL code such as DEPTH_ZERO_SELF_SIGNED_CERT), null when trusted. */
  trustError: string | null;
  subject: string | null;
  issuer: string | null;
}

export interface ProbeOutcome {
  ok: boolean;
  status: number | null;
  /** Milliseconds to the response headers; null when no response arrived. */
  latencyMs: number | null;
  error: string | null;
  /** https:// endpoints only; null when the handshake did not complete. */
  certificate: CertificateInfo | null;
  certificateError: string | null;
}

/**
 * A bounded, quoted rendering of untrusted text: at most `max` characters, as a JSON string (quotes and
 * control characters escaped), with `<`, `>` and `&` escaped too so that no channel reads markup or a
 * Slack mention (`<!channel>`) in it.
 */
export function quote(value: unknown, max = 60): string {
  const raw = typeof value === 'string' ? value : value === undefined ? 'undefined' : (JSON.stringify(value) ?? String(value));
  const clipped = raw.length > max ? `${raw.slice(0, max)}…` : raw;
  return JSON.stringify(clipped).replace(/[<>&]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Origin and path of a URL: no credentials, no query string (it may carry a token). */
export function displayTarget(url: string): string {
  const parsed = new URL(url);
  return `${parsed.origin}${parsed.pathname}`;
}

function failureReason(error: unknown, timeoutMs: number): string {
  const err = error as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (err?.name === 'TimeoutError' || err?.name === 'AbortError') return `no answer within ${timeoutMs} ms`;
  const cause = err?.cause;
  if (cause?.code) return `connection failed: ${cause.code}`;
  return `request failed: ${String(cause?.message ?? err?.message ?? error).slice(0, 120)}`;
}

/** Reads at most MAX_BODY_BYTES of the body as text. */
async function readBounded(response: Response): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < MAX_BODY_BYTES) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
  } finally {
    void reader.cancel().catch(() => undefined);
  }
  return Buffer.concat(chunks).subarray(0, MAX_BODY_BYTES).toString('utf8');
}

/** What is wrong with a body, or null when it meets the endpoint's conditions. */
export function bodyProblem(endpoint: Pick<ProbeEndpoint, 'bodyContains' | 'jsonCondition'>, body: string): string | null {
  if (endpoint.bodyContains !== null && !body.includes(endpoint.bodyContains)) {
    return `body does not contain ${quote(endpoint.bodyContains, 200)} (starts with ${quote(body.trim(), 40)})`;
  }
  if (endpoint.jsonCondition !== null) {
    const condition = parseJsonCondition(endpoint.jsonCondition);
    let document: unknown;
    try {
      document = JSON.parse(body);
    } catch {
      return `body is not JSON (starts with ${quote(body.trim(), 40)})`;
    }
    const outcome = evaluateJsonCondition(condition, document);
    if (!outcome.ok) {
      const path = formatPath(condition.path);
      const expectation = condition.operator ? `${condition.operator} ${JSON.stringify(condition.expected)}` : 'present, not null or false';
      return outcome.found ? `${path} is ${quote(outcome.actual)}, expected ${expectation}` : `${path} not found, expected ${expectation}`;
    }
  }
  return null;
}

export async function probeEndpoint(endpoint: ProbeEndpoint, headers: Record<string, string>, timeoutMs: number): Promise<ProbeOutcome> {
  const https = new URL(endpoint.url).protocol === 'https:';
  const [http, certificate] = await Promise.all([
    probeHttp(endpoint, headers, timeoutMs),
    https ? readCertificate(endpoint.url, timeoutMs) : Promise.resolve(null),
  ]);
  return {
    ...http,
    certificate: certificate && 'validTo' in certificate ? certificate : null,
    certificateError: certificate && 'error' in certificate ? certificate.error : null,
  };
}

async function probeHttp(endpoint: ProbeEndpoint, headers: Record<string, string>, timeoutMs: number) {
  const started = performance.now();
  let status: number | null = null;
  let latencyMs: number | null = null;
  try {
    const response = await fetch(endpoint.url, {
      method: endpoint.method,
      headers: { 'user-agent': 'marketplace-monitoring-probe/1', ...headers },
      body: endpoint.method === 'POST' ? (endpoint.body ?? undefined) : undefined,
      // A redirect is an answer of its own: list 3xx statuses in expectedStatus to accept it.
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
    latencyMs = Math.round(performance.now() - started);
    status = response.status;
    const needsBody = endpoint.bodyContains !== null || endpoint.jsonCondition !== null;
    const body = needsBody ? await readBounded(response) : (void response.body?.cancel().catch(() => undefined), '');
    if (!endpoint.expectedStatus.includes(status)) {
      return { ok: false, status, latencyMs, error: `status ${status}, expected ${endpoint.expectedStatus.join(' or ')}` };
    }
    const problem = needsBody ? bodyProblem(endpoint, body) : null;
    return { ok: problem === null, status, latencyMs, error: problem };
  } catch (error) {
    const reason = failureReason(error, timeoutMs);
    return { ok: false, status, latencyMs, error: status === null ? reason : `status ${status}, then reading the body: ${reason}` };
  }
}

function readCertificate(url: string, timeoutMs: number): Promise<CertificateInfo | { error: string }> {
  const target = new URL(url);
  const host = target.hostname.replace(/^\[|\]$/g, '');
  return new Promise((resolve) => {
    let settled = false;
    const finish = (value: CertificateInfo | { error: string }) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(value);
    };
    const socket = connect({
      host,
      port: Number(target.port || 443),
      ...(isIP(host) ? {} : { servername: host }),
      // Read whatever the server presents: an expired or self-signed certificate must still be dated.
      rejectUnauthorized: false,
    });
    const timer = setTimeout(() => finish({ error: `no TLS handshake within ${timeoutMs} ms` }), timeoutMs);
    socket.once('secureConnect', () => {
      const cert: PeerCertificate = socket.getPeerCertificate();
      const validToMs = Date.parse(cert?.valid_to ?? '');
      if (!Number.isFinite(validToMs)) return finish({ error: 'the server presented no readable certificate' });
      const trustError = socket.authorizationError ? String(socket.authorizationError) : null;
      finish({
        validTo: new Date(validToMs).toISOString(),
        validToMs,
        trusted: socket.authorized,
        trustError: trustError ? trustError.slice(0, 80) : null,
        subject: cert.subject?.CN ? String(cert.subject.CN).slice(0, 100) : null,
        issuer: cert.issuer?.CN ? String(cert.issuer.CN).slice(0, 100) : null,
      });
    });
    socket.once('error', (error: NodeJS.ErrnoException) => finish({ error: `TLS connection failed: ${error.code ?? error.message.slice(0, 80)}` }));
  });
}
