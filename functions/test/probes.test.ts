/**
 * HTTP probes (probes job): the JSON condition language and the history as tables, then the real
 * pipeline (runJob) against local endpoints that answer, answer slowly, with 500, with a wrong body
 * or never, and a TLS server whose self-signed certificate expires in a few days.
 */
import { createServer } from 'node:net';
import type { Firestore } from 'firebase-admin/firestore';
import { TlsProbeTarget } from '../dev/servers/probeTargets';
import { stateIdFor } from '../src/alerts/evaluate';
import type { AlertDoc } from '../src/alerts/model';
import { evaluateJsonCondition, parseJsonCondition } from '../src/config/probes';
import { resolveConfig } from '../src/config/schema';
import { appendResult, consecutiveFailures, daysLeft, latencySummary, percentile, type StoredResult } from '../src/monitors/probes/history';
import type { ProbeDoc } from '../src/monitors/probes';
import { bodyProblem, quote } from '../src/monitors/probes/probe';
import type { SystemHealthSummary } from '../src/admin/health';
import { getSystemHealthSummary } from '../src/index';
import { runJob } from '../src/pipeline/run';
import { call } from './support/admin';
import { allDocs, closeFirebase, freshProject } from './support/firebase';
import { useLocalServers } from './support/servers';

/** A local port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('JSON condition', () => {
  const doc = { status: 'ok', count: 3, nested: { list: [{ name: 'db', up: true }], 'odd key': null }, flag: false };
  it.each([
    ['$.status == "ok"', true],
    ['$.status == "down"', false],
    ['$.status != "down"', true],
    ['$.count > 2', true],
    ['$.count >= 3', true],
    ['$.count < 3', false],
    ['$.count <= 3', true],
    ['$.status > 1', false],
    ['$.nested.list[0].name == "db"', true],
    ['$.nested.list[0].up == true', true],
    ['$.nested.list[1].name == "db"', false],
    ['$.nested["odd key"] == null', true],
    ['$.missing != "x"', true],
    ['$.missing == null', false],
    ['$.status', true],
    ['$.flag', false],
    ['$.nested["odd key"]', false],
    ['$.missing', false],
    ['  $.count   ==   3  ', true],
  ])('%s -> %s', (text, ok) => {
    expect(evaluateJsonCondition(parseJsonCondition(text), doc).ok).toBe(ok);
  });

  it.each([
    ['status == "ok"', 'condition must start with $'],
    ['$.status = "ok"', 'expected one of == != <= >= < > at position 9'],
    ['$.status == ok', 'the value after == must be a JSON string ("ok"), a number, true, false or null; got ok'],
    ['$.status == {"a":1}', 'must be a string, a number, true, false or null, not an object or array'],
    ['$.count > "3"', '> compares numbers'],
    ['$.status ==', 'expected a value after =='],
    ['$..status == 1', 'expected a field name after "." at position 2'],
    ['$.a[x] == 1', 'expected [index] or ["field"] at position 3'],
    [`$.${'a'.repeat(200)} == 1`, 'condition longer than 200 characters'],
  ])('rejects %s', (text, message) => {
    expect(() => parseJsonCondition(text)).toThrow(message);
  });

  it('never evaluates code: a "condition" that looks like JavaScript is a parse error', () => {
    expect(() => parseJsonCondition('$.a == process.exit(1)')).toThrow('must be a JSON string');
    expect(() => parseJsonCondition('$.constructor.constructor("return 1")()')).toThrow('expected one of');
    expect(evaluateJsonCondition(parseJsonCondition('$.constructor'), {}).ok).toBe(false);
  });
});

describe('probe history', () => {
  const r = (t: number, ok: boolean, ms: number | null = 100): StoredResult => ({
    t,
    ok,
    status: ms === null ? null : ok ? 200 : 500,
    ms,
    error: ok ? null : 'x',
  });

  it('appends, replaces the same tick and keeps the newest N', () => {
    const recent = [r(1, true), r(2, true), r(3, false)];
    expect(appendResult(recent, r(4, false), 3).map((entry) => entry.t)).toEqual([2, 3, 4]);
    expect(appendResult(recent, r(3, true), 3)).toEqual([r(1, true), r(2, true), r(3, true)]);
  });

  it.each([
    [[], 0],
    [[r(1, true)], 0],
    [[r(1, false)], 1],
    [[r(1, false), r(2, true), r(3, false), r(4, false)], 2],
    [[r(1, false), r(2, false), r(3, true)], 0],
  ])('consecutive failures of %j: %i', (recent, expected) => {
    expect(consecutiveFailures(recent as StoredResult[])).toBe(expected);
  });

  it.each([
    [[100], 95, 100],
    [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20], 95, 19],
    [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21], 95, 20],
    [[300, 100, 200], 95, 300],
    [[300, 100, 200], 50, 200],
  ])('p%#: percentile(%j, %i) = %i', (values, p, expected) => {
    expect(percentile(values, p)).toBe(expected);
  });

  it('latency: answered probes inside the window only (timeouts are not latencies)', () => {
    const recent = [r(1, true, 5_000), r(10, true, 100), r(11, false, null), r(12, false, 900), r(13, true, 200)];
    expect(latencySummary(recent, 10)).toEqual({ sample: 3, p95Ms: 900 });
    expect(latencySummary(recent, 100)).toEqual({ sample: 0, p95Ms: null });
  });

  it.each([
    [10 * 86_400_000, 10],
    [10 * 86_400_000 - 1, 9],
    [-1, -1],
    [-86_400_000, -1],
    [-86_400_001, -2],
  ])('days left for an expiry %i ms away: %i', (offset, expected) => {
    expect(daysLeft(1_000_000_000_000 + offset, 1_000_000_000_000)).toBe(expected);
  });
});

describe('untrusted bodies', () => {
  it('are quoted, bounded and stripped of markup and mentions', () => {
    expect(quote('ok')).toBe('"ok"');
    expect(quote('<!channel> & "x"\n\u0007')).toBe('"\\u003c!channel\\u003e \\u0026 \\"x\\"\\n\\u0007"');
    expect(quote('y'.repeat(100), 10)).toBe(`"${'y'.repeat(10)}…"`);
    expect(quote({ a: 1 })).toBe('"{\\"a\\":1}"');
  });

  it.each([
    [{ bodyContains: 'operational', jsonCondition: null }, 'all systems operational', null],
    [{ bodyContains: 'operational', jsonCondition: null }, 'down for maintenance', 'body does not contain "operational"'],
    [{ bodyContains: null, jsonCondition: '$.status == "ok"' }, '{"status":"ok"}', null],
    [{ bodyContains: null, jsonCondition: '$.status == "ok"' }, '{"status":"degraded"}', '$.status is a string, expected == "ok"'],
    [{ bodyContains: null, jsonCondition: '$.status == "ok"' }, '{"state":"ok"}', '$.status not found, expected == "ok"'],
    [{ bodyContains: null, jsonCondition: '$.db.up' }, '{"db":{"up":false}}', '$.db.up is a boolean, expected present, not null or false'],
    [{ bodyContains: null, jsonCondition: '$.status == "ok"' }, '<html>Bad gateway</html>', 'body is not JSON'],
  ])('%j on %s', (endpoint, body, problem) => {
    expect(bodyProblem(endpoint, body)).toBe(problem);
  });
});

describe('probe configuration', () => {
  const endpoint = (fields: Record<string, unknown>) => ({ probes: { endpoints: [{ name: 'api', url: 'https://api.example.com/health', ...fields }] } });

  it('fills the defaults of an endpoint', () => {
    const { config, problems } = resolveConfig(endpoint({}));
    expect(problems).toEqual([]);
    expect(config.probes).toEqual({
      timeoutMs: 10_000,
      historySize: 288,
      endpoints: [
        {
          name: 'api',
          url: 'https://api.example.com/health',
          method: 'GET',
          headers: {},
          body: null,
          expectedStatus: [200],
          maxLatencyMs: 2_000,
          bodyContains: null,
          jsonCondition: null,
          timeoutMs: null,
          enabled: true,
        },
      ],
    });
    expect(config.externalHeartbeat).toEqual({ url: null, timeoutMs: 5_000 });
  });

  it.each([
    [
      endpoint({ headers: { authorization: { secret: 'STRIPE_SECRET_KEY' } } }),
      'probes.endpoints.0.headers.authorization.secret: must name a probe secret (PROBE_TOKEN)',
    ],
    [endpoint({ jsonCondition: '$.status === "ok"' }), 'probes.endpoints.0.jsonCondition: invalid condition: the value after == must be a JSON string'],
    [endpoint({ method: 'HEAD', bodyContains: 'ok' }), 'probes.endpoints.0.method: a HEAD response has no body'],
    [endpoint({ body: '{}' }), 'probes.endpoints.0.body: only a POST probe sends a body'],
    [endpoint({ url: 'ftp://example.com' }), 'probes.endpoints.0.url: must be an http:// or https:// URL without credentials'],
    [endpoint({ url: 'https://user:pass@example.com/' }), 'probes.endpoints.0.url: must be an http:// or https:// URL without credentials'],
    [endpoint({ name: 'API Health' }), 'probes.endpoints.0.name: must be 1-40 lowercase letters'],
    [endpoint({ headers: { Host: 'x' } }), 'probes.endpoints.0.headers.Host: is set by the HTTP client'],
    [endpoint({ expectedStatus: 700 }), 'probes.endpoints.0.expectedStatus'],
    [
      {
        probes: {
          endpoints: [
            { name: 'a', url: 'https://a.example.com' },
            { name: 'a', url: 'https://b.example.com' },
          ],
        },
      },
      'probes.endpoints.1.name: duplicate endpoint name "a"',
    ],
    [{ externalHeartbeat: { url: 'not a url' } }, 'externalHeartbeat.url: must be an http:// or https:// URL'],
    [{ externalHeartbeat: { timeoutMs: 60_000 } }, 'externalHeartbeat.timeoutMs: Too big'],
  ])('rejects %j', (override, message) => {
    const { problems } = resolveConfig(override);
    expect(problems).toEqual(expect.arrayContaining([expect.stringContaining(message)]));
  });
});

describe('probes job', () => {
  const servers = useLocalServers();
  let db: Firestore;
  let tls: TlsProbeTarget;
  const START = new Date();
  const at = (minutes: number) => new Date(START.getTime() + minutes * 60_000);
  const run = (minutes: number) => runJob('probes', { trigger: 'test', now: at(minutes) });
  const alert = async (ruleId: string, key: string) =>
    (await allDocs<AlertDoc>(db, 'system_alerts')).find((item) => item._id === `${stateIdFor(ruleId, key)}-n1`);
  const evaluation = (result: Awaited<ReturnType<typeof run>>, ruleId: string, key: string) =>
    result.evaluations.find((item) => item.ruleId === ruleId && item.key === key);

  beforeAll(async () => {
    tls = await new TlsProbeTarget(5).start();
  });
  afterAll(async () => {
    await tls.stop();
    await closeFirebase();
  });

  async function configure(endpoints: Array<Record<string, unknown>>, extra: Record<string, unknown> = {}) {
    await db
      .collection('monitoring_config')
      .doc('settings')
      .set({
        recipients: { emails: ['oncall@example.com'], phones: ['+33612345678'] },
        probes: { endpoints, timeoutMs: 1_000 },
        ...extra,
      });
  }

  beforeEach(async () => {
    db = await freshProject();
  });

  it('probes every endpoint in parallel; a hanging one costs its timeout, nothing more; failures open "down" alerts at the 2nd failure', async () => {
    const base = servers.current.probeTargets.url;
    await configure([
      { name: 'health', url: `${base}/health`, jsonCondition: '$.status == "ok"' },
      { name: 'status-page', url: `${base}/status`, bodyContains: 'operational' },
      { name: 'error', url: `${base}/error` },
      { name: 'wrong', url: `${base}/wrong`, jsonCondition: '$.status == "ok"' },
      { name: 'hang', url: `${base}/hang` },
      { name: 'refused', url: `http://127.0.0.1:${await closedPort()}/health` },
      { name: 'private', url: `${base}/private?key=abc`, headers: { authorization: { secret: 'PROBE_TOKEN' } } },
    ]);
    const first = await run(0);
    expect(first.metrics.endpoints).toMatchObject({
      health: { ok: true, status: 200, consecutiveFailures: 0 },
      'status-page': { ok: true, status: 200 },
      error: { ok: false, status: 500, error: 'status 500, expected 200', consecutiveFailures: 1 },
      wrong: { ok: false, status: 200, consecutiveFailures: 1 },
      hang: { ok: false, status: null, latencyMs: null, error: 'no answer within 1000 ms' },
      refused: { ok: false, status: null, error: 'connection failed: ECONNREFUSED' },
      private: { ok: true, status: 200 },
    });
    // The hanging endpoint cost its 1 s timeout; every other answer came while it hung.
    const hangRequest = servers.current.probeTargets.requests.find((request) => request.path === '/hang')!;
    const others = servers.current.probeTargets.requests.filter((request) => request.path !== '/hang');
    expect(others.every((request) => Math.abs(request.at.getTime() - hangRequest.at.getTime()) < 500)).toBe(true);
    expect(first.timings.monitorMs).toBeLessThan(3_000);
    // One failure is not an alert yet (threshold 1: more than one in a row).
    expect(evaluation(first, 'http_probe_down', 'error')).toMatchObject({ status: 'ok', value: 1 });
    expect(await allDocs(db, 'system_alerts')).toEqual([]);

    const second = await run(5);
    expect(second.alerts.opened.map((item) => item.stateId).sort()).toEqual(
      ['error', 'hang', 'refused', 'wrong'].map((key) => stateIdFor('http_probe_down', key)).sort(),
    );
    const wrong = await alert('http_probe_down', 'wrong');
    expect(wrong).toMatchObject({ severity: 'critical', value: 2, title: 'Endpoint down: wrong', category: 'probes' });
    // The untrusted body is quoted and bounded: no markup, no mention, not 5,000 characters.
    expect(wrong!.message).toBe(`wrong (${base}/wrong) failed its last 2 probes: $.status is a string, expected == "ok"`);
    expect((await alert('http_probe_down', 'hang'))!.message).toBe(`hang (${base}/hang) failed its last 2 probes: no answer within 1000 ms`);
    const slack = servers.current.slack.requests.map((request) => request.body).join('\n');
    expect(slack).not.toContain('<!channel>');
    expect(slack).not.toContain('<script>');

    // The history: one document per endpoint, the query string and the secret nowhere.
    const docs = await allDocs<ProbeDoc>(db, 'monitoring_probes');
    expect(docs.map((doc) => doc._id).sort()).toEqual(['error', 'hang', 'health', 'private', 'refused', 'status-page', 'wrong']);
    const priv = docs.find((doc) => doc._id === 'private')!;
    expect(priv).toMatchObject({ target: `${base}/private`, lastOk: true, consecutiveFailures: 0, certificate: null });
    expect(priv.recent).toHaveLength(2);
    expect(priv.recent[1]).toEqual({ t: at(5).getTime(), ok: true, status: 200, ms: expect.any(Number), error: null });
    expect(priv.expireAt.toMillis()).toBe(at(5).getTime() + 7 * 86_400_000);
    const stored = JSON.stringify([docs, await allDocs(db, 'monitoring_runs'), await allDocs(db, 'system_alerts')]);
    expect(stored).not.toContain(servers.current.probeTargets.token);
    expect(stored).not.toContain('key=abc');
    expect(servers.current.probeTargets.requests.filter((request) => request.path === '/private').map((request) => request.headers.authorization)).toEqual([
      `Bearer ${servers.current.probeTargets.token}`,
      `Bearer ${servers.current.probeTargets.token}`,
    ]);
  });

  it('never quotes what an endpoint answered: a token-shaped field stays out of the alert, the history, Slack and email', async () => {
    const target = servers.current.probeTargets;
    await configure([
      { name: 'token', url: `${target.url}/token`, jsonCondition: '$.access_token == "x"' },
      { name: 'token-text', url: `${target.url}/token`, bodyContains: 'healthy' },
    ]);
    await run(0);
    await run(5);
    const down = await alert('http_probe_down', 'token');
    expect(down!.message).toBe(`token (${target.url}/token) failed its last 2 probes: $.access_token is a string, expected == "x"`);
    const doc = (await allDocs<ProbeDoc>(db, 'monitoring_probes')).find((item) => item._id === 'token-text')!;
    expect(doc.lastError).toBe('body does not contain "healthy"');
    expect(servers.current.slack.messages.length).toBeGreaterThan(0);
    expect(servers.current.smtp.mails.length).toBeGreaterThan(0);
    const everything = JSON.stringify([
      await allDocs(db, 'monitoring_probes'),
      await allDocs(db, 'system_alerts'),
      await allDocs(db, 'monitoring_runs'),
      servers.current.slack.messages,
      servers.current.smtp.mails,
    ]);
    expect(everything).not.toContain('LOCAL-SECRET-TOKEN-VALUE');
    expect(everything).not.toContain('ya29');
  });

  it('resolves "down" when the endpoint answers as expected again; a retried tick replaces its result', async () => {
    const target = servers.current.probeTargets;
    await configure([{ name: 'health', url: `${target.url}/health`, jsonCondition: '$.status == "ok"' }]);
    target.healthStatus = 'down';
    await run(0);
    await run(5);
    await run(5); // a retry of the same tick: still 2 results
    expect(await alert('http_probe_down', 'health')).toMatchObject({ resolved: false, value: 2 });
    target.healthStatus = 'ok';
    const recovered = await run(10);
    expect(recovered.alerts.resolved.map((item) => item.stateId)).toEqual([stateIdFor('http_probe_down', 'health')]);
    const doc = (await db.collection('monitoring_probes').doc('health').get()).data() as ProbeDoc;
    expect(doc.recent.map((entry) => [entry.t, entry.ok])).toEqual([
      [at(0).getTime(), false],
      [at(5).getTime(), false],
      [at(10).getTime(), true],
    ]);
    expect(doc.lastSuccessAt?.toMillis()).toBe(at(10).getTime());

    // The dashboard's view, through the health summary callable.
    const summary = await call<SystemHealthSummary>(getSystemHealthSummary, {});
    expect(summary.endpoints).toEqual([
      {
        name: 'health',
        target: `${target.url}/health`,
        checkedAt: at(10).toISOString(),
        lastOk: true,
        lastStatus: 200,
        lastLatencyMs: expect.any(Number),
        lastError: null,
        lastSuccessAt: at(10).toISOString(),
        consecutiveFailures: 0,
        uptimePercent: 33.3,
        p95Ms: expect.any(Number),
        results: 3,
        certificateDaysLeft: null,
        recent: [
          { at: at(0).toISOString(), ok: false, status: 200, ms: expect.any(Number), error: '$.status is a string, expected == "ok"' },
          { at: at(5).toISOString(), ok: false, status: 200, ms: expect.any(Number), error: '$.status is a string, expected == "ok"' },
          { at: at(10).toISOString(), ok: true, status: 200, ms: expect.any(Number), error: null },
        ],
      },
    ]);
  });

  it('"slow" from the p95 of the window against the endpoint budget, once the sample is large enough', async () => {
    const target = servers.current.probeTargets;
    target.slowMs = 300;
    await configure(
      [
        { name: 'slow', url: `${target.url}/slow`, maxLatencyMs: 100 },
        { name: 'fast', url: `${target.url}/health`, maxLatencyMs: 1_000 },
      ],
      {
        rules: { http_probe_slow: { minSample: 2 } },
      },
    );
    const first = await run(0);
    expect(evaluation(first, 'http_probe_slow', 'slow')).toMatchObject({ status: 'unknown', reason: 'sample of 1 answered probes is below the minimum of 2' });
    const second = await run(5);
    const slow = evaluation(second, 'http_probe_slow', 'slow')!;
    expect(slow.status).toBe('breach');
    expect(slow.value).toBeGreaterThanOrEqual(300);
    expect(evaluation(second, 'http_probe_slow', 'fast')).toMatchObject({ status: 'ok' });
    expect(evaluation(second, 'http_probe_down', 'slow')).toMatchObject({ status: 'ok', value: 0 });
    const opened = await alert('http_probe_slow', 'slow');
    expect(opened).toMatchObject({ severity: 'warning', window: 'last 30 min' });
    expect(opened!.message).toMatch(/^slow: p95 latency \d+ ms over the last 30 min is \d+(\.\d)? % of its 100 ms budget\.$/);
  });

  it('reads the certificate of an https endpoint even when untrusted: days left, and the probe itself fails TLS verification', async () => {
    await configure([{ name: 'secure', url: tls.url, jsonCondition: '$.status == "ok"' }], { rules: { http_probe_certificate_expiring: { threshold: 7 } } });
    // openssl -days 5 at the start of the file: a minute later, just under 5 days are left.
    const result = await run(1);
    expect(evaluation(result, 'http_probe_certificate_expiring', 'secure')).toMatchObject({ status: 'breach', value: 4, threshold: 7 });
    const opened = await alert('http_probe_certificate_expiring', 'secure');
    expect(opened).toMatchObject({ severity: 'warning', value: 4 });
    expect(opened!.message).toMatch(/^secure: the TLS certificate \(not trusted\) expires in 4 days \(\d{4}-\d\d-\d\dT[\d:.]+Z\)\.$/);
    expect(result.metrics.endpoints).toMatchObject({
      secure: {
        ok: false,
        status: null,
        error: expect.stringMatching(/^connection failed: (DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN)$/),
        certificateDaysLeft: 4,
      },
    });
    const doc = (await db.collection('monitoring_probes').doc('secure').get()).data() as ProbeDoc;
    expect(doc.certificate).toMatchObject({ daysLeft: 4, trusted: false, subject: 'localhost', issuer: 'localhost' });
  });

  it('skips an endpoint whose secret is not set (not "down"), and does nothing without endpoints', async () => {
    delete process.env.PROBE_TOKEN;
    await configure([{ name: 'private', url: `${servers.current.probeTargets.url}/private`, headers: { authorization: { secret: 'PROBE_TOKEN' } } }]);
    const result = await run(0);
    expect(result.skippedChecks).toEqual([{ check: 'probe:private', reason: 'header authorization needs the secret PROBE_TOKEN, which is not set' }]);
    expect(result.evaluations.filter((item) => item.ruleId.startsWith('http_probe'))).toEqual([]);
    expect(servers.current.probeTargets.requests).toEqual([]);

    await configure([]);
    const empty = await run(5);
    expect(empty.skippedChecks).toEqual([{ check: 'probes', reason: 'no enabled endpoint in probes.endpoints' }]);
    expect(empty.reads.billedReads).toBeGreaterThan(0);
  });
});
