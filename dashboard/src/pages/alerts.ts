import { html } from 'htm/preact';
import { useEffect, useState } from 'preact/hooks';
import { call, type ApiError } from '../api';
import { formatTime, type Lang, type T } from '../i18n';
import { ErrorBox, formatValue, SEVERITY_ORDER, useCall, textsOf, whoIs, type Alert } from './common';

interface Summary {
  alerts: { open: number; unacknowledged: number; bySeverity: Record<string, number>; byDomain: Record<string, { open: number; unacknowledged: number }> };
  jobs: { job: string; status: string; lastRunAt: string | null; lastSuccessAt: string | null; lastOutcome: string | null; lastError: string | null; consecutiveFailures: number }[];
  deliveries: { retrying: number; deadRecently: number };
}
interface FunctionalSummary {
  alerts: { open: number; unacknowledged: number };
  recentRuns: { runId: string; startedAt: string; outcome: string; options: { check: string | null }; alerts: { opened: number; resolved: number } }[];
  running: { check: string; requestedBy: string }[];
}

const DOMAINS = ['payment', 'functional', 'system'] as const;
const SEVERITIES = ['emergency', 'critical', 'warning'] as const;
const REFRESH_MS = 30_000;
/** On a phone the filters start folded, so the alerts are on the first screen. */
const PHONE = matchMedia('(max-width: 40rem)').matches;

function Select({ label, value, options, onChange }: { label: string; value: string; options: [string, string][]; onChange: (v: string) => void }) {
  return html`<label>${label}
    <select value=${value} onChange=${(e: Event) => onChange((e.target as HTMLSelectElement).value)}>
      ${options.map(([v, text]) => html`<option value=${v}>${text}</option>`)}
    </select></label>`;
}

