import { html } from 'htm/preact';
import { useEffect, useState } from 'preact/hooks';
import { call, type ApiError } from '../api';
import { detailRows, linkIds, resolveNeedsConfirmation, timeline, type TimelineEntry } from '../evidence';
import { formatTime, setTimeZone, word, type Lang, type T } from '../i18n';
import { exportName, toCsv } from '../export';
import { countLabel, mayShowAllClear, tabTitle } from '../state';
import { download, ErrorBox, formatValue, LoadStatus, SEVERITY_ORDER, stateOf, useCall, useNow, textsOf, whoIs, type Alert } from './common';

interface Summary {
  alerts: {
    open: number;
    unacknowledged: number;
    bySeverity: Record<string, number>;
    byDomain: Record<string, { open: number; unacknowledged: number }>;
  };
  jobs: {
    job: string;
    status: string;
    lastRunAt: string | null;
    lastSuccessAt: string | null;
    lastOutcome: string | null;
    lastError: string | null;
    consecutiveFailures: number;
  }[];
  deliveries: { retrying: number; deadRecently: number };
  presentation?: { locale: string; timeZone: string };
}
interface FunctionalSummary {
  alerts: { open: number; unacknowledged: number };
  recentRuns: {
    runId: string;
    startedAt: string;
    outcome: string;
    options: { check: string | null };
    alerts: { opened: number; resolved: number };
  }[];
  running: { check: string; requestedBy: string }[];
}

const DOMAINS = ['payment', 'functional', 'system'] as const;
const SEVERITIES = ['emergency', 'critical', 'warning'] as const;
const REFRESH_MS = 30_000;
/** Data older than two refresh periods (a missed refresh, a sleeping tab) is marked stale. */
const MAX_AGE_MS = 2 * REFRESH_MS + 5_000;
/** On a phone the filters start folded, so the alerts are on the first screen. */
const PHONE = matchMedia('(max-width: 40rem)').matches;

const EXPORTED: (keyof Alert)[] = [
  'id',
  'domain',
  'severity',
  'ruleId',
  'key',
  'category',
  'title',
  'message',
  'value',
  'threshold',
  'direction',
  'unit',
  'createdAt',
  'lastSeenAt',
  'occurrences',
  'acknowledged',
  'acknowledgedBy',
  'acknowledgedAt',
  'resolved',
  'resolvedAt',
  'silencedBy',
];

/** The alerts shown, as the API gave them (JSON) or one row each (CSV, UTC ISO times). */
function exportAlerts(list: Alert[], format: 'csv' | 'json') {
  const name = exportName('alerts', new Date(), format);
  if (format === 'json') return download(name, JSON.stringify(list, null, 2), 'application/json');
  download(
    name,
    toCsv(
      EXPORTED,
      list.map((alert) => EXPORTED.map((field) => alert[field])),
    ),
    'text/csv',
  );
}

function Select({ label, value, options, onChange }: { label: string; value: string; options: [string, string][]; onChange: (v: string) => void }) {
  return html`<label
    >${label}
    <select value=${value} onChange=${(e: Event) => onChange((e.target as HTMLSelectElement).value)}>
      ${options.map(([v, text]) => html`<option value=${v}>${text}</option>`)}
    </select></label
  >`;
}

