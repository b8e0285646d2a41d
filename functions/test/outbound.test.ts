/**
 * SSRF guard of the outbound requests that runtime settings name (probes, external heartbeat): the
 * address classification and the URL check as tables, then the connect-time check through an
 * injected resolver against the local probe targets. No test sends traffic off loopback: names
 * "resolving" to private or metadata addresses are refused before any connection is made.
 */
import { resolveConfig } from '../src/config/schema';
import { credentialAllowed } from '../src/config/probes';
import { resolveHeaders } from '../src/monitors/probes';
import { probeEndpoint } from '../src/monitors/probes/probe';
import { pingExternalHeartbeat } from '../src/monitors/system/watchdog';
import { checkAddress, checkUrlTarget, classifyAddress, parsePolicy, PUBLIC_ONLY, type Resolver } from '../src/platform/outbound';
import { useLocalServers } from './support/servers';

const LOOPBACK = parsePolicy('127.0.0.0/8,::1/128').policy;

describe('classifyAddress', () => {
  it.each([
    ['8.8.8.8', 'public'],
    ['93.184.215.14', 'public'],
    ['169.254.169.254', 'metadata'],
    ['169.254.1.1', 'link-local'],
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['10.0.0.1', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['172.32.0.1', 'public'],
    ['192.168.1.1', 'private'],
    ['100.64.0.1', 'shared'],
    ['100.127.255.255', 'shared'],
    ['100.128.0.1', 'public'],
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'unspecified'],
    ['192.0.2.1', 'documentation'],
    ['198.18.0.1', 'reserved'],
    ['224.0.0.1', 'multicast'],
    ['255.255.255.255', 'reserved'],
    ['::', 'unspecified'],
    ['::1', 'loopback'],
    ['[::1]', 'loopback'],
    ['0:0:0:0:0:0:0:1', 'loopback'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:a9fe:a9fe', 'metadata'],
    ['::ffff:10.0.0.1', 'private'],
    ['::ffff:8.8.8.8', 'public'],
    ['::ffff:0:10.0.0.1', 'private'],
    ['::127.0.0.1', 'loopback'],
    ['64:ff9b::10.0.0.1', 'private'],
    ['64:ff9b::8.8.8.8', 'public'],
    ['2002:a9fe:a9fe::1', 'metadata'],
    ['2002:0808:0808::1', 'public'],
    ['fd00:ec2::254', 'metadata'],
    ['fd20:ce::254', 'metadata'],
    ['fc00::1', 'unique-local'],
    ['fd12:3456::1', 'unique-local'],
    ['fe80::1', 'link-local'],
    ['fe80::1%eth0', 'link-local'],
    ['fec0::1', 'private'],
    ['ff02::1', 'multicast'],
    ['2001:db8::1', 'documentation'],
    ['2001::1', 'reserved'],
    ['100::1', 'reserved'],
    ['4000::1', 'reserved'],
    ['2606:4700:4700::1111', 'public'],
    ['2a00:1450:4007:80e::200e', 'public'],
    ['example.com', 'invalid'],
    ['1.2.3', 'invalid'],
    ['1::2::3', 'invalid'],
    ['01.2.3.4', 'invalid'],
  ])('%s is %s', (address, kind) => {
    expect(classifyAddress(address)).toBe(kind);
  });
});

describe('checkUrlTarget', () => {
  const refusedEverywhere = (reason: string) => ({ ok: false, reason: expect.stringContaining(reason) });
  it.each([
    // Every spelling of a loopback, private or metadata address the URL parser accepts.
    ['http://169.254.169.254/computeMetadata/v1/', 'is a cloud metadata address (never allowed)'],
    ['http://metadata.google.internal/computeMetadata/v1/', 'metadata.google.internal is a cloud metadata host'],
    ['http://METADATA.google.internal./', 'metadata.google.internal is a cloud metadata host'],
    ['http://metadata/computeMetadata/v1/', 'metadata is a cloud metadata host'],
    ['http://metadata.goog/', 'metadata.goog is a cloud metadata host'],
    ['http://2852039166/', '169.254.169.254 is a cloud metadata address'],
    ['http://0xa9fea9fe/', '169.254.169.254 is a cloud metadata address'],
    ['http://0251.0376.0251.0376/', '169.254.169.254 is a cloud metadata address'],
    ['http://[::ffff:169.254.169.254]/', 'is a cloud metadata address'],
    ['http://[fd00:ec2::254]/', 'is a cloud metadata address'],
    ['http://127.0.0.1:8080/', '127.0.0.1 is a loopback address (allowed only through OUTBOUND_ALLOWED_NETWORKS)'],
    ['http://2130706433/', '127.0.0.1 is a loopback address'],
    ['http://0x7f000001/', '127.0.0.1 is a loopback address'],
    ['http://0x7f.1/', '127.0.0.1 is a loopback address'],
    ['http://0177.0.0.1/', '127.0.0.1 is a loopback address'],
    ['http://127.1/', '127.0.0.1 is a loopback address'],
    ['http://[::1]/', '::1 is a loopback address'],
    ['http://localhost:8080/', 'localhost is a loopback host (allowed only through OUTBOUND_ALLOWED_NETWORKS)'],
    ['http://LOCALHOST./', 'localhost is a loopback host'],
    ['http://api.localhost/', 'api.localhost is a loopback host'],
    ['http://[::ffff:127.0.0.1]/', 'is a loopback address'],
    ['http://[0:0:0:0:0:ffff:7f00:1]/', 'is a loopback address'],
    ['http://0.0.0.0/', '0.0.0.0 is the unspecified address'],
    ['http://0/', '0.0.0.0 is the unspecified address'],
    ['http://10.0.0.1/', '10.0.0.1 is a private address'],
    ['http://012.1/', '10.0.0.1 is a private address'],
    ['http://172.16.5.4/', '172.16.5.4 is a private address'],
    ['http://192.168.0.1/', '192.168.0.1 is a private address'],
    ['http://3232235521/', '192.168.0.1 is a private address'],
    ['http://100.64.0.1/', 'carrier-grade NAT'],
    ['http://169.254.10.10/', 'is a link-local address'],
    ['http://[fe80::1]/', 'is a link-local address'],
    ['http://[fd12::1]/', 'is an IPv6 unique local address'],
    ['ftp://example.com/', 'only http:// and https://'],
  ])('%s is refused', (url, reason) => {
    expect(checkUrlTarget(url, PUBLIC_ONLY)).toEqual(refusedEverywhere(reason));
  });

  it.each(['https://api.example.com/health', 'https://93.184.215.14/', 'http://[2606:4700:4700::1111]/', 'https://localhost.example.com/'])(
    '%s passes (a name is checked again on every address at connect time)',
    (url) => {
      expect(checkUrlTarget(url, PUBLIC_ONLY)).toEqual({ ok: true });
    },
  );

  it('OUTBOUND_ALLOWED_NETWORKS opens the networks it lists and nothing else; never the metadata server', () => {
    expect(checkUrlTarget('http://127.0.0.1:8080/', LOOPBACK)).toEqual({ ok: true });
    expect(checkUrlTarget('http://[::1]:8080/', LOOPBACK)).toEqual({ ok: true });
    expect(checkUrlTarget('http://[::ffff:127.0.0.1]/', LOOPBACK)).toEqual({ ok: true });
    expect(checkUrlTarget('http://localhost:5173/', LOOPBACK)).toEqual({ ok: true });
    expect(checkUrlTarget('http://10.0.0.1/', LOOPBACK).ok).toBe(false);
    const everything = parsePolicy('0.0.0.0/0,::/0').policy;
    expect(checkAddress('10.0.0.1', everything)).toEqual({ ok: true });
    expect(checkAddress('169.254.169.254', everything)).toEqual({ ok: false, reason: '169.254.169.254 is a cloud metadata address (never allowed)' });
    expect(checkAddress('fd20:ce::254', everything).ok).toBe(false);
    expect(checkUrlTarget('http://metadata.google.internal/', everything).ok).toBe(false);
  });

  it('parses the param: none, CIDRs, bare addresses; reports malformed entries', () => {
    expect(parsePolicy('none').policy.allowedNetworks).toEqual([]);
    expect(parsePolicy(undefined).policy.allowedNetworks).toEqual([]);
    expect(parsePolicy('10.8.0.0/16, 192.168.1.7 ,fd00::/8').policy.allowedNetworks).toHaveLength(3);
    expect(parsePolicy('10.8.0.0/33,nonsense,10.0.0.0/8').invalid).toEqual(['10.8.0.0/33', 'nonsense']);
  });
});

describe('connect-time check (injected resolver, loopback targets only)', () => {
  const servers = useLocalServers();
  const endpoint = (url: string, fields: Record<string, unknown> = {}) => ({
    name: 'x',
    url,
    method: 'GET' as const,
    headers: {},
    body: null,
    expectedStatus: [200],
    maxLatencyMs: 1_000,
    bodyContains: null,
    jsonCondition: null,
    timeoutMs: null,
    enabled: true,
    ...fields,
  });
  /** A resolver answering `answers` in turn for every name, recording each lookup. */
  const resolverOf = (...answers: string[][]) => {
    const calls: string[] = [];
    const resolver: Resolver = async (hostname) => {
      calls.push(hostname);
      const next = answers[Math.min(calls.length - 1, answers.length - 1)];
      return next.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
    };
    return { resolver, calls };
  };
  const portOf = () => servers.current.probeTargets.port;

  it('a name resolving to a private address is refused before any connection', async () => {
    const { resolver, calls } = resolverOf(['10.1.2.3']);
    const outcome = await probeEndpoint(endpoint(`http://health.internal.test:${portOf()}/health`), {}, 1_000, { policy: LOOPBACK, resolver });
    expect(outcome).toMatchObject({
      ok: false,
      status: null,
      error: 'target refused: health.internal.test resolves to 10.1.2.3 is a private address (allowed only through OUTBOUND_ALLOWED_NETWORKS)',
    });
    expect(calls).toEqual(['health.internal.test']);
    expect(servers.current.probeTargets.requests).toEqual([]);
  });

  it('every resolved address is checked: one bad address among good ones refuses the name', async () => {
    const { resolver } = resolverOf(['127.0.0.1', '169.254.169.254']);
    const outcome = await probeEndpoint(endpoint(`http://mixed.test:${portOf()}/health`), {}, 1_000, { policy: LOOPBACK, resolver });
    expect(outcome.error).toBe('target refused: mixed.test resolves to 169.254.169.254 is a cloud metadata address (never allowed)');
    expect(servers.current.probeTargets.requests).toEqual([]);
  });

  it('loopback is refused by default, even behind a public-looking name', async () => {
    const { resolver } = resolverOf(['127.0.0.1']);
    const outcome = await probeEndpoint(endpoint(`http://status.example.test:${portOf()}/health`), {}, 1_000, { policy: PUBLIC_ONLY, resolver });
    expect(outcome.error).toBe(
      'target refused: status.example.test resolves to 127.0.0.1 is a loopback address (allowed only through OUTBOUND_ALLOWED_NETWORKS)',
    );
    expect(servers.current.probeTargets.requests).toEqual([]);
  });

  it('resolves once and connects to the address it checked (a second answer, rebound to the metadata server, is never asked for)', async () => {
    const { resolver, calls } = resolverOf(['127.0.0.1'], ['169.254.169.254']);
    const outcome = await probeEndpoint(endpoint(`http://rebind.test:${portOf()}/health`), {}, 1_000, { policy: LOOPBACK, resolver });
    expect(outcome).toMatchObject({ ok: true, status: 200, error: null });
    expect(calls).toEqual(['rebind.test']);
    expect(servers.current.probeTargets.requests.map((request) => [request.path, request.headers.host])).toEqual([['/health', `rebind.test:${portOf()}`]]);
  });

  it('a redirect is reported as its status, never followed', async () => {
    const outcome = await probeEndpoint(endpoint(`${servers.current.probeTargets.url}/redirect`), {}, 1_000, { policy: LOOPBACK });
    expect(outcome).toMatchObject({ ok: false, status: 302, error: 'status 302, expected 200' });
    expect(servers.current.probeTargets.requests.map((request) => request.path)).toEqual(['/redirect']);
  });

  it('an https:// probe checks the certificate handshake the same way', async () => {
    const { resolver } = resolverOf(['10.9.9.9']);
    const outcome = await probeEndpoint(endpoint('https://tls.internal.test/'), {}, 1_000, { policy: LOOPBACK, resolver });
    expect(outcome.error).toContain('target refused: tls.internal.test resolves to 10.9.9.9');
    expect(outcome.certificateError).toContain('target refused: tls.internal.test resolves to 10.9.9.9');
  });

  it('the external heartbeat refuses the metadata server and private names, and reaches an allowed loopback receiver', async () => {
    const warnings: string[] = [];
    const log = { warn: (message: string) => void warnings.push(message) };
    process.env.OUTBOUND_ALLOWED_NETWORKS = 'none';
    const metadata = await pingExternalHeartbeat({ url: 'http://169.254.169.254/computeMetadata/v1/', timeoutMs: 500 }, 'start', 'x', log);
    expect(metadata).toEqual({
      ping: 'start',
      origin: 'http://169.254.169.254',
      status: null,
      error: 'target refused: 169.254.169.254 is a cloud metadata address (never allowed)',
    });
    const local = await pingExternalHeartbeat({ url: servers.current.heartbeat.pingUrl, timeoutMs: 500 }, 'start', 'x', log);
    expect(local?.error).toContain('is a loopback address (allowed only through OUTBOUND_ALLOWED_NETWORKS)');
    const { resolver } = resolverOf(['192.168.1.1']);
    const named = await pingExternalHeartbeat({ url: 'https://hc-ping.test/abc', timeoutMs: 500 }, 'start', 'x', log, { resolver });
    expect(named?.error).toBe('target refused: hc-ping.test resolves to 192.168.1.1 is a private address (allowed only through OUTBOUND_ALLOWED_NETWORKS)');
    expect(servers.current.heartbeat.requests).toEqual([]);
    process.env.OUTBOUND_ALLOWED_NETWORKS = servers.current.env.OUTBOUND_ALLOWED_NETWORKS;
    const allowed = await pingExternalHeartbeat({ url: servers.current.heartbeat.pingUrl, timeoutMs: 500 }, 'start', 'x', log);
    expect(allowed?.status).toBe(200);
  });
});

describe('probe settings validation', () => {
  const servers = useLocalServers();
  const endpoint = (fields: Record<string, unknown>) => ({ probes: { endpoints: [{ name: 'api', url: 'https://api.example.com/health', ...fields }] } });
  const problemsOf = (override: unknown) => resolveConfig(override).problems;

  beforeEach(() => {
    process.env.OUTBOUND_ALLOWED_NETWORKS = 'none';
    process.env.PROBE_CREDENTIAL_HOSTS = 'api.example.com,https://status.example.com';
  });

  it.each([
    [endpoint({ url: 'http://169.254.169.254/computeMetadata/v1/' }), 'probes.endpoints.0.url: target refused: 169.254.169.254 is a cloud metadata address'],
    [endpoint({ url: 'http://metadata.google.internal/' }), 'probes.endpoints.0.url: target refused: metadata.google.internal is a cloud metadata host'],
    [endpoint({ url: 'http://0x7f000001:8080/' }), 'probes.endpoints.0.url: target refused: 127.0.0.1 is a loopback address'],
    [endpoint({ url: 'http://[::ffff:10.0.0.1]/' }), 'probes.endpoints.0.url: target refused:'],
    [{ externalHeartbeat: { url: 'http://192.168.1.10/ping' } }, 'externalHeartbeat.url: target refused: 192.168.1.10 is a private address'],
    [endpoint({ headers: { 'Metadata-Flavor': 'Google' } }), 'probes.endpoints.0.headers.Metadata-Flavor: is refused (a metadata or proxy header)'],
    [endpoint({ headers: { 'X-Google-Metadata-Request': 'True' } }), 'probes.endpoints.0.headers.X-Google-Metadata-Request: is refused'],
    [endpoint({ headers: { Host: 'metadata.google.internal' } }), 'probes.endpoints.0.headers.Host: is set by the HTTP client'],
    [endpoint({ headers: { Authorization: 'Bearer literal' } }), 'probes.endpoints.0.headers.Authorization: a credential header must reference a secret'],
    [endpoint({ headers: { 'x-note': 'a\r\nX-Injected: 1' } }), 'probes.endpoints.0.headers.x-note: must not contain control characters (CR, LF)'],
    [endpoint({ headers: { 'x-note': 'line\nbreak' } }), 'must not contain control characters'],
    [endpoint({ headers: { __x__: 'a' } }), 'probes.endpoints.0.headers.__x__: must be a valid HTTP header name'],
    [
      endpoint({ url: 'https://evil.example.net/collect', headers: { authorization: { secret: 'PROBE_TOKEN' } } }),
      'probes.endpoints.0.headers.authorization: a secret is sent only to the hosts of PROBE_CREDENTIAL_HOSTS (deploy-time), and evil.example.net is not one',
    ],
    [endpoint({ url: 'http://status.example.com/', headers: { authorization: { secret: 'PROBE_TOKEN' } } }), 'and status.example.com is not one'],
  ])('refuses %j', (override, message) => {
    expect(problemsOf(override)).toEqual(expect.arrayContaining([expect.stringContaining(message)]));
  });

  it('refuses a __proto__ header name instead of storing it', () => {
    const override = JSON.parse('{"probes":{"endpoints":[{"name":"api","url":"https://api.example.com/","headers":{"__proto__":"x"}}]}}');
    expect(problemsOf(override)).toEqual(expect.arrayContaining([expect.stringContaining('must be a valid HTTP header name')]));
  });

  it('accepts the credential for a declared host or origin', () => {
    const secret = { authorization: { secret: 'PROBE_TOKEN' } };
    expect(problemsOf(endpoint({ headers: secret }))).toEqual([]);
    expect(problemsOf(endpoint({ url: 'https://status.example.com/health', headers: secret }))).toEqual([]);
    expect(problemsOf(endpoint({ url: 'https://API.example.com:8443/health', headers: secret }))).toEqual([]);
  });

  it.each([
    ['https://api.example.com/x', ['api.example.com'], true],
    ['http://api.example.com:8080/x', ['api.example.com'], true],
    ['https://api.example.com.evil.net/x', ['api.example.com'], false],
    ['https://evil.net/api.example.com', ['api.example.com'], false],
    ['https://status.example.com/x', ['https://status.example.com'], true],
    ['https://status.example.com:444/x', ['https://status.example.com'], false],
    ['http://status.example.com/x', ['https://status.example.com'], false],
    ['https://api.example.com/x', [], false],
  ])('credentialAllowed(%s, %j) is %s', (url, hosts, allowed) => {
    expect(credentialAllowed(url, hosts)).toBe(allowed);
  });

  it('a run withholds the credential from a host the deployment did not declare, whatever the stored settings say', () => {
    const settings = { url: 'https://evil.example.net/collect', headers: { authorization: { secret: 'PROBE_TOKEN' } } };
    const stored = { ...settings, name: 'x', method: 'GET' } as unknown as Parameters<typeof resolveHeaders>[0];
    expect(resolveHeaders(stored, ['api.example.com'])).toEqual({
      ok: false,
      reason: 'header authorization references PROBE_TOKEN, which is sent only to the hosts of PROBE_CREDENTIAL_HOSTS',
    });
    const local = { ...stored, url: `${servers.current.probeTargets.url}/private` } as typeof stored;
    expect(resolveHeaders(local, [servers.current.probeTargets.url])).toEqual({ ok: true, headers: { authorization: servers.current.env.PROBE_TOKEN } });
  });
});