export function Overview({ t, lang }: { t: T; lang: Lang }) {
  const [domain, setDomain] = useState('');
  const [severity, setSeverity] = useState('');
  const [state, setState] = useState('');
  const [auto, setAuto] = useState(true);
  const filters = { ...(domain ? { domain } : {}), ...(severity ? { severity } : {}), pageSize: 100 };
  const alerts = useCall<{ alerts: Alert[] }>('getActiveAlerts', filters);
  const summary = useCall<Summary>('getSystemHealthSummary', {});
  const functional = useCall<FunctionalSummary>('getFunctionalHealthSummary', {});
  useEffect(() => {
    if (!auto) return;
    const timer = setInterval(() => {
      void alerts.reload();
      void summary.reload();
      void functional.reload();
    }, REFRESH_MS);
    return () => clearInterval(timer);
  }, [auto, alerts.reload, summary.reload, functional.reload]);

  const list = (alerts.value?.alerts ?? [])
    .filter((a) => (state === 'acknowledged' ? a.acknowledged : state === 'unacknowledged' ? !a.acknowledged : true))
    .sort((a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] || b.createdAt.localeCompare(a.createdAt));
  const counts = summary.value?.alerts;

  return html`
    <h1>${t('overview')}</h1>
    <section aria-labelledby="counts-h" class="counts">
      <h2 id="counts-h" class="sr">${t('openAlerts')}</h2>
      <div class="count"><span class="n" data-testid="count-open">${counts?.open ?? '…'}</span>${t('openAlerts')}<small>${counts ? `${counts.unacknowledged} ${t('unacknowledged')}` : ''}</small></div>
      ${SEVERITIES.map((s) => html`<div class=${`count sev-${s}`}><span class="n">${counts?.bySeverity[s] ?? '…'}</span>${t(s)}</div>`)}
      ${DOMAINS.map((d) => html`<div class="count domain"><span class="n">${counts?.byDomain[d]?.open ?? '…'}</span>${t(d)}</div>`)}
    </section>
    <details class="filters-box" open=${!PHONE}>
    <summary>${t('filters')}${domain || severity || state ? ' •' : ''}</summary>
    <form class="filters" onSubmit=${(e: Event) => e.preventDefault()}>
      <${Select} label=${t('domain')} value=${domain} onChange=${setDomain} options=${[['', t('all')], ...DOMAINS.map((d) => [d, t(d)])]} />
      <${Select} label=${t('severity')} value=${severity} onChange=${setSeverity} options=${[['', t('all')], ...SEVERITIES.map((s) => [s, t(s)])]} />
      <${Select} label=${t('state')} value=${state} onChange=${setState} options=${[['', t('all')], ['unacknowledged', t('unacknowledged')], ['acknowledged', t('acknowledged')]]} />
      <label class="check"><input type="checkbox" checked=${auto} onChange=${(e: Event) => setAuto((e.target as HTMLInputElement).checked)} />${t('autoRefresh')}</label>
      <button type="button" class="secondary" onClick=${() => (alerts.reload(), summary.reload(), functional.reload())}>${t('refresh')}</button>
      <span class="muted" aria-live="polite">${alerts.at ? t('updated', { time: alerts.at.toLocaleTimeString(lang) }) : ''}</span>
    </form>
    </details>
    <${ErrorBox} error=${alerts.error} />
    <section aria-labelledby="alerts-h">
      <h2 id="alerts-h">${t('openAlerts')} (${list.length})</h2>
      ${alerts.value && list.length === 0 ? html`<p>${t('noAlerts')}</p>` : null}
      <ul class="alerts">
        ${list.map(
          (a) => html`<li class=${`alert sev-${a.severity}`} data-alert-id=${a.id}>
            <a href=${`#/alert/${encodeURIComponent(a.id)}`}>
              <span class="badge">${t(a.severity)}</span> <strong>${textsOf(a, lang).title}</strong>
              ${a.acknowledged ? html` <span class="tag">${t('acknowledged')}</span>` : null}
              ${a.silencedBy ? html` <span class="tag">🔕</span>` : null}
            </a>
            <div>${textsOf(a, lang).message}</div>
            <div class="muted">${t(a.domain)} · ${a.category} · ${t('since', { time: formatTime(a.createdAt, lang) })} · ${t('occurrences', { n: a.occurrences })}</div>
          </li>`,
        )}
      </ul>
    </section>
    <div class="grid2">
      <section aria-labelledby="sys-h">
        <h2 id="sys-h">${t('systemHealth')}</h2>
        <${ErrorBox} error=${summary.error} />
        ${summary.value
          ? html`<p>${t('deliveriesRetrying', { n: summary.value.deliveries.retrying, d: summary.value.deliveries.deadRecently })}</p>
              <div class="scroll"><table>
                <caption class="sr">${t('jobs')}</caption>
                <thead><tr><th scope="col">${t('job')}</th><th scope="col">${t('status')}</th><th scope="col">${t('lastRun')}</th><th scope="col">${t('lastSuccess')}</th><th scope="col">${t('failures')}</th></tr></thead>
                <tbody>${summary.value.jobs.map(
                  (j) => html`<tr><th scope="row">${j.job}</th><td><span class=${`status st-${j.status}`}>${j.status}</span></td><td>${formatTime(j.lastRunAt, lang)}</td><td>${formatTime(j.lastSuccessAt, lang)}</td><td title=${j.lastError ?? ''}>${j.consecutiveFailures}</td></tr>`,
                )}</tbody>
              </table></div>`
          : null}
      </section>
      <section aria-labelledby="fn-h">
        <h2 id="fn-h">${t('functionalHealth')}</h2>
        <${ErrorBox} error=${functional.error} />
        ${functional.value
          ? html`<p>${t('openAlerts')}: ${functional.value.alerts.open} (${functional.value.alerts.unacknowledged} ${t('unacknowledged')})</p>
              ${functional.value.running.length ? html`<p>${t('running', { list: functional.value.running.map((r) => `${r.check} (${r.requestedBy})`).join(', ') })}</p>` : null}
              <h3>${t('recentRuns')}</h3>
              <ul class="plain">${functional.value.recentRuns.map(
                (r) => html`<li>${formatTime(r.startedAt, lang)} · ${r.options?.check ?? 'all'} · <span class=${`status st-${r.outcome}`}>${r.outcome}</span> · ${t('runAlertsShort', { o: r.alerts.opened, r: r.alerts.resolved })}</li>`,
              )}</ul>`
          : null}
      </section>
    </div>`;
}

async function findAlert(id: string): Promise<Alert | null> {
  const open = await call<{ alerts: Alert[] }>('getActiveAlerts', { pageSize: 100 });
  const found = open.alerts.find((a) => a.id === id);
  if (found) return found;
  for (const name of ['getPaymentAlerts', 'getFunctionalAlerts']) {
    const resolved = await call<{ alerts: Alert[] }>(name, { resolved: true, pageSize: 100 });
    const match = resolved.alerts.find((a) => a.id === id);
    if (match) return match;
  }
  return null;
}

