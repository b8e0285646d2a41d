/**
 * Outbound HTTP(S) to addresses that runtime settings name (HTTP probes, the external heartbeat):
 * whoever can write monitoring_config/settings must not be able to point the functions at the
 * metadata server, the VPC or the function's own loopback (SSRF).
 *
 * - `classifyAddress` / `checkAddress` / `checkUrlTarget` are pure: what kind of address a literal
 *   is (every IPv4 and IPv6 special range, IPv4 embedded in IPv6 classified as the IPv4 it carries),
 *   and whether the deployment's policy lets a request go there. URLs are read with the WHATWG
 *   parser, which turns the decimal, hexadecimal, octal and short spellings of IPv4 (`2130706433`,
 *   `0x7f000001`, `0177.0.0.1`, `127.1`) into the dotted form before they are checked.
 * - `guardedLookup` resolves a host name at connect time and refuses the connection unless every
 *   address is allowed; the socket then connects to exactly those addresses (no second resolution,
 *   so no DNS rebinding between the check and the connection).
 * - `outboundRequest` is one request with node:http/https through that lookup, under one hard
 *   timeout, reading at most `maxBodyBytes`. Redirects are never followed (node:http does not), so a
 *   3xx cannot lead to an unchecked target.
 *
 * Public addresses only by default. Non-public networks are allowed only by the deploy-time param
 * OUTBOUND_ALLOWED_NETWORKS (CIDRs; the local demo and the tests list loopback); metadata addresses
 * and host names are refused whatever it says.
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import type { LookupAddress, LookupOptions } from 'node:dns';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import { OUTBOUND_ALLOWED_NETWORKS, readParam } from '../config/params';

export type AddressKind =
  | 'public'
  | 'metadata'
  | 'loopback'
  | 'private'
  | 'link-local'
  | 'shared'
  | 'unique-local'
  | 'unspecified'
  | 'multicast'
  | 'documentation'
  | 'reserved'
  | 'invalid';

const KIND_TEXT: Record<Exclude<AddressKind, 'public'>, string> = {
  metadata: 'a cloud metadata address',
  loopback: 'a loopback address',
  private: 'a private address',
  'link-local': 'a link-local address',
  shared: 'a carrier-grade NAT (100.64.0.0/10) address',
  'unique-local': 'an IPv6 unique local address',
  unspecified: 'the unspecified address',
  multicast: 'a multicast address',
  documentation: 'a documentation address',
  reserved: 'a reserved address',
  invalid: 'not an IP address',
};

interface Network {
  family: 4 | 6;
  base: bigint;
  prefix: number;
}

function parseIPv4(text: string): bigint | null {
  const parts = text.split('.');
  if (parts.length !== 4 || !parts.every((part) => /^(0|[1-9]\d{0,2})$/.test(part) && Number(part) <= 255)) return null;
  return parts.reduce((value, part) => (value << 8n) | BigInt(part), 0n);
}

function parseIPv6(text: string): bigint | null {
  let body = text.replace(/^\[|\]$/g, '');
  const zone = body.indexOf('%');
  if (zone >= 0) body = body.slice(0, zone);
  const lastColon = body.lastIndexOf(':');
  if (body.slice(lastColon + 1).includes('.')) {
    // A trailing dotted IPv4 (`::ffff:127.0.0.1`) stands for the last two groups.
    const v4 = parseIPv4(body.slice(lastColon + 1));
    if (v4 === null) return null;
    body = `${body.slice(0, lastColon + 1)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const halves = body.split('::');
  if (halves.length > 2) return null;
  const groups = (half: string) => (half === '' ? [] : half.split(':'));
  const head = groups(halves[0]);
  const rest = halves.length === 2 ? groups(halves[1]) : [];
  if (![...head, ...rest].every((group) => /^[0-9a-fA-F]{1,4}$/.test(group))) return null;
  const count = head.length + rest.length;
  if (halves.length === 1 ? count !== 8 : count > 7) return null;
  const all = [...head.map((g) => BigInt(`0x${g}`)), ...Array(8 - count).fill(0n), ...rest.map((g) => BigInt(`0x${g}`))];
  return all.reduce((value, group) => (value << 16n) | group, 0n);
}

function cidr(text: string): Network {
  const parsed = parseNetwork(text);
  if (!parsed) throw new Error(`bad network ${text}`);
  return parsed;
}

/** `10.0.0.0/8`, `::1/128` or a bare address (a /32 or /128); null when malformed. */
export function parseNetwork(text: string): Network | null {
  const [address, prefixText, extra] = text.trim().split('/');
  if (extra !== undefined) return null;
  const v4 = parseIPv4(address);
  const family = v4 !== null ? 4 : 6;
  const value = v4 ?? parseIPv6(address);
  if (value === null) return null;
  const width = family === 4 ? 32 : 128;
  const prefix = prefixText === undefined ? width : /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : NaN;
  if (!(prefix >= 0 && prefix <= width)) return null;
  return { family, base: value & mask(prefix, width), prefix };
}

