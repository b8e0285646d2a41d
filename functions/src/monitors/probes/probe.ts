/**
 * One HTTP probe: a request through platform/outbound.ts (only to targets the deployment allows,
 * checked on every resolved address at connect time; one hard timeout covers connection, headers
 * and body), the checks of the endpoint (status, body text, JSON condition), and for https://
 * endpoints the certificate the server presents (a separate TLS handshake that accepts any
 * certificate, so an expired or self-signed one is still read and dated).
 *
 * Never throws: every failure is a result with a short reason. Response bodies come from outside:
 * at most MAX_BODY_BYTES is read, and no part of it is ever put in a reason (bodyProblem).
 */
import { connect, type PeerCertificate } from 'node:tls';
import { isIP } from 'node:net';
import { evaluateJsonCondition, formatPath, parseJsonCondition, type ProbeEndpoint } from '../../config/probes';
import {
  checkUrlTarget,
  guardedLookup,
  outboundFailure as failureReason,
  OutboundRefused,
  outboundPolicy,
  outboundRequest,
  type OutboundError,
  type OutboundPolicy,
  type OutboundResponse,
  type Resolver,
} from '../../platform/outbound';

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

/** The kind of a JSON value, from a closed list: all a failure reason says about what was found. */
function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return typeof value === 'string' ? 'a string' : typeof value === 'number' ? 'a number' : 'a boolean';
}

/**
 * What is wrong with a body, or null when it meets the endpoint's conditions. Said from a fixed
 * vocabulary (the configured text, path, operator and value, the kind of value found) and never with
 * anything read from the body: a probe's answer must not be readable through alerts, messages or the
 * history (an endpoint answering a token would otherwise hand it to whoever can read an alert).
 */
export function bodyProblem(endpoint: Pick<ProbeEndpoint, 'bodyContains' | 'jsonCondition'>, body: string): string | null {
  if (endpoint.bodyContains !== null && !body.includes(endpoint.bodyContains)) {
    return `body does not contain ${quote(endpoint.bodyContains, 200)}`;
  }
  if (endpoint.jsonCondition !== null) {
    const condition = parseJsonCondition(endpoint.jsonCondition);
    let document: unknown;
    try {
      document = JSON.parse(body);
    } catch {
      return 'body is not JSON';
    }
    const outcome = evaluateJsonCondition(condition, document);
    if (!outcome.ok) {
      const path = formatPath(condition.path);
      const expectation = condition.operator ? `${condition.operator} ${JSON.stringify(condition.expected)}` : 'present, not null or false';
      return outcome.found ? `${path} is ${kindOf(outcome.actual)}, expected ${expectation}` : `${path} not found, expected ${expectation}`;
    }
  }
  return null;
}

/** Where a probe may connect (the deployment's policy) and how names are resolved (injected by tests). */
export interface ProbeOptions {
  policy?: OutboundPolicy;
  resolver?: Resolver;
}

export async function probeEndpoint(
  endpoint: ProbeEndpoint,
  headers: Record<string, string>,
  timeoutMs: number,
  options: ProbeOptions = {},
): Promise<ProbeOutcome> {
  const https = new URL(endpoint.url).protocol === 'https:';
  const resolved = { policy: options.policy ?? outboundPolicy(), resolver: options.resolver };
  const [http, certificate] = await Promise.all([
    probeHttp(endpoint, headers, timeoutMs, resolved),
    https ? readCertificate(endpoint.url, timeoutMs, resolved) : Promise.resolve(null),
  ]);
  return {
    ...http,
    certificate: certificate && 'validTo' in certificate ? certificate : null,
    certificateError: certificate && 'error' in certificate ? certificate.error : null,
  };
}

async function probeHttp(endpoint: ProbeEndpoint, headers: Record<string, string>, timeoutMs: number, options: ProbeOptions) {
  const needsBody = endpoint.bodyContains !== null || endpoint.jsonCondition !== null;
  let response: OutboundResponse;
  try {
    response = await outboundRequest({
      url: endpoint.url,
      method: endpoint.method,
      headers: { 'user-agent': 'marketplace-monitoring-probe/1', ...headers },
      body: endpoint.method === 'POST' ? (endpoint.body ?? undefined) : undefined,
      // A redirect is an answer of its own (never followed): list 3xx statuses in expectedStatus to accept it.
      timeoutMs,
      readBody: needsBody,
      maxBodyBytes: MAX_BODY_BYTES,
      policy: options.policy,
      resolver: options.resolver,
    });
  } catch (error) {
    const reason = failureReason(error, timeoutMs);
    const { status = null, latencyMs = null } = error as OutboundError;
    return { ok: false, status, latencyMs, error: status === null ? reason : `status ${status}, then reading the body: ${reason}` };
  }
  const { status, latencyMs, body } = response;
  if (!endpoint.expectedStatus.includes(status)) {
    return { ok: false, status, latencyMs, error: `status ${status}, expected ${endpoint.expectedStatus.join(' or ')}` };
  }
  const problem = needsBody ? bodyProblem(endpoint, body) : null;
  return { ok: problem === null, status, latencyMs, error: problem };
}

function readCertificate(
  url: string,
  timeoutMs: number,
  options: { policy: OutboundPolicy; resolver?: Resolver },
): Promise<CertificateInfo | { error: string }> {
  const target = new URL(url);
  const host = target.hostname.replace(/^\[|\]$/g, '');
  const verdict = checkUrlTarget(target, options.policy);
  if (!verdict.ok) return Promise.resolve({ error: `target refused: ${verdict.reason}` });
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
      // Every address the name resolves to is checked, and the socket connects to those only.
      lookup: guardedLookup(options.policy, options.resolver),
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
    socket.once('error', (error: NodeJS.ErrnoException) =>
      finish({ error: error instanceof OutboundRefused ? `target refused: ${error.reason}` : `TLS connection failed: ${error.code ?? 'error'}` }),
    );
  });
}
