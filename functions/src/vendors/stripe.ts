/**
 * Stripe client factory, loaded on first use. STRIPE_API_BASE_URL (development only) sends the SDK's
 * requests to a local server.
 */
import { STRIPE_SECRET_KEY, readParam } from '../config/params';
import type { Configured } from './twilio';

type StripeConstructor = typeof import('stripe');
export type StripeClient = InstanceType<StripeConstructor>;

export async function createStripeClient(timeoutMs: number): Promise<Configured<StripeClient>> {
  const key = readParam(STRIPE_SECRET_KEY);
  if (!key) return { ok: false, reason: 'STRIPE_SECRET_KEY not set' };
  const Stripe = (await import('stripe')).default as unknown as StripeConstructor;
  const local = process.env.STRIPE_API_BASE_URL ? new URL(process.env.STRIPE_API_BASE_URL) : null;
  const client = new Stripe(key, {
    timeout: timeoutMs,
    maxNetworkRetries: 0,
    telemetry: false,
    ...(local ? { host: local.hostname, port: local.port, protocol: local.protocol.replace(':', '') as 'http' | 'https' } : {}),
  });
  return { ok: true, value: client };
}