function mask(prefix: number, width: number): bigint {
  return prefix === 0 ? 0n : ((1n << BigInt(prefix)) - 1n) << BigInt(width - prefix);
}

function inNetwork(value: bigint, family: 4 | 6, network: Network): boolean {
  return network.family === family && (value & mask(network.prefix, family === 4 ? 32 : 128)) === network.base;
}

// Most specific first: the first match decides.
const IPV4_RANGES: Array<[Network, AddressKind]> = (
  [
    ['169.254.169.254/32', 'metadata'],
    ['0.0.0.0/8', 'unspecified'],
    ['10.0.0.0/8', 'private'],
    ['100.64.0.0/10', 'shared'],
    ['127.0.0.0/8', 'loopback'],
    ['169.254.0.0/16', 'link-local'],
    ['172.16.0.0/12', 'private'],
    ['192.0.0.0/24', 'reserved'],
    ['192.0.2.0/24', 'documentation'],
    ['192.88.99.0/24', 'reserved'],
    ['192.168.0.0/16', 'private'],
    ['198.18.0.0/15', 'reserved'],
    ['198.51.100.0/24', 'documentation'],
    ['203.0.113.0/24', 'documentation'],
    ['224.0.0.0/4', 'multicast'],
    ['240.0.0.0/4', 'reserved'],
  ] as const
).map(([text, kind]) => [cidr(text), kind]);

const IPV6_RANGES: Array<[Network, AddressKind]> = (
  [
    // AWS and Google Cloud metadata servers over IPv6.
    ['fd00:ec2::254/128', 'metadata'],
    ['fd20:ce::254/128', 'metadata'],
    ['::/128', 'unspecified'],
    ['::1/128', 'loopback'],
    ['64:ff9b:1::/48', 'private'],
    ['100::/64', 'reserved'],
    ['2001:db8::/32', 'documentation'],
    ['2001::/23', 'reserved'],
    ['3fff::/20', 'documentation'],
    ['fc00::/7', 'unique-local'],
    ['fe80::/10', 'link-local'],
    ['fec0::/10', 'private'],
    ['ff00::/8', 'multicast'],
  ] as const
).map(([text, kind]) => [cidr(text), kind]);

/** IPv6 prefixes that carry an IPv4 address: the address is what it carries. */
const EMBEDDING: Array<[Network, (value: bigint) => bigint]> = [
  [cidr('::ffff:0:0/96'), (value) => value & 0xffffffffn], // IPv4-mapped
  [cidr('::ffff:0:0:0/96'), (value) => value & 0xffffffffn], // IPv4-translated (SIIT)
  [cidr('64:ff9b::/96'), (value) => value & 0xffffffffn], // NAT64
  [cidr('::/96'), (value) => value & 0xffffffffn], // IPv4-compatible (deprecated)
  [cidr('2002::/16'), (value) => (value >> 80n) & 0xffffffffn], // 6to4
];

const GLOBAL_UNICAST = cidr('2000::/3');

/** What kind of address an IP literal is (IPv4 dotted, or IPv6 with or without brackets). */
export function classifyAddress(address: string): AddressKind {
  const v4 = parseIPv4(address);
  if (v4 !== null) return classifyV4(v4);
  const v6 = parseIPv6(address);
  if (v6 === null) return 'invalid';
  return classifyV6(v6).kind;
}

function classifyV4(value: bigint): AddressKind {
  return IPV4_RANGES.find(([network]) => inNetwork(value, 4, network))?.[1] ?? 'public';
}

function classifyV6(value: bigint): { kind: AddressKind; v4: bigint | null } {
  if (value === 0n) return { kind: 'unspecified', v4: null };
  if (value === 1n) return { kind: 'loopback', v4: null };
  for (const [network, extract] of EMBEDDING) {
    if (inNetwork(value, 6, network)) {
      const v4 = extract(value);
      return { kind: classifyV4(v4), v4 };
    }
  }
  const special = IPV6_RANGES.find(([network]) => inNetwork(value, 6, network))?.[1];
  if (special) return { kind: special, v4: null };
  return { kind: inNetwork(value, 6, GLOBAL_UNICAST) ? 'public' : 'reserved', v4: null };
}

