/**
 * The watchdog job (`watchdog`, every 15 minutes): the cheap, time-sensitive part of system health.
 * Its own checks are channel health and the refresh (and resolution) of open critical-error alerts;
 * being a scheduled job run, it also checks every other job's heartbeat, re-notifies unacknowledged
 * alerts past their delay and retries due notifications (pipeline/run.ts). Without it those would
 * only happen when some other job happens to run.
 *
 * Its runs also ping an external dead man's switch (`externalHeartbeat.url`, pingExternalHeartbeat
 * below, called by pipeline/run.ts at the start of the run and after its run record).
 */
import { outboundFailure, outboundRequest, type Resolver } from '../../platform/outbound';
import type { Monitor } from '../types';
import { measureChannelHealth } from './channels';
import { refreshOpenCriticalErrorAlerts } from './errors';

export const watchdogMonitor: Monitor = {
  async run(ctx) {
    const criticalErrorSources = ctx.blind('critical_errors') ? null : await ctx.check('critical-errors', () => refreshOpenCriticalErrorAlerts(ctx));
    const channels = await ctx.check('channels', () => measureChannelHealth(ctx));
    return { criticalErrorSources, channels };
  },
};

export type ExternalPing = 'start' | 'success' | 'fail';

export interface ExternalPingResult {
  ping: ExternalPing;
  /** The URL pinged, without its path secret: origin only. */
  origin: string;
  status: number | null;
  error: string | null;
}

/** `<url>/start`, `<url>`, `<url>/fail` (healthchecks.io convention; query string kept at the end). */
export function externalPingUrl(base: string, ping: ExternalPing): string {
  const url = new URL(base);
  const path = url.pathname.replace(/\/+$/, '');
  url.pathname = ping === 'success' ? path || '/' : `${path}/${ping}`;
  return url.toString();
}

/**
 * External heartbeat: each watchdog run pings a dead man's switch outside the project (healthchecks.io
 * or any service with the same convention), which pages when the pings stop or report a failure: the
 * project down, billing cut, Cloud Scheduler stopped, every function broken. Bounded by its timeout
 * and never throws: a ping that fails is logged and the run goes on (the outside service notices).
 * Goes through platform/outbound.ts: public addresses only unless OUTBOUND_ALLOWED_NETWORKS says
 * otherwise, every resolved address checked at connect time, redirects not followed.
 */
export async function pingExternalHeartbeat(
  settings: { url: string | null; timeoutMs: number },
  ping: ExternalPing,
  body: string,
  log: { warn(message: string, fields?: Record<string, unknown>): void },
  options: { resolver?: Resolver } = {},
): Promise<ExternalPingResult | null> {
  if (!settings.url) return null;
  const origin = new URL(settings.url).origin;
  try {
    const response = await outboundRequest({
      url: externalPingUrl(settings.url, ping),
      method: 'POST',
      headers: { 'content-type': 'text/plain; charset=utf-8' },
      body: body.slice(0, 1_000),
      timeoutMs: settings.timeoutMs,
      readBody: false,
      resolver: options.resolver,
    });
    const ok = response.status >= 200 && response.status < 300;
    if (!ok) log.warn('External heartbeat ping refused', { ping, origin, status: response.status });
    return { ping, origin, status: response.status, error: ok ? null : `status ${response.status}` };
  } catch (error) {
    const reason = outboundFailure(error, settings.timeoutMs).replace(/^connection failed: /, '');
    log.warn('External heartbeat ping failed', { ping, origin, error: reason });
    return { ping, origin, status: null, error: reason };
  }
}