export function AlertPage({ t, lang, id }: { t: T; lang: Lang; id: string }) {
  const [alert, setAlert] = useState<Alert | null | undefined>(undefined);
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const [note, setNote] = useState('');
  useEffect(() => {
    findAlert(id).then(setAlert, setError);
  }, [id]);
  const act = async (name: string, data: unknown) => {
    setBusy(true);
    setError(null);
    try {
      setAlert((await call<{ alert: Alert }>(name, data)).alert);
    } catch (e) {
      setError(e as ApiError);
    } finally {
      setBusy(false);
    }
  };
  if (alert === undefined) return html`<p>${error ? html`<${ErrorBox} error=${error} />` : t('loading')}</p>`;
  if (alert === null) return html`<p>${t('notFound', { id })}</p><p><a href="#/">${t('back')}</a></p>`;
  const texts = textsOf(alert, lang);
  const rows: [string, unknown][] = [
    [t('severity'), t(alert.severity)],
    [t('value'), `${formatValue(alert.value, alert.unit)} (${t('threshold')} ${alert.direction === 'above' ? '>' : '<'} ${formatValue(alert.threshold, alert.unit)})`],
    [t('window'), texts.window ?? '—'],
    [t('impact'), texts.impact],
    [t('suggestedAction'), texts.suggestedAction],
    [t('runbook'), /^https?:\/\//.test(alert.runbookUrl) ? html`<a href=${alert.runbookUrl} target="_blank" rel="noopener noreferrer">${alert.runbookUrl}</a>` : alert.runbookUrl],
    [t('occurrencesLabel'), String(alert.occurrences)],
    [t('firstSeen'), formatTime(alert.createdAt, lang)],
    [t('lastSeen'), formatTime(alert.lastSeenAt, lang)],
    [t('domain'), `${t(alert.domain)} · ${alert.category}`],
    [t('rule'), `${alert.ruleId}${alert.key ? ` (${alert.key})` : ''}`],
    [t('alert'), alert.id],
  ];
  const channels = [...new Set(alert.notifications.map((n) => n.channel))];
  const resolver = alert.domain === 'payment' ? 'resolvePaymentAlert' : alert.domain === 'functional' ? 'resolveFunctionalAlert' : null;
  return html`
    <p><a href="#/">← ${t('back')}</a></p>
    <h1><span class=${`badge sev-${alert.severity}`}>${t(alert.severity)}</span> ${texts.title}</h1>
    <p class="lead">${texts.message}</p>
    <div class="state" aria-live="polite">
      ${alert.acknowledged
        ? html`<p class="ok" data-testid="acknowledged">✓ ${t('acknowledgedBy', { who: whoIs(alert.acknowledgedBy), when: formatTime(alert.acknowledgedAt, lang) })}${alert.acknowledgedVia === 'link' ? t('viaLink', { channel: alert.acknowledgedChannel ?? '?' }) : ''}</p>`
        : null}
      ${alert.resolved ? html`<p class="ok" data-testid="resolved">✓ ${t('resolvedBy', { who: whoIs(alert.resolvedBy), when: formatTime(alert.resolvedAt, lang), note: alert.resolution ?? '' })}</p>` : null}
    </div>
    <${ErrorBox} error=${error} />
    ${!alert.resolved
      ? html`<div class="actions-row">
          ${!alert.acknowledged ? html`<button type="button" disabled=${busy} onClick=${() => act('acknowledgeAlert', { alertId: alert.id })}>${t('acknowledge')}</button>` : null}
          ${resolver
            ? html`<form class="resolve" onSubmit=${(e: Event) => (e.preventDefault(), act(resolver, { alertId: alert.id, resolution: note }))}>
                <label>${t('resolution')}<textarea name="resolution" rows="2" maxlength="1000" required value=${note} onInput=${(e: Event) => setNote((e.target as HTMLTextAreaElement).value)}></textarea></label>
                <button type="submit" class="secondary" disabled=${busy}>${t('resolve')}</button>
              </form>`
            : html`<p class="muted">${t('systemResolves')}</p>`}
        </div>`
      : null}
    <dl class="fields">${rows.map(([label, value]) => html`<dt>${label}</dt><dd>${value}</dd>`)}</dl>
    <h2>${t('notifications')}</h2>
    ${channels.length === 0 ? html`<p>${t('noNotifications')}</p>` : null}
    ${channels.map(
      (channel) => html`<h3>${channel}</h3><div class="scroll"><table class="timeline">
        <thead><tr><th scope="col">${t('time')}</th><th scope="col">${t('event')}</th><th scope="col">${t('attempt')}</th><th scope="col">${t('status')}</th><th scope="col">${t('error')}</th></tr></thead>
        <tbody>${alert.notifications
          .filter((n) => n.channel === channel)
          .map((n) => html`<tr><td>${formatTime(n.at, lang)}</td><td>${n.event}</td><td>${n.attempt}</td><td><span class=${`status st-${n.status}`}>${n.status}</span></td><td>${n.error ?? ''}</td></tr>`)}</tbody>
      </table></div>`,
    )}`;
}
