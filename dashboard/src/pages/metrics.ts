import { html } from 'htm/preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { Lang, T } from '../i18n';
import { ErrorBox, useCall } from './common';

interface Snapshot {
  timestamp: string;
  stripe: { payments?: number; failed?: number; captureRate?: number | null; volume?: Record<string, { amount: number }> };
  paypal: { payments?: number; failed?: number; payoutsFailed?: number };
  calls: { completed?: number; failed?: number };
}

const COLORS = ['#0b57d0', '#c5221f', '#188038', '#e37400', '#8430ce'];

function Chart({ title, x, series }: { title: string; x: number[]; series: { label: string; values: (number | null)[] }[] }) {
  const box = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(600);
  useEffect(() => {
    const observer = new ResizeObserver(([entry]) => setWidth(Math.max(260, Math.floor(entry.contentRect.width))));
    if (box.current) observer.observe(box.current);
    return () => observer.disconnect();
  }, []);
  useEffect(() => {
    if (!box.current) return;
    const plot = new uPlot(
      {
        width,
        height: 220,
        series: [{}, ...series.map((s, i) => ({ label: s.label, stroke: COLORS[i % COLORS.length], width: 2, points: { size: 4 } }))],
        axes: [{}, { size: 56 }],
        legend: { live: false },
      },
      [x, ...series.map((s) => s.values)] as uPlot.AlignedData,
      box.current,
    );
    return () => plot.destroy();
  }, [width, x, series]);
  // The table is the accessible version of the chart (and what a screen reader gets).
  return html`<figure class="chart"><figcaption>${title}</figcaption><div ref=${box} aria-hidden="true"></div>
    <details><summary>Data</summary><div class="scroll"><table><thead><tr><th>Date</th>${series.map((s) => html`<th>${s.label}</th>`)}</tr></thead>
    <tbody>${x.map((time, i) => html`<tr><td>${new Date(time * 1000).toISOString().slice(0, 16).replace('T', ' ')}</td>${series.map((s) => html`<td>${s.values[i] ?? '—'}</td>`)}</tr>`)}</tbody></table></div></details>
  </figure>`;
}

export function Metrics({ t }: { t: T; lang: Lang }) {
  const [days, setDays] = useState(7);
  const data = useCall<{ metrics: Snapshot[] }>('getPaymentMetrics', { days });
  const points = data.value?.metrics ?? [];
  const x = points.map((p) => Math.floor(new Date(p.timestamp).getTime() / 1000));
  const currencies = [...new Set(points.flatMap((p) => Object.keys(p.stripe.volume ?? {})))];
  return html`
    <h1>${t('metrics')}</h1>
    <div role="group" aria-label=${t('metrics')} class="toggle">
      ${[7, 30].map((n) => html`<button type="button" class=${days === n ? '' : 'secondary'} aria-pressed=${days === n} onClick=${() => setDays(n)}>${t('days', { n })}</button>`)}
    </div>
    <${ErrorBox} error=${data.error} />
    ${data.value && points.length === 0 ? html`<p>${t('noMetrics')}</p>` : null}
    ${points.length
      ? html`<div class="charts">
          <${Chart} title=${t('captureRate')} x=${x} series=${[{ label: 'Stripe', values: points.map((p) => (p.stripe.captureRate == null ? null : Math.round(p.stripe.captureRate * 10) / 10)) }]} />
          <${Chart}
            title=${t('failuresChart')}
            x=${x}
            series=${[
              { label: 'Stripe', values: points.map((p) => p.stripe.failed ?? null) },
              { label: 'PayPal', values: points.map((p) => p.paypal.failed ?? null) },
              { label: 'Payouts', values: points.map((p) => p.paypal.payoutsFailed ?? null) },
              { label: 'Calls', values: points.map((p) => p.calls.failed ?? null) },
            ]}
          />
          <${Chart} title=${t('amounts')} x=${x} series=${currencies.map((c) => ({ label: c.toUpperCase(), values: points.map((p) => (p.stripe.volume?.[c] ? p.stripe.volume[c].amount / 100 : null)) }))} />
        </div>`
      : null}`;
}
