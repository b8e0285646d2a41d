import { html } from 'htm/preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { exportName, toCsv } from '../export';
import { checkSeries, perFormSeries, type ChartData, type FunctionalSnapshot } from '../series';
import { formatTime, timeZone, type Lang, type T } from '../i18n';
import { download, LoadStatus, stateOf, textsOf, useCall, type Alert } from './common';

interface Snapshot {
  timestamp: string;
  stripe: { payments?: number; failed?: number; captureRate?: number | null; volume?: Record<string, { amount: number }> };
  paypal: { payments?: number; failed?: number; payoutsFailed?: number };
  calls: { completed?: number; failed?: number };
}

const COLORS = ['#0b57d0', '#c5221f', '#188038', '#e37400', '#8430ce'];
const THRESHOLD_COLOR = '#b06000';
const OPENED_COLOR = '#c5221f';
const RESOLVED_COLOR = '#188038';

/** A vertical mark on a chart: where an alert opened or resolved. */
export interface Marker {
  at: number;
  kind: 'opened' | 'resolved';
  label: string;
}

interface ChartProps {
  id: string;
  title: string;
  x: number[];
  series: { label: string; values: (number | null)[] }[];
  t: T;
  lang: Lang;
  /** A horizontal line: the rule's threshold, in the chart's unit. */
  threshold?: { value: number; label: string } | null;
  markers?: Marker[];
}

/**
 * Time ticks (uPlot's format table: tick size, then the label and what is added when the year, month,
 * day... changes): numeric dates and a 24-hour clock, read in the team's zone (tzDate), so they are
 * the same in both languages. uPlot's default is US-style with a 12-hour clock.
 */
const TIME_TICKS: (string | number | null)[][] = [
  [3600 * 24 * 365, '{YYYY}', null, null, null, null, null, null, 1],
  [3600 * 24 * 28, '{MM}/{YYYY}', null, null, null, null, null, null, 1],
  [3600 * 24, '{DD}/{MM}', '\n{YYYY}', null, null, null, null, null, 1],
  [3600, '{HH}:{mm}', '\n{DD}/{MM}/{YYYY}', null, '\n{DD}/{MM}', null, null, null, 1],
  [60, '{HH}:{mm}', '\n{DD}/{MM}/{YYYY}', null, '\n{DD}/{MM}', null, null, null, 1],
  [1, '{HH}:{mm}:{ss}', '\n{DD}/{MM}/{YYYY}', null, '\n{DD}/{MM}', null, null, null, 1],
];

/** Draws the threshold line and the alert markers over the plot (uPlot's draw hook, canvas pixels). */
function overlay(threshold: ChartProps['threshold'], markers: Marker[]) {
  return (u: uPlot) => {
    const ctx = u.ctx;
    const { left, top, width, height } = u.bbox;
    ctx.save();
    ctx.lineWidth = 2 * devicePixelRatio;
    if (threshold) {
      const y = u.valToPos(threshold.value, 'y', true);
      if (y >= top && y <= top + height) {
        ctx.strokeStyle = THRESHOLD_COLOR;
        ctx.setLineDash([8 * devicePixelRatio, 6 * devicePixelRatio]);
        ctx.beginPath();
        ctx.moveTo(left, y);
        ctx.lineTo(left + width, y);
        ctx.stroke();
      }
    }
    ctx.setLineDash([3 * devicePixelRatio, 3 * devicePixelRatio]);
    for (const marker of markers) {
      const x = u.valToPos(marker.at, 'x', true);
      if (x < left || x > left + width) continue;
      ctx.strokeStyle = marker.kind === 'opened' ? OPENED_COLOR : RESOLVED_COLOR;
      ctx.beginPath();
      ctx.moveTo(x, top);
      ctx.lineTo(x, top + height);
      ctx.stroke();
    }
    ctx.restore();
  };
}

