/**
 * getPaymentMetrics: the `payment_metrics` snapshots ({timestamp, stripe{}, paypal{}, calls{}},
 * written by the `metrics` job) of the last `days` days, oldest first, for charts. One range filter
 * and one order on `timestamp`: served by the automatic single-field index.
 */
import { z } from 'zod';
import { fs } from '../platform/firestore';
import { FUNCTIONAL_COLLECTIONS } from '../monitors/functional/data';
import { defineCallable, type AdminContext } from './callable';
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

const metricsInput = z.strictObject({
  days: z.number().int().min(METRICS_DAYS.min).max(METRICS_DAYS.max).optional(),
  pageSize: pageSize(METRICS_PAGE.max),
  pageToken,
});

/** The snapshots of `collection` since `days` ago, oldest first, one page. */
async function snapshots<P>(
  input: z.output<typeof metricsInput>,
  { meter, now }: Pick<AdminContext, 'meter' | 'now'>,
  collection: string,
  view: (id: string, data: Record<string, unknown>) => P,
): Promise<{ from: string; to: string; metrics: P[]; nextPageToken: string | null }> {
  const days = input.days ?? METRICS_DAYS.default;
  const from = new Date(now.getTime() - days * 86_400_000);
  const base = meter.db.collection(collection).where('timestamp', '>=', fs().Timestamp.fromDate(from));
  const page = await valuePage(meter, base, {
    field: 'timestamp',
    direction: 'asc',
    pageSize: input.pageSize ?? METRICS_PAGE.default,
    token: input.pageToken,
    query: `${collection}:days=${days}`,
  });
  return { from: from.toISOString(), to: now.toISOString(), metrics: page.docs.map((doc) => view(doc.id, doc.data())), nextPageToken: page.nextPageToken };
}

export const getPaymentMetrics = defineCallable({
  input: metricsInput,
  mutates: false,
  errors: [],
  handler: (input, ctx): Promise<MetricsPage> =>
    snapshots(input, ctx, PAYMENT_METRICS_COLLECTION, (id, data) => ({
      id,
      timestamp: toJson(data.timestamp) as string,
      source: typeof data.source === 'string' ? data.source : null,
      period: toJson(data.period ?? null),
      stripe: toJson(data.stripe ?? {}),
      paypal: toJson(data.paypal ?? {}),
      calls: toJson(data.calls ?? {}),
    })),
});

export interface FunctionalMetricsPoint {
  id: string;
  timestamp: string;
  /** The check set of the run (`all`, `critical`, `signup`...). */
  type: string | null;
  job: string | null;
  runId: string | null;
  /** Per check (`signup_dropoff`, `booking_failures`, `form_errors`, `meta_capi`...): its figures, null when it failed. */
  metrics: unknown;
}

export interface FunctionalMetricsPage {
  from: string;
  to: string;
  metrics: FunctionalMetricsPoint[];
  nextPageToken: string | null;
}

/**
 * getFunctionalMetrics: the `functional_metrics` snapshots (one per functional run: funnels, form
 * error rates, tracking, checkout) of the last `days` days, oldest first, for charts. Same paging
 * and bounds as getPaymentMetrics.
 */
export const getFunctionalMetrics = defineCallable({
  input: metricsInput,
  mutates: false,
  errors: [],
  handler: (input, ctx): Promise<FunctionalMetricsPage> =>
    snapshots(input, ctx, FUNCTIONAL_COLLECTIONS.metrics, (id, data) => ({
      id,
      timestamp: toJson(data.timestamp) as string,
      type: typeof data.type === 'string' ? data.type : null,
      job: typeof data.job === 'string' ? data.job : null,
      runId: typeof data.runId === 'string' ? data.runId : null,
      metrics: toJson(data.metrics ?? {}),
    })),
});