export interface OutboundPolicy {
  /** Non-public networks a request may still go to (deploy-time); never the metadata addresses. */
  allowedNetworks: readonly Network[];
}

export const PUBLIC_ONLY: OutboundPolicy = { allowedNetworks: [] };

/** The policy from a list of CIDRs (the OUTBOUND_ALLOWED_NETWORKS value); malformed entries are reported. */
export function parsePolicy(text: string | undefined): { policy: OutboundPolicy; invalid: string[] } {
  const entries = (text ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item && item.toLowerCase() !== 'none');
  const invalid = entries.filter((entry) => parseNetwork(entry) === null);
  return { policy: { allowedNetworks: entries.map(parseNetwork).filter((network): network is Network => network !== null) }, invalid };
}

/** The deployment's policy (OUTBOUND_ALLOWED_NETWORKS, read at call time). */
export function outboundPolicy(): OutboundPolicy {
  return parsePolicy(readParam(OUTBOUND_ALLOWED_NETWORKS)).policy;
}

export type Verdict = { ok: true } | { ok: false; reason: string };

/** Whether a request may go to this IP address under the policy. */
export function checkAddress(address: string, policy: OutboundPolicy): Verdict {
  const v4 = parseIPv4(address);
  const v6 = v4 === null ? parseIPv6(address) : null;
  if (v4 === null && v6 === null) return { ok: false, reason: `${address.slice(0, 60)} is not an IP address` };
  const { kind, v4: embedded } = v4 !== null ? { kind: classifyV4(v4), v4 } : classifyV6(v6!);
  if (kind === 'public') return { ok: true };
  const shown = address.replace(/^\[|\]$/g, '');
  if (kind === 'metadata' || kind === 'invalid') return { ok: false, reason: `${shown} is ${KIND_TEXT[kind]} (never allowed)` };
  const allowed = policy.allowedNetworks.some(
    (network) =>
      (embedded !== null && inNetwork(embedded, 4, network)) || (v6 !== null && inNetwork(v6, 6, network)) || (v4 !== null && inNetwork(v4, 4, network)),
  );
  if (allowed) return { ok: true };
  return { ok: false, reason: `${shown} is ${KIND_TEXT[kind]} (allowed only through OUTBOUND_ALLOWED_NETWORKS)` };
}

/** Host names of cloud metadata servers: refused by name as well as by address. */
const METADATA_NAMES = new Set(['metadata', 'metadata.google.internal', 'metadata.goog', 'instance-data', 'instance-data.ec2.internal']);

/**
 * Whether a URL may be requested, as far as can be told without DNS: the scheme, an IP literal host
 * (in whatever spelling the URL parser accepts), the metadata host names. A host name that passes is
 * checked again, on every address it resolves to, when the connection is made.
 */
