/**
 * Chart series of the functional_metrics snapshots (getFunctionalMetrics), decided without the DOM
 * (tested in functions/test/dashboard.logic.test.ts). A snapshot holds the figures of the checks of
 * its run only (a `signup` run has no booking figures), so each chart takes the snapshots that have
 * its check; a failed check (null) is a gap, not a zero.
 */

export interface FunctionalSnapshot {
  timestamp: string;
  type: string | null;
  metrics: Record<string, unknown> | null;
}

export interface Series {
  label: string;
  values: (number | null)[];
}

export interface ChartData {
  x: number[];
  series: Series[];
}

const record = (value: unknown): Record<string, unknown> | null =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
const number = (value: unknown): number | null => (typeof value === 'number' && Number.isFinite(value) ? Math.round(value * 10) / 10 : null);

/** One figure of one check: `figure(points, 'booking_failures', ['failureRatePercent'])`. */
export function checkSeries(points: FunctionalSnapshot[], check: string, fields: { path: string; label: string }[]): ChartData {
  const having = points.filter((point) => point.metrics && check in point.metrics);
  return {
    x: having.map((point) => Math.floor(Date.parse(point.timestamp) / 1000)),
    series: fields.map(({ path, label }) => ({ label, values: having.map((point) => number(record(point.metrics?.[check])?.[path])) })),
  };
}

/**
 * One series per form of a check whose figures are by form (`signup_dropoff.forms.<form>.dropoffPercent`,
 * `form_errors.forms.<form>.errorRatePercent`): the forms seen in any snapshot, at most `max` (the most frequent).
 */
export function perFormSeries(points: FunctionalSnapshot[], check: string, field: string, max = 6): ChartData {
  const having = points.filter((point) => record(record(point.metrics?.[check])?.forms));
  const seen = new Map<string, number>();
  for (const point of having) for (const form of Object.keys(record(record(point.metrics?.[check])?.forms) ?? {})) seen.set(form, (seen.get(form) ?? 0) + 1);
  const forms = [...seen.entries()]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, max)
    .map(([form]) => form);
  return {
    x: having.map((point) => Math.floor(Date.parse(point.timestamp) / 1000)),
    series: forms.map((form) => ({
      label: form,
      values: having.map((point) => number(record(record(record(point.metrics?.[check])?.forms)?.[form])?.[field])),
    })),
  };
}