function Chart({ id, title, x, series, t, lang, threshold = null, markers = [] }: ChartProps) {
  const box = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(0);
  useEffect(() => {
    if (!box.current) return;
    // The box is as wide as its column (min-width 0), never as wide as the plot inside it.
    setWidth(Math.floor(box.current.clientWidth));
    const observer = new ResizeObserver(([entry]) => setWidth(Math.floor(entry.contentRect.width)));
    observer.observe(box.current);
    return () => observer.disconnect();
  }, []);
  // The plot is rebuilt when what it shows changes, not on every render of the page (a rebuild drops the hover).
  const content = JSON.stringify([x, series, threshold, markers, timeZone().zone]);
  useEffect(() => {
    if (!box.current || width === 0) return;
    const zone = timeZone().zone;
    const lo = Math.min(...x);
    const hi = Math.max(...x);
    const plot = new uPlot(
      {
        width,
        height: width < 400 ? 180 : 220,
        tzDate: (ts) => uPlot.tzDate(new Date(ts * 1e3), zone),
        // The legend's time (hover) like every time of the page: team zone, 24-hour clock.
        series: [
          { label: t('time'), value: (_u: uPlot, v: number | null) => (v == null ? '—' : formatTime(new Date(v * 1000).toISOString(), lang)) },
          ...series.map((s, i) => ({ label: s.label, stroke: COLORS[i % COLORS.length], width: 2, points: { size: 4 } })),
        ],
        // Time ticks in the team's zone, numeric, 24-hour clock (uPlot's default is US, 12-hour).
        axes: [
          { stroke: 'currentColor', values: TIME_TICKS as uPlot.Axis.Values, space: 60 },
          { size: 48, stroke: 'currentColor' },
        ],
        // One run in the period: a day around it, not uPlot's years.
        ...(lo === hi ? { scales: { x: { time: true, range: [lo - 43_200, hi + 43_200] as uPlot.Range.MinMax } } } : {}),
        // Hover values: the legend shows the values under the cursor.
        legend: { live: true },
        cursor: { focus: { prox: 16 } },
        hooks: { draw: [overlay(threshold, markers)] },
      },
      [x, ...series.map((s) => s.values)] as uPlot.AlignedData,
      box.current,
    );
    return () => plot.destroy();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [width, content]);
  const dateHeader = `${t('date')} (${timeZone().zone})`;
  const rows = x.map((time, i) => [formatTime(new Date(time * 1000).toISOString(), lang), ...series.map((s) => s.values[i] ?? null)]);
  const csv = () => download(exportName(id, new Date(), 'csv'), toCsv([dateHeader, ...series.map((s) => s.label)], rows), 'text/csv');
  // The table is the accessible version of the chart (and what a screen reader gets).
  return html`<figure class="chart" data-chart=${id}><figcaption>${title}</figcaption>
    ${
      threshold || markers.length
        ? html`<p class="legend-extra muted">
          ${threshold ? html`<span class="key key-threshold"></span> ${t('thresholdLine')} ${threshold.label} ` : null}
          ${markers.length ? html`<span class="key key-opened"></span> ${t('alertsOpened')} <span class="key key-resolved"></span> ${t('alertsResolved')}` : null}
        </p>`
        : null
    }
    <div class="chart-box" ref=${box} aria-hidden="true"></div>
    ${
      markers.length
        ? html`<ul class="plain markers">${markers.map((m) => html`<li>${formatTime(new Date(m.at * 1000).toISOString(), lang)} · ${m.kind === 'opened' ? t('alertsOpened') : t('alertsResolved')}: ${m.label}</li>`)}</ul>`
        : null
    }
    <details><summary>${t('data')}</summary>
      <div class="table-tools"><button type="button" class="secondary" onClick=${csv}>${t('exportCsv')}</button></div>
      <div class="scroll" tabindex="0" role="region" aria-label=${`${title}: ${t('data')}`}><table><thead><tr><th scope="col">${dateHeader}</th>${series.map((s) => html`<th scope="col">${s.label}</th>`)}</tr></thead>
    <tbody>${rows.map(([when, ...values]) => html`<tr><td>${when}</td>${values.map((v) => html`<td>${v ?? '—'}</td>`)}</tr>`)}</tbody></table></div></details>
  </figure>`;
}

/** Markers of the alerts of some rules, opened or resolved within the chart's range. */
function markersOf(alerts: Alert[], ruleIds: string[], from: number, lang: Lang): Marker[] {
  const marks: Marker[] = [];
  for (const alert of alerts) {
    if (!ruleIds.includes(alert.ruleId)) continue;
    const label = textsOf(alert, lang).title;
    const opened = Date.parse(alert.createdAt) / 1000;
    if (opened >= from) marks.push({ at: opened, kind: 'opened', label });
    if (alert.resolvedAt && Date.parse(alert.resolvedAt) / 1000 >= from) marks.push({ at: Date.parse(alert.resolvedAt) / 1000, kind: 'resolved', label });
  }
  return marks.sort((a, b) => a.at - b.at);
}

interface RuleEntry {
  id: string;
  unit: string;
  defaults: { threshold: number };
}

export function Metrics({ t, lang }: { t: T; lang: Lang }) {
  const [days, setDays] = useState(7);
  const data = useCall<{ metrics: Snapshot[] }>('getPaymentMetrics', { days });
  const open = useCall<{ alerts: Alert[] }>('getActiveAlerts', { domain: 'payment', pageSize: 100 });
  const resolved = useCall<{ alerts: Alert[] }>('getPaymentAlerts', { resolved: true, pageSize: 100 });
  const thresholds = useCall<{ rules: RuleEntry[]; effective: { rules: Record<string, { threshold: number }> } }>('getThresholds', {});
  const points = data.value?.metrics ?? [];
  const x = points.map((p) => Math.floor(new Date(p.timestamp).getTime() / 1000));
  const from = x[0] ?? 0;
  const currencies = [...new Set(points.flatMap((p) => Object.keys(p.stripe.volume ?? {})))];
  const alerts = [...(open.value?.alerts ?? []), ...(resolved.value?.alerts ?? [])];
  const thresholdOf = (ruleId: string) => {
    const rule = thresholds.value?.rules.find((r) => r.id === ruleId);
    if (!rule) return null;
    const value = thresholds.value?.effective.rules[ruleId]?.threshold ?? rule.defaults.threshold;
    return { value, label: `${value}${rule.unit === 'percent' ? ' %' : ''}` };
  };
  const state = stateOf(data, Date.now(), Number.POSITIVE_INFINITY);
  const functional = useCall<{ metrics: FunctionalSnapshot[] }>('getFunctionalMetrics', { days });
  const runs = functional.value?.metrics ?? [];
  const functionalCharts: Array<{ id: string; title: string; data: ChartData; rule?: string; rules: string[] }> = [
    {
      id: 'signup-dropoff',
      title: t('chartSignupDropoff'),
      data: perFormSeries(runs, 'signup_dropoff', 'dropoffPercent'),
      rule: 'signup_dropoff_high',
      rules: ['signup_dropoff_high', 'signup_blocked'],
    },
    {
      id: 'booking-failures',
      title: t('chartBookingFailures'),
      data: checkSeries(runs, 'booking_failures', [{ path: 'failureRatePercent', label: t('bookings') }]),
      rule: 'booking_failure_rate',
      rules: ['booking_failure_rate', 'booking_blocked'],
    },
    {
      id: 'form-errors',
      title: t('chartFormErrors'),
      data: perFormSeries(runs, 'form_errors', 'errorRatePercent'),
      rule: 'form_error_rate',
      rules: ['form_error_rate'],
    },
    { id: 'tracking', title: t('chartTracking'), data: checkSeries(runs, 'meta_capi', [{ path: 'sent', label: 'Meta CAPI' }]), rules: ['meta_capi_inactive'] },
    {
      id: 'checkout-conversion',
      title: t('chartCheckout'),
      data: checkSeries(runs, 'checkout_conversion', [{ path: 'conversionPercent', label: t('checkout') }]),
      rule: 'payment_flow_conversion_low',
      rules: ['payment_flow_conversion_low', 'payment_flow_blocked'],
    },
  ];
  const openFunctional = useCall<{ alerts: Alert[] }>('getActiveAlerts', { domain: 'functional', pageSize: 100 });
  const resolvedFunctional = useCall<{ alerts: Alert[] }>('getFunctionalAlerts', { resolved: true, pageSize: 100 });
  const functionalAlerts = [...(openFunctional.value?.alerts ?? []), ...(resolvedFunctional.value?.alerts ?? [])];
  return html`
    <h1>${t('metrics')}</h1>
    <p class="muted">${t('metricsIntro')}</p>
    <div role="group" aria-label=${t('metrics')} class="toggle">
      ${[7, 30].map((n) => html`<button type="button" class=${days === n ? '' : 'secondary'} aria-pressed=${days === n} onClick=${() => setDays(n)}>${t('days', { n })}</button>`)}
    </div>
    <${LoadStatus} what=${t('whatMetrics')} load=${data} state=${state} t=${t} lang=${lang} />
    <h2>${t('paymentMetrics')}</h2>
    ${data.value && points.length === 0 ? html`<p>${t('noMetrics')}</p>` : null}
    ${
      points.length
        ? html`<div class="charts">
          <${Chart}
            id="capture-rate"
            title=${t('captureRate')}
            t=${t}
            lang=${lang}
            x=${x}
            threshold=${thresholdOf('capture_rate')}
            markers=${markersOf(alerts, ['capture_rate'], from, lang)}
            series=${[{ label: 'Stripe', values: points.map((p) => (p.stripe.captureRate == null ? null : Math.round(p.stripe.captureRate * 10) / 10)) }]}
          />
          <${Chart}
            id="failures"
            title=${t('failuresChart')}
            t=${t}
            lang=${lang}
            x=${x}
            markers=${markersOf(alerts, ['stripe_payment_failures', 'paypal_payment_failures', 'failed_payouts', 'failed_calls'], from, lang)}
            series=${[
              { label: 'Stripe', values: points.map((p) => p.stripe.failed ?? null) },
              { label: 'PayPal', values: points.map((p) => p.paypal.failed ?? null) },
              { label: t('metricSeries_payouts'), values: points.map((p) => p.paypal.payoutsFailed ?? null) },
              { label: t('metricSeries_calls'), values: points.map((p) => p.calls.failed ?? null) },
            ]}
          />
          <${Chart}
            id="amounts"
            title=${t('amounts')}
            t=${t}
            lang=${lang}
            x=${x}
            series=${currencies.map((c) => ({ label: c.toUpperCase(), values: points.map((p) => (p.stripe.volume?.[c] ? p.stripe.volume[c].amount / 100 : null)) }))}
          />
        </div>`
        : null
    }
    <h2>${t('functionalMetrics')}</h2>
    <${LoadStatus} what=${t('whatMetrics')} load=${functional} state=${stateOf(functional, Date.now(), Number.POSITIVE_INFINITY)} t=${t} lang=${lang} />
    ${functional.value && runs.length === 0 ? html`<p>${t('noMetrics')}</p>` : null}
    <div class="charts">
      ${functionalCharts
        .filter((chart) => chart.data.x.length > 0 && chart.data.series.length > 0)
        .map(
          (chart) =>
            html`<${Chart} key=${chart.id} id=${chart.id} title=${chart.title} t=${t} lang=${lang} x=${chart.data.x} series=${chart.data.series}
              threshold=${chart.rule ? thresholdOf(chart.rule) : null} markers=${markersOf(functionalAlerts, chart.rules, chart.data.x[0] ?? 0, lang)} />`,
        )}
    </div>`;
}
