/**
 * The probes job (`probes`, every 5 minutes): probes every enabled endpoint of `probes.endpoints` in
 * parallel, each under its own timeout (one hanging endpoint delays nothing else: the run lasts as
 * long as the slowest timeout), keeps a bounded history per endpoint in monitoring_probes/{endpoint}
 * and reports three measurements per endpoint: consecutive failures (http_probe_down), p95 latency
 * against the endpoint's budget (http_probe_slow) and, for https://, the certificate's days left.
 *
 * Costs one document read and one write per endpoint per run (the history is a capped array in the
 * endpoint's document, not a query over a results collection).
 */
import type { Timestamp } from 'firebase-admin/firestore';
import { PROBE_SECRETS, readParam } from '../../config/params';
import { credentialAllowed, credentialHostsParam, type ProbeEndpoint } from '../../config/probes';
import { fs } from '../../platform/firestore';
import type { Monitor, MonitorContext } from '../types';
import { appendResult, consecutiveFailures, daysLeft, latencySummary, type StoredResult } from './history';
import { displayTarget, probeEndpoint, type CertificateInfo, type ProbeOutcome } from './probe';

export const PROBES_COLLECTION = 'monitoring_probes';
/** A probe document no run has updated for this long (endpoint removed) is deleted by its TTL. */
export const PROBE_DOC_TTL_DAYS = 7;

/** monitoring_probes/{endpoint name}: the latest result and the bounded history of one endpoint. */
export interface ProbeDoc {
  name: string;
  /** Origin and path (no query string, no credentials). */
  target: string;
  method: string;
  checkedAt: Timestamp;
  lastOk: boolean;
  lastStatus: number | null;
  lastLatencyMs: number | null;
  lastError: string | null;
  lastSuccessAt: Timestamp | null;
  consecutiveFailures: number;
  /** Newest last; at most `probes.historySize` entries. */
  recent: StoredResult[];
  certificate: (Omit<CertificateInfo, 'validToMs'> & { daysLeft: number }) | null;
  expireAt: Timestamp;
}

type Headers = { ok: true; headers: Record<string, string> } | { ok: false; reason: string };

/**
 * Header values with their secret references replaced by the secrets' values (never stored). A
 * secret goes only to the hosts the deployment lists in PROBE_CREDENTIAL_HOSTS: validation refuses
 * the others, and this check holds even for settings stored before the param changed.
 */
export function resolveHeaders(endpoint: ProbeEndpoint, credentialHosts: readonly string[] = credentialHostsParam()): Headers {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(endpoint.headers)) {
    if (typeof value === 'string') {
      headers[name] = value;
      continue;
    }
    if (!credentialAllowed(endpoint.url, credentialHosts)) {
      return { ok: false, reason: `header ${name} references ${value.secret}, which is sent only to the hosts of PROBE_CREDENTIAL_HOSTS` };
    }
    const entry = PROBE_SECRETS.find((candidate) => candidate.param.name === value.secret);
    const secret = entry ? readParam(entry) : undefined;
    if (!secret) return { ok: false, reason: `header ${name} needs the secret ${value.secret}, which is not set` };
    headers[name] = secret;
  }
  return { ok: true, headers };
}

export interface EndpointSummary {
  ok: boolean | null;
  status: number | null;
  latencyMs: number | null;
  error: string | null;
  consecutiveFailures: number | null;
  p95Ms: number | null;
  certificateDaysLeft: number | null;
}

