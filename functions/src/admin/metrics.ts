/**
 * getPaymentMetrics: the `payment_metrics` snapshots ({timestamp, stripe{}, paypal{}, calls{}},
 * written by the `metrics` job) of the last `days` days, oldest first, for charts. One range filter
 * and one order on `timestamp`: served by the automatic single-field index.
 */
import { z } from 'zod';
import { fs } from '../platform/firestore';
import { defineCallable } from './callable';
import { valuePage } from './pagination';
import { pageSize, pageToken, toJson } from './schemas';

export const PAYMENT_METRICS_COLLECTION = 'payment_metrics';
export const METRICS_DAYS = { default: 7, min: 1, max: 90 } as const;
/** Four snapshots a day for 90 days fit in two pages of the maximum size. */
export const METRICS_PAGE = { default: 200, max: 200 } as const;

export interface MetricsPoint {
  id: string;
  timestamp: string;
  /** The job that wrote the snapshot and the period it covers, when recorded. */
  source: string | null;
  period: unknown;
  stripe: unknown;
  paypal: unknown;
  calls: unknown;
}

export interface MetricsPage {
  from: string;
  to: string;
  metrics: MetricsPoint[];
  nextPageToken: string | null;
}

export const getPaymentMetrics = defineCallable({
  input: z.strictObject({
    days: z.number().int().min(METRICS_DAYS.min).max(METRICS_DAYS.max).optional(),
    pageSize: pageSize(METRICS_PAGE.max),
    pageToken,
  }),
  mutates: false,
  errors: [],
  async handler(input, { meter, now }): Promise<MetricsPage> {
    const days = input.days ?? METRICS_DAYS.default;
    const from = new Date(now.getTime() - days * 86_400_000);
    const base = meter.db.collection(PAYMENT_METRICS_COLLECTION).where('timestamp', '>=', fs().Timestamp.fromDate(from));
    const page = await valuePage(meter, base, {
      field: 'timestamp',
      direction: 'asc',
      pageSize: input.pageSize ?? METRICS_PAGE.default,
      token: input.pageToken,
      query: `payment_metrics:days=${days}`,
    });
    return {
      from: from.toISOString(),
      to: now.toISOString(),
      metrics: page.docs.map((doc) => {
        const data = doc.data();
        return {
          id: doc.id,
          timestamp: toJson(data.timestamp) as string,
          source: typeof data.source === 'string' ? data.source : null,
          period: toJson(data.period ?? null),
          stripe: toJson(data.stripe ?? {}),
          paypal: toJson(data.paypal ?? {}),
          calls: toJson(data.calls ?? {}),
        };
      }),
      nextPageToken: page.nextPageToken,
    };
  },
});