export function checkUrlTarget(target: string | URL, policy: OutboundPolicy): Verdict {
  let url: URL;
  try {
    url = typeof target === 'string' ? new URL(target) : target;
  } catch {
    return { ok: false, reason: 'not a URL' };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return { ok: false, reason: 'only http:// and https:// are allowed' };
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (isIP(host)) return checkAddress(host, policy);
  const name = host.replace(/\.+$/, '');
  if (METADATA_NAMES.has(name)) return { ok: false, reason: `${name} is a cloud metadata host (never allowed)` };
  // `localhost` and `*.localhost` are loopback by definition (RFC 6761), whatever a resolver says.
  if (name === 'localhost' || name.endsWith('.localhost')) {
    const verdict = checkAddress('127.0.0.1', policy);
    return verdict.ok ? verdict : { ok: false, reason: `${name} is a loopback host (allowed only through OUTBOUND_ALLOWED_NETWORKS)` };
  }
  if (!name) return { ok: false, reason: 'no host' };
  return { ok: true };
}

export type Resolver = (hostname: string) => Promise<Array<{ address: string; family: number }>>;

/** The system resolver, every address (what the socket would otherwise try). */
export const systemResolver: Resolver = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

/** A target refused by the policy. */
export class OutboundRefused extends Error {
  readonly code = 'ERR_OUTBOUND_REFUSED';
  constructor(readonly reason: string) {
    super(`refused: ${reason}`);
    this.name = 'OutboundRefused';
  }
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * A `lookup` for net/tls/http that resolves once with `resolver`, refuses the connection unless every
 * address is allowed, and hands the socket exactly the addresses it checked.
 */
export function guardedLookup(policy: OutboundPolicy, resolver: Resolver = systemResolver) {
  return (hostname: string, options: LookupOptions, callback: LookupCallback): void => {
    resolver(hostname)
      .then((addresses) => {
        if (addresses.length === 0) throw Object.assign(new Error(`${hostname}: no address`), { code: 'ENOTFOUND' });
        const name = hostname.slice(0, 100);
        for (const { address } of addresses) {
          const verdict = checkAddress(address, policy);
          if (!verdict.ok) throw new OutboundRefused(`${name} resolves to ${verdict.reason}`);
        }
        const family = options.family === 4 || options.family === 6 ? options.family : 0;
        const usable = addresses.filter((entry) => family === 0 || entry.family === family);
        if (usable.length === 0) throw Object.assign(new Error(`${hostname}: no IPv${family} address`), { code: 'ENOTFOUND' });
        if (options.all)
          callback(
            null,
            usable.map(({ address, family: f }) => ({ address, family: f })),
          );
        else callback(null, usable[0].address, usable[0].family);
      })
      .catch((error: NodeJS.ErrnoException) => callback(error, '', 0));
  };
}

export interface OutboundRequest {
  url: string;
  method: string;
  headers?: Record<string, string>;
  body?: string;
  /** Hard limit for the whole exchange: connection, headers and body. */
  timeoutMs: number;
  /** Read the body (at most maxBodyBytes) or discard it. */
  readBody: boolean;
  maxBodyBytes?: number;
  policy?: OutboundPolicy;
  resolver?: Resolver;
}

export interface OutboundResponse {
  status: number;
  /** Milliseconds to the response headers. */
  latencyMs: number;
  body: string;
}

/** A timeout, or a failure after the headers: the status and latency already known ride along. */
export type OutboundError = Error & { code?: string; status?: number; latencyMs?: number };

/**
 * One request under the policy. Rejects with OutboundRefused for a refused target (before any
 * connection), a TimeoutError past `timeoutMs`, or the socket/TLS error (with its `code`).
 */
export function outboundRequest(options: OutboundRequest): Promise<OutboundResponse> {
  const policy = options.policy ?? outboundPolicy();
  const url = new URL(options.url);
  const verdict = checkUrlTarget(url, policy);
  if (!verdict.ok) return Promise.reject(new OutboundRefused(verdict.reason));
  const maxBodyBytes = options.maxBodyBytes ?? 64 * 1024;
  const started = performance.now();
  return new Promise((resolve, reject) => {
    let settled = false;
    let status: number | undefined;
    let latencyMs: number | undefined;
    const finish = (error: OutboundError | null, value?: OutboundResponse) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      request.destroy();
      if (error) reject(Object.assign(error, status === undefined ? {} : { status, latencyMs }));
      else resolve(value!);
    };
    const timer = setTimeout(() => finish(Object.assign(new Error(`no answer within ${options.timeoutMs} ms`), { name: 'TimeoutError' })), options.timeoutMs);
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    let request: ReturnType<typeof httpRequest>;
    try {
      request = send(url, {
        method: options.method,
        headers: options.headers,
        // A fresh connection per request: no pooled socket outlives the check made for it.
        agent: false,
        lookup: guardedLookup(policy, options.resolver),
      });
    } catch (error) {
      clearTimeout(timer);
      return reject(error as Error);
    }
    request.on('response', (response: IncomingMessage) => {
      status = response.statusCode ?? 0;
      latencyMs = Math.round(performance.now() - started);
      const done = (body: string) => finish(null, { status: status!, latencyMs: latencyMs!, body });
      if (!options.readBody) return done('');
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        size += chunk.byteLength;
        if (size >= maxBodyBytes) done(Buffer.concat(chunks).subarray(0, maxBodyBytes).toString('utf8'));
      });
      response.on('end', () => done(Buffer.concat(chunks).toString('utf8')));
      response.on('error', (error) => finish(error));
      response.on('aborted', () => finish(Object.assign(new Error('connection closed before the end of the body'), { code: 'ECONNRESET' })));
    });
    request.on('error', (error) => finish(error));
    request.end(options.body);
  });
}

/** A failure as a fixed phrase: a timeout, the refusal of the target, or the error's code; never the error's text. */
export function outboundFailure(error: unknown, timeoutMs: number): string {
  const err = error as { name?: string; code?: string; reason?: string; cause?: { code?: string } };
  if (err?.name === 'TimeoutError' || err?.name === 'AbortError') return `no answer within ${timeoutMs} ms`;
  if (error instanceof OutboundRefused) return `target refused: ${error.reason}`;
  const code = err?.code ?? err?.cause?.code;
  return typeof code === 'string' && /^[A-Z0-9_]{1,60}$/.test(code) ? `connection failed: ${code}` : 'request failed';
}