export const probesMonitor: Monitor = {
  async run(ctx) {
    const settings = ctx.config.probes;
    const endpoints = settings.endpoints.filter((endpoint) => endpoint.enabled);
    if (endpoints.length === 0) {
      ctx.skip('probes', 'no enabled endpoint in probes.endpoints');
      return { endpoints: {} };
    }
    const collection = ctx.db.db.collection(PROBES_COLLECTION);
    const snapshots = await ctx.db.getAll(endpoints.map((endpoint) => collection.doc(endpoint.name)));
    const summaries: Record<string, EndpointSummary> = {};
    await Promise.all(
      endpoints.map(async (endpoint, index) => {
        const headers = resolveHeaders(endpoint);
        if (!headers.ok) {
          ctx.skip(`probe:${endpoint.name}`, headers.reason);
          summaries[endpoint.name] = {
            ok: null,
            status: null,
            latencyMs: null,
            error: headers.reason,
            consecutiveFailures: null,
            p95Ms: null,
            certificateDaysLeft: null,
          };
          return;
        }
        const outcome = await probeEndpoint(endpoint, headers.headers, endpoint.timeoutMs ?? settings.timeoutMs);
        const previous = snapshots[index].exists ? (snapshots[index].data() as ProbeDoc) : null;
        summaries[endpoint.name] = await record(ctx, endpoint, outcome, previous, settings.historySize);
      }),
    );
    return { endpoints: summaries };
  },
};

async function record(
  ctx: MonitorContext,
  endpoint: ProbeEndpoint,
  outcome: ProbeOutcome,
  previous: ProbeDoc | null,
  historySize: number,
): Promise<EndpointSummary> {
  const { Timestamp } = fs();
  const nowMs = ctx.now.getTime();
  const target = displayTarget(endpoint.url);
  const result: StoredResult = { t: ctx.tickMs, ok: outcome.ok, status: outcome.status, ms: outcome.latencyMs, error: outcome.error };
  const recent = appendResult(Array.isArray(previous?.recent) ? previous.recent : [], result, historySize);
  const failures = consecutiveFailures(recent);

  ctx.observe({
    ruleId: 'http_probe_down',
    key: endpoint.name,
    value: failures,
    details: { target, method: endpoint.method, lastStatus: outcome.status, lastLatencyMs: outcome.latencyMs, lastError: outcome.error },
  });

  const slow = ctx.settings('http_probe_slow');
  const latency = latencySummary(recent, nowMs - slow.params.windowMinutes * 60_000);
  ctx.observe({
    ruleId: 'http_probe_slow',
    key: endpoint.name,
    value: latency.p95Ms === null ? null : Math.round((latency.p95Ms / endpoint.maxLatencyMs) * 1000) / 10,
    sample: latency.sample,
    details: { target, p95Ms: latency.p95Ms, maxLatencyMs: endpoint.maxLatencyMs },
  });

  let certificate: ProbeDoc['certificate'] = null;
  if (target.startsWith('https:')) {
    if (outcome.certificate) {
      const { validToMs, ...info } = outcome.certificate;
      certificate = { ...info, daysLeft: daysLeft(validToMs, nowMs) };
    }
    ctx.observe({
      ruleId: 'http_probe_certificate_expiring',
      key: endpoint.name,
      value: certificate?.daysLeft ?? null,
      details: certificate ? { target, ...certificate } : { target, error: outcome.certificateError },
    });
  }

  const succeeded = outcome.ok ? Timestamp.fromMillis(nowMs) : (previous?.lastSuccessAt ?? null);
  const doc: ProbeDoc = {
    name: endpoint.name,
    target,
    method: endpoint.method,
    checkedAt: Timestamp.fromMillis(nowMs),
    lastOk: outcome.ok,
    lastStatus: outcome.status,
    lastLatencyMs: outcome.latencyMs,
    lastError: outcome.error,
    lastSuccessAt: succeeded,
    consecutiveFailures: failures,
    recent,
    certificate,
    expireAt: Timestamp.fromMillis(nowMs + PROBE_DOC_TTL_DAYS * 86_400_000),
  };
  await ctx.write(PROBES_COLLECTION, endpoint.name, doc as unknown as Record<string, unknown>);
  return {
    ok: outcome.ok,
    status: outcome.status,
    latencyMs: outcome.latencyMs,
    error: outcome.error,
    consecutiveFailures: failures,
    p95Ms: latency.p95Ms,
    certificateDaysLeft: certificate?.daysLeft ?? null,
  };
}