export function Overview({ t, lang }: { t: T; lang: Lang }) {
  const [domain, setDomain] = useState('');
  const [severity, setSeverity] = useState('');
  const [state, setState] = useState('');
  const [auto, setAuto] = useState(true);
  const filters = {
    ...(domain ? { domain } : {}),
    ...(severity ? { severity } : {}),
    pageSize: 100,
  };
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
  const reloadAll = () => {
    void alerts.reload();
    void summary.reload();
    void functional.reload();
  };
  useEffect(() => {
    if (summary.value?.presentation?.timeZone) setTimeZone(summary.value.presentation.timeZone);
  }, [summary.value]);
  const now = useNow(5_000);
  const listState = stateOf(alerts, now, MAX_AGE_MS);
  const countState = stateOf(summary, now, MAX_AGE_MS);
  const number = (n: number | undefined) => countLabel(countState, n ?? 0);
  const stale = (state: string) => (state === 'stale' ? html` <span class="tag stale-tag">${t('stale')}</span>` : null);
  useEffect(() => {
    document.title = tabTitle(
      t('title'),
      counts && countState !== 'failed'
        ? {
            emergency: counts.bySeverity.emergency ?? 0,
            critical: counts.bySeverity.critical ?? 0,
          }
        : null,
      {
        emergency: t('emergency'),
        critical: t('critical'),
      },
    );
  }, [counts, countState, t]);
  useEffect(() => () => void (document.title = t('title')), [t]);

  return html` <h1>${t('overview')}</h1>
    <${LoadStatus} what=${t('whatCounts')} load=${summary} state=${countState} t=${t} lang=${lang} onRetry=${reloadAll} />
    <section aria-labelledby="counts-h" class="counts" data-state=${countState}>
      <h2 id="counts-h" class="sr">${t('openAlerts')}</h2>
      <div class="count">
        <span class="n" data-testid="count-open">${number(counts?.open)}</span>${t('openAlerts')}<small
          >${counts && countState !== 'failed' ? `${counts.unacknowledged} ${t('unacknowledged')}` : ''}</small
        >
      </div>
      ${SEVERITIES.map((s) => html`<div class=${`count sev-${s}`}><span class="n">${number(counts?.bySeverity[s])}</span>${t(s)}</div>`)}
      ${DOMAINS.map((d) => html`<div class="count domain"><span class="n">${number(counts?.byDomain[d]?.open)}</span>${t(d)}</div>`)}
    </section>
    <details class="filters-box" open=${!PHONE}>
      <summary>${t('filters')}${domain || severity || state ? ' •' : ''}</summary>
      <form class="filters" onSubmit=${(e: Event) => e.preventDefault()}>
        <${Select} label=${t('domain')} value=${domain} onChange=${setDomain} options=${[['', t('all')], ...DOMAINS.map((d) => [d, t(d)])]} />
        <${Select} label=${t('severity')} value=${severity} onChange=${setSeverity} options=${[['', t('all')], ...SEVERITIES.map((s) => [s, t(s)])]} />
        <${Select}
          label=${t('state')}
          value=${state}
          onChange=${setState}
          options=${[
            ['', t('all')],
            ['unacknowledged', t('unacknowledged')],
            ['acknowledged', t('acknowledged')],
          ]}
        />
        <label class="check"
          ><input type="checkbox" checked=${auto} onChange=${(e: Event) => setAuto((e.target as HTMLInputElement).checked)} />${t('autoRefresh')}</label
        >
        <button type="button" class="secondary" onClick=${() => (alerts.reload(), summary.reload(), functional.reload())}>${t('refresh')}</button>
        <span class="muted" aria-live="polite">${alerts.at ? t('updated', { time: formatTime(alerts.at.toISOString(), lang) }) : ''}</span>
      </form>
    </details>
    <section aria-labelledby="alerts-h" data-state=${listState}>
      <h2 id="alerts-h">${t('openAlerts')} (${countLabel(listState, list.length)})${stale(listState)}</h2>
      <${LoadStatus} what=${t('whatAlerts')} load=${alerts} state=${listState} t=${t} lang=${lang} onRetry=${reloadAll} />
      ${
        mayShowAllClear(listState, list.length)
          ? html`<p class="all-clear" data-testid="all-clear">${`${domain || severity || state ? t('noAlerts') : t('noAlertsAtAll')} ${t('checkedAt', { time: formatTime(alerts.at?.toISOString() ?? null, lang) })}`}</p>`
          : null
      }
      <ul class="alerts">
        ${list.map(
          (a) =>
            html`<li class=${`alert sev-${a.severity}`} data-alert-id=${a.id}>
              <a href=${`#/alert/${encodeURIComponent(a.id)}`}>
                <span class="badge">${t(a.severity)}</span>${' '}<strong>${textsOf(a, lang).title}</strong>${a.acknowledged ? html` <span class="tag">${t('acknowledged')}</span>` : null}${a.silencedBy ? html` <span class="tag">🔕</span>` : null}
              </a>
              <div>${textsOf(a, lang).message}</div>
              <div class="muted">
                ${t(a.domain)} · ${a.category} · ${t('since', { time: formatTime(a.createdAt, lang) })} · ${t('occurrences', { n: a.occurrences })}
              </div>
            </li>`,
        )}
      </ul>
    </section>
    <div class="grid2">
      <section aria-labelledby="sys-h">
        <h2 id="sys-h">${t('systemHealth')}${stale(countState)}</h2>
        ${countState === 'failed' ? html`<p class="error">${t('unknownState')}</p>` : null}
        ${
          summary.value
            ? html`<p>${t('deliveriesRetrying', { n: summary.value.deliveries.retrying, d: summary.value.deliveries.deadRecently })}</p>
                <div class="scroll" tabindex="0" role="region" aria-label=${t('jobs')}>
                  <table>
                    <caption class="sr">
                      ${t('jobs')}
                    </caption>
                    <thead>
                      <tr>
                        <th scope="col">${t('job')}</th>
                        <th scope="col">${t('status')}</th>
                        <th scope="col">${t('lastRun')}</th>
                        <th scope="col">${t('lastSuccess')}</th>
                        <th scope="col">${t('failures')}</th>
                      </tr>
                    </thead>
                    <tbody>
                      ${summary.value.jobs.map(
                        (j) =>
                          html`<tr>
                            <th scope="row">${j.job}</th>
                            <td>
                              <span class=${`status st-${j.status}`}>${word(t, 'jobStatus_', j.status)}</span>
                            </td>
                            <td>${formatTime(j.lastRunAt, lang)}</td>
                            <td>${formatTime(j.lastSuccessAt, lang)}</td>
                            <td title=${j.lastError ?? ''}>${j.consecutiveFailures}</td>
                          </tr>`,
                      )}
                    </tbody>
                  </table>
                </div>`
            : null
        }
      </section>
      <section aria-labelledby="fn-h">
        <h2 id="fn-h">${t('functionalHealth')}${stale(stateOf(functional, now, MAX_AGE_MS))}</h2>
        <${LoadStatus} what=${t('whatFunctional')} load=${functional} state=${stateOf(functional, now, MAX_AGE_MS)} t=${t} lang=${lang} onRetry=${reloadAll} />
        ${
          functional.value
            ? html`<p>${t('openAlerts')}: ${functional.value.alerts.open} (${functional.value.alerts.unacknowledged} ${t('unacknowledged')})</p>
                ${functional.value.running.length ? html`<p>${t('running', { list: functional.value.running.map((r) => `${r.check} (${r.requestedBy})`).join(', ') })}</p>` : null}
                <h3>${t('recentRuns')}</h3>
                <ul class="plain">
                  ${functional.value.recentRuns.map(
                    (r) =>
                      html`<li>${`${formatTime(r.startedAt, lang)} · ${r.options?.check ?? t('allChecks')} · `}<span class=${`status st-${r.outcome}`}>${word(t, 'st_', r.outcome)}</span>${` · ${t('runAlertsShort', { o: r.alerts.opened, r: r.alerts.resolved })}`}</li>`,
                  )}
                </ul>`
            : null
        }
      </section>
    </div>`;
}

