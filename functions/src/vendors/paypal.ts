/**
 * PayPal Payouts client (@paypal/payouts-sdk), loaded on first use. PAYPAL_API_BASE_URL (development
 * only) sends the SDK's requests to a local server.
 */
import { PAYPAL_CLIENT_ID, PAYPAL_CLIENT_SECRET, PAYPAL_ENVIRONMENT, readParam } from '../config/params';
import type { Configured } from './twilio';

/** The part of the (untyped) SDK this project uses. */
interface PayoutsSdk {
  core: {
    PayPalEnvironment: new (clientId: string, clientSecret: string, baseUrl: string, webUrl: string) => unknown;
    LiveEnvironment: new (clientId: string, clientSecret: string) => unknown;
    SandboxEnvironment: new (clientId: string, clientSecret: string) => unknown;
    PayPalHttpClient: new (environment: unknown) => { execute<T>(request: unknown): Promise<{ statusCode: number; result: T }>; getTimeout(): number };
  };
  payouts: { PayoutsGetRequest: new (batchId: string) => { page(page: number): void; pageSize(size: number): void } };
}

/** Transaction statuses of a payout item (PayPal Payouts API). */
export type PayoutItemStatus = 'SUCCESS' | 'FAILED' | 'PENDING' | 'UNCLAIMED' | 'RETURNED' | 'ONHOLD' | 'BLOCKED' | 'REFUNDED' | 'REVERSED';

export interface PayoutBatch {
  batch_header: { payout_batch_id: string; batch_status: string };
  items?: Array<{ payout_item_id: string; transaction_status: PayoutItemStatus; errors?: { name?: string; message?: string } }>;
}

export interface PayPalPayouts {
  getBatch(batchId: string): Promise<PayoutBatch>;
}

export async function createPayPalClient(timeoutMs: number): Promise<Configured<PayPalPayouts>> {
  const clientId = readParam(PAYPAL_CLIENT_ID);
  const clientSecret = readParam(PAYPAL_CLIENT_SECRET);
  const missing = [!clientId && 'PAYPAL_CLIENT_ID', !clientSecret && 'PAYPAL_CLIENT_SECRET'].filter(Boolean);
  if (missing.length) return { ok: false, reason: `${missing.join(' and ')} not set` };
  const sdk = (await import('@paypal/payouts-sdk')).default as PayoutsSdk;
  const local = process.env.PAYPAL_API_BASE_URL;
  const environment = local
    ? new sdk.core.PayPalEnvironment(clientId!, clientSecret!, local, local)
    : readParam(PAYPAL_ENVIRONMENT) === 'sandbox'
      ? new sdk.core.SandboxEnvironment(clientId!, clientSecret!)
      : new sdk.core.LiveEnvironment(clientId!, clientSecret!);
  // The SDK's HTTP client exposes its socket timeout as a method (30 s by default).
  class BoundedClient extends sdk.core.PayPalHttpClient {
    override getTimeout(): number {
      return timeoutMs;
    }
  }
  const client = new BoundedClient(environment);
  return {
    ok: true,
    value: {
      async getBatch(batchId) {
        const request = new sdk.payouts.PayoutsGetRequest(batchId);
        request.pageSize(1000);
        return (await client.execute<PayoutBatch>(request)).result;
      },
    },
  };
}
