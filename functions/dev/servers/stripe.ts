/**
 * Stand-in for the part of Stripe's REST API the stripe SDK calls here: listing events (with
 * delivery_success), listing PaymentIntents, reading the balance. Checks the bearer key and answers
 * errors in Stripe's JSON error shape; supports created[gte|lte] filters and starting_after paging.
 */
import { LocalHttpServer, type CapturedRequest, type RouteResponse } from './http';

export interface StripeEvent {
  id: string;
  type: string;
  created: number;
  delivered: boolean;
}

export interface StripePaymentIntent {
  id: string;
  status: 'succeeded' | 'requires_capture' | 'requires_payment_method' | 'canceled' | 'processing';
  amount: number;
  currency: string;
  created: number;
}

export class StripeCapture extends LocalHttpServer {
  events: StripeEvent[] = [];
  paymentIntents: StripePaymentIntent[] = [];
  available: Array<{ amount: number; currency: string }> = [{ amount: 125_000, currency: 'eur' }];

  constructor(readonly secretKey = 'sk_test_local_0123456789') {
    super('stripe');
    this.route('GET', '/v1/events', (request) =>
      this.authorized(request, () =>
        this.list(
          request,
          '/v1/events',
          this.events
            .filter((event) => request.query.get('delivery_success') !== 'false' || !event.delivered)
            .map((event) => ({
              id: event.id,
              object: 'event',
              type: event.type,
              created: event.created,
              pending_webhooks: event.delivered ? 0 : 1,
              livemode: false,
              data: { object: {} },
            })),
        ),
      ),
    );
    this.route('GET', '/v1/payment_intents', (request) =>
      this.authorized(request, () =>
        this.list(
          request,
          '/v1/payment_intents',
          this.paymentIntents.map((intent) => ({ object: 'payment_intent', livemode: false, ...intent })),
        ),
      ),
    );
    this.route('GET', '/v1/balance', (request) =>
      this.authorized(request, () => ({
        status: 200,
        body: {
          object: 'balance',
          livemode: false,
          available: this.available.map((entry) => ({ ...entry, source_types: { card: entry.amount } })),
          pending: [],
        },
      })),
    );
  }

  /** STRIPE_API_BASE_URL to configure. */
  get baseUrl(): string {
    return this.url;
  }

  private list(request: CapturedRequest, url: string, items: Array<{ id: string; created: number }>): RouteResponse {
    const gte = Number(request.query.get('created[gte]') ?? Number.NEGATIVE_INFINITY);
    const lte = Number(request.query.get('created[lte]') ?? Number.POSITIVE_INFINITY);
    const limit = Math.min(100, Number(request.query.get('limit') ?? 10));
    let matching = items.filter((item) => item.created >= gte && item.created <= lte).sort((a, b) => b.created - a.created || b.id.localeCompare(a.id));
    const after = request.query.get('starting_after');
    if (after) matching = matching.slice(matching.findIndex((item) => item.id === after) + 1);
    return { status: 200, body: { object: 'list', url, has_more: matching.length > limit, data: matching.slice(0, limit) } };
  }

  private authorized(request: CapturedRequest, handler: () => RouteResponse): RouteResponse {
    if (request.headers.authorization !== `Bearer ${this.secretKey}`) {
      const given = (request.headers.authorization ?? '').replace(/^Bearer /, '');
      return {
        status: 401,
        body: { error: { type: 'invalid_request_error', message: `Invalid API Key provided: ${given.slice(0, 8)}****${given.slice(-4)}` } },
      };
    }
    return handler();
  }
}