const ISO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?Z$/;

function Pieces({ text, ruleId, t, lang }: { text: string; ruleId: string; t: T; lang: Lang }) {
  // A time recorded by the check reads in the team's zone, like every other time of the page.
  if (ISO_TIME.test(text)) return html`<time datetime=${text}>${formatTime(text, lang)}</time>`;
  return html`${linkIds(text, { ruleId }).map((piece) =>
    typeof piece === 'string'
      ? piece
      : html`<a
          href=${piece.url}
          target="_blank"
          rel="noopener noreferrer"
          class="vendor-link"
          data-vendor=${piece.vendor}
          aria-label=${t('openIn', { id: piece.id, vendor: piece.vendor })}
          >${piece.id}</a
        >`,
  )}`;
}

function Timeline({ alert, t, lang }: { alert: Alert; t: T; lang: Lang }) {
  const describe = (entry: TimelineEntry): string => {
    switch (entry.kind) {
      case 'opened':
        return t('tlOpened');
      case 'lastSeen':
        return t('tlLastSeen', { n: entry.occurrences });
      case 'notification':
        return `${t('tlNotification', { channel: entry.channel, event: word(t, 'ev_', entry.event), attempt: entry.attempt, status: word(t, 'st_', entry.status) })}${entry.error ? ` — ${entry.error}` : ''}`;
      case 'acknowledged':
        return `${t('tlAcknowledged', { who: whoIs(entry.who) })}${entry.via === 'link' ? t('viaLink', { channel: entry.channel ?? '?' }) : ''}`;
      case 'resolved':
        return t('tlResolved', { who: whoIs(entry.who) });
    }
  };
  return html`<ol class="timeline-list" data-testid="timeline">
    ${timeline(alert).map((entry) => html`<li data-kind=${entry.kind}><time datetime=${entry.at}>${formatTime(entry.at, lang)}</time> ${describe(entry)}</li>`)}
  </ol>`;
}

