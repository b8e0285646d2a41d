/**
 * Stand-in for the part of PayPal's REST API the @paypal/payouts-sdk calls here: the OAuth2 client
 * credentials token and GET /v1/payments/payouts/{batch id}. Checks credentials like PayPal does.
 */
import { randomBytes } from 'node:crypto';
import type { PayoutItemStatus } from '../../src/vendors/paypal';
import { LocalHttpServer } from './http';

export interface PayPalBatch {
  batchId: string;
  items: Array<{ itemId: string; status: PayoutItemStatus }>;
}

export class PayPalCapture extends LocalHttpServer {
  batches: PayPalBatch[] = [];
  private readonly tokens = new Set<string>();

  constructor(
    readonly clientId = 'local-paypal-client',
    readonly clientSecret = 'local-paypal-secret',
  ) {
    super('paypal');
    this.route('POST', '/v1/oauth2/token', (request) => {
      const expected = `Basic ${Buffer.from(`${this.clientId}:${this.clientSecret}`).toString('base64')}`;
      if (request.headers.authorization !== expected) {
        return { status: 401, body: { error: 'invalid_client', error_description: 'Client Authentication failed' } };
      }
      const token = `A21AA${randomBytes(12).toString('hex')}`;
      this.tokens.add(token);
      return {
        status: 200,
        body: { scope: 'https://uri.paypal.com/services/payouts', access_token: token, token_type: 'Bearer', app_id: 'APP-LOCAL', expires_in: 32_400 },
      };
    });
    this.route('GET', '/v1/payments/payouts/:batchId', (request, params) => {
      const token = (request.headers.authorization ?? '').replace(/^Bearer /, '');
      if (!this.tokens.has(token)) {
        return { status: 401, body: { error: 'invalid_token', error_description: 'Token signature verification failed' } };
      }
      const batch = this.batches.find((candidate) => candidate.batchId === params.batchId);
      if (!batch) {
        return { status: 404, body: { name: 'RESOURCE_NOT_FOUND', message: 'The specified resource does not exist.', debug_id: 'local' } };
      }
      return {
        status: 200,
        body: {
          batch_header: { payout_batch_id: batch.batchId, batch_status: 'SUCCESS' },
          items: batch.items.map((item) => ({ payout_item_id: item.itemId, payout_batch_id: batch.batchId, transaction_status: item.status })),
        },
      };
    });
  }
}