export function AlertPage({ t, lang, id }: { t: T; lang: Lang; id: string }) {
  // The page is keyed by id (main.ts): another alert's URL starts from nothing, never from the previous alert.
  const load = useCall<{ alert: Alert }>('getAlert', { alertId: id });
  const [acted, setActed] = useState<Alert | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const [note, setNote] = useState('');
  const [confirming, setConfirming] = useState(false);
  const act = async (name: string, data: unknown) => {
    setBusy(true);
    setError(null);
    try {
      setActed((await call<{ alert: Alert }>(name, data)).alert);
      setConfirming(false);
    } catch (e) {
      setError(e as ApiError);
    } finally {
      setBusy(false);
    }
  };
  const alert = acted ?? load.value?.alert ?? null;
  if (!alert) {
    if (load.error?.code === 'not-found')
      return html`<p><a href="#/">← ${t('back')}</a></p>
        <p role="alert" data-testid="not-found">${t('notFound', { id })}</p>`;
    return html`<p><a href="#/">← ${t('back')}</a></p>
      <${LoadStatus} what=${t('whatAlert')} load=${load} state=${load.error ? 'failed' : 'loading'} t=${t} lang=${lang} />`;
  }
  const texts = textsOf(alert, lang);
  const comparison = `${formatValue(alert.value, alert.unit)}`;
  const limit = `${alert.direction === 'above' ? '>' : '<'} ${formatValue(alert.threshold, alert.unit)}`;
  const rows: [string, unknown][] = [
    [t('severity'), t(alert.severity)],
    [t('impact'), texts.impact],
    [t('suggestedAction'), texts.suggestedAction],
    [
      t('runbook'),
      /^https?:\/\//.test(alert.runbookUrl)
        ? html`<a href=${alert.runbookUrl} target="_blank" rel="noopener noreferrer">${alert.runbookUrl}</a>`
        : alert.runbookUrl,
    ],
    [t('occurrencesLabel'), String(alert.occurrences)],
    [t('firstSeen'), formatTime(alert.createdAt, lang)],
    [t('lastSeen'), formatTime(alert.lastSeenAt, lang)],
    [t('domain'), `${t(alert.domain)} · ${alert.category}`],
    [t('rule'), `${alert.ruleId}${alert.key ? ` (${alert.key})` : ''}`],
    [t('alert'), alert.id],
  ];
  const details = detailRows(alert.metadata?.details ?? {});
  const channels = [...new Set(alert.notifications.map((n) => n.channel))];
  const resolver = alert.domain === 'payment' ? 'resolvePaymentAlert' : alert.domain === 'functional' ? 'resolveFunctionalAlert' : null;
  const submitResolve = (e: Event) => {
    e.preventDefault();
    if (!resolver) return;
    if (resolveNeedsConfirmation(alert) && !confirming) return setConfirming(true);
    void act(resolver, { alertId: alert.id, resolution: note });
  };
  return html` <p><a href="#/">← ${t('back')}</a></p>
    <div data-alert-page=${alert.id}>
      <h1><span class=${`badge sev-${alert.severity}`}>${t(alert.severity)}</span>${` ${texts.title}`}</h1>
      <p class="lead">${texts.message}</p>
      ${acted ? null : html`<${LoadStatus} what=${t('whatAlert')} load=${load} state=${stateOf(load, Date.now(), Number.POSITIVE_INFINITY)} t=${t} lang=${lang} />`}
      <div class="state" aria-live="polite">
        ${
          alert.acknowledged
            ? html`<p class="ok" data-testid="acknowledged">${`✓ ${t('acknowledgedBy', { who: whoIs(alert.acknowledgedBy), when: formatTime(alert.acknowledgedAt, lang) })}${alert.acknowledgedVia === 'link' ? t('viaLink', { channel: alert.acknowledgedChannel ?? '?' }) : ''}`}</p>`
            : null
        }
        ${alert.resolved ? html`<p class="ok" data-testid="resolved">✓ ${t('resolvedBy', { who: whoIs(alert.resolvedBy), when: formatTime(alert.resolvedAt, lang), note: alert.resolution ?? '' })}</p>` : null}
      </div>
      <${ErrorBox} error=${error} t=${t} />
      ${
        !alert.resolved
          ? html`<div class="actions-row">
              ${!alert.acknowledged ? html`<button type="button" disabled=${busy} onClick=${() => act('acknowledgeAlert', { alertId: alert.id })}>${t('acknowledge')}</button>` : null}
              ${
                resolver
                  ? html`<form class="resolve" onSubmit=${submitResolve}>
                      <label
                        >${t('resolution')}<textarea
                          name="resolution"
                          rows="2"
                          maxlength="1000"
                          required
                          value=${note}
                          onInput=${(e: Event) => setNote((e.target as HTMLTextAreaElement).value)}
                        ></textarea>
                      </label>
                      ${
                        confirming
                          ? html`<div class="banner warn" role="alert" data-testid="resolve-warning">
                              <p>${t('resolveWarn', { time: formatTime(alert.lastSeenAt, lang), value: comparison, threshold: limit })}</p>
                              <div class="row">
                                <button type="submit" class="danger" disabled=${busy}>${t('resolveAnyway')}</button
                                ><button type="button" class="secondary" onClick=${() => setConfirming(false)}>${t('cancel')}</button>
                              </div>
                            </div>`
                          : html`<button type="submit" class="secondary" disabled=${busy}>${t('resolve')}</button>`
                      }
                    </form>`
                  : html`<p class="muted">${t('systemResolves')}</p>`
              }
            </div>`
          : null
      }
      <h2>${t('evidence')}</h2>
      <dl class="fields evidence" data-testid="evidence">
        <dt>${t('value')}</dt>
        <dd><strong>${comparison}</strong></dd>
        <dt>${t('threshold')}</dt>
        <dd>${limit}</dd>
        <dt>${t('window')}</dt>
        <dd>${texts.window ?? '—'}</dd>
      </dl>
      <h3>${t('details')}</h3>
      ${
        details.length
          ? html`<dl class="fields details" data-testid="details">
              ${details.map(
                ({ label, value }) =>
                  html`<dt class="mono">${label}</dt>
                    <dd>
                      <${Pieces} text=${value} ruleId=${alert.ruleId} t=${t} lang=${lang} />
                    </dd>`,
              )}
            </dl>`
          : html`<p class="muted">${t('noDetails')}</p>`
      }
      <dl class="fields">
        ${rows.map(
          ([label, value]) =>
            html`<dt>${label}</dt>
              <dd>${value}</dd>`,
        )}
      </dl>
      <h2>${t('timeline')}</h2>
      <${Timeline} alert=${alert} t=${t} lang=${lang} />
      <h2>${t('notifications')}</h2>
      ${channels.length === 0 ? html`<p>${t('noNotifications')}</p>` : null}
      ${channels.map(
        (channel) =>
          html`<h3>${channel}</h3>
            <div class="scroll" tabindex="0" role="region" aria-label=${`${t('notifications')}: ${channel}`}>
              <table class="timeline">
                <thead>
                  <tr>
                    <th scope="col">${t('time')}</th>
                    <th scope="col">${t('event')}</th>
                    <th scope="col">${t('attempt')}</th>
                    <th scope="col">${t('status')}</th>
                    <th scope="col">${t('error')}</th>
                  </tr>
                </thead>
                <tbody>
                  ${alert.notifications
                    .filter((n) => n.channel === channel)
                    .map(
                      (n) =>
                        html`<tr>
                          <td>${formatTime(n.at, lang)}</td>
                          <td>${word(t, 'ev_', n.event)}</td>
                          <td>${n.attempt}</td>
                          <td>
                            <span class=${`status st-${n.status}`}>${word(t, 'st_', n.status)}</span>
                          </td>
                          <td>${n.error ?? ''}</td>
                        </tr>`,
                    )}
                </tbody>
              </table>
            </div>`,
      )}
    </div>`;
}
