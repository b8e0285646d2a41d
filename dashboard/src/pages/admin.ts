import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import { call, type ApiError } from '../api';
import { CHANNELS } from '../channels';
import { formatTime, timeZone, word, type Lang, type T } from '../i18n';
import { ErrorBox, formatValue, LoadStatus, messageOf, stateOf, useCall, whoIs } from './common';

interface Rule {
  id: string;
  domain: string;
  category: string;
  title: string;
  titles?: Partial<Record<Lang, string>>;
  unit: string;
  direction: 'above' | 'below';
  thresholdRange: { min: number; max: number };
  defaults: { threshold: number; severity: string; enabled: boolean };
}
interface Thresholds {
  source: string;
  problems: string[];
  updatedAt: string | null;
  updatedBy: string | null;
  effective: { rules: Record<string, { threshold: number; severity: string; enabled: boolean }> };
  rules: Rule[];
}

function ThresholdRow({ rule, current, t, lang, onSaved }: { rule: Rule; current: number; t: T; lang: Lang; onSaved: (v: Thresholds) => void }) {
  const [value, setValue] = useState(String(current));
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const [busy, setBusy] = useState(false);
  const fieldId = `th-${rule.id}`;
  const save = async (event: Event) => {
    event.preventDefault();
    setSaved(false);
    const number = Number(value);
    if (value.trim() === '' || !Number.isFinite(number)) return setError(`rules.${rule.id}.threshold: a number is required`);
    setBusy(true);
    try {
      const result = await call<Thresholds>('updateThresholds', { patch: { rules: { [rule.id]: { threshold: number } } } });
      setError(null);
      setSaved(true);
      onSaved(result);
    } catch (e) {
      const problem = (e as ApiError).problems.find((p) => p.includes(rule.id));
      setError(problem ?? (e as ApiError).message);
    } finally {
      setBusy(false);
    }
  };
  return html`<tr data-rule=${rule.id}>
    <th scope="row"><label for=${fieldId}>${rule.titles?.[lang] ?? rule.title}</label><div class="muted mono">${rule.id}</div></th>
    <td data-label=${t('default')}>${formatValue(rule.defaults.threshold, rule.unit)}</td>
    <td data-label=${t('current')} data-testid="current">${formatValue(current, rule.unit)}</td>
    <td data-label=${t('range')}>${formatValue(rule.thresholdRange.min, rule.unit)} – ${formatValue(rule.thresholdRange.max, rule.unit)}</td>
    <td data-label=${t('threshold')}>
      <form class="inline" noValidate onSubmit=${save}>
        <input id=${fieldId} name="threshold" type="number" step="any" inputmode="decimal" value=${value} aria-invalid=${error ? 'true' : undefined} aria-describedby=${error ? `${fieldId}-err` : undefined}
          onInput=${(e: Event) => setValue((e.target as HTMLInputElement).value)} />
        <button type="submit" class="secondary" disabled=${busy}>${t('save')}</button>
      </form>
      ${error ? html`<div id=${`${fieldId}-err`} class="error field-error" role="alert">${error}</div>` : null}
      ${saved ? html`<div class="ok" role="status">${t('saved')}</div>` : null}
    </td>
  </tr>`;
}

export function Thresholds({ t, lang }: { t: T; lang: Lang }) {
  const data = useCall<Thresholds>('getThresholds', {});
  const [fresh, setFresh] = useState<Thresholds | null>(null);
  const view = fresh ?? data.value;
  return html`
    <h1>${t('thresholds')}</h1>
    ${fresh ? null : html`<${LoadStatus} what=${t('whatThresholds')} load=${data} state=${stateOf(data, Date.now(), Number.POSITIVE_INFINITY)} t=${t} lang=${lang} />`}
    ${
      view
        ? html`<p class="muted">${t('source', { source: view.source })}${view.updatedAt ? ` · ${formatTime(view.updatedAt, lang)} ${t('by', { who: whoIs(view.updatedBy) })}` : ''}</p>
          ${view.problems.length ? html`<ul class="error">${view.problems.map((p) => html`<li>${p}</li>`)}</ul>` : null}
          <div class="scroll" tabindex="0" role="region" aria-label=${t('thresholds')}><table class="thresholds">
            <thead><tr><th scope="col">${t('rule')}</th><th scope="col">${t('default')}</th><th scope="col">${t('current')}</th><th scope="col">${t('range')}</th><th scope="col">${t('threshold')}</th></tr></thead>
            <tbody>${view.rules.map((rule) => html`<${ThresholdRow} key=${rule.id} rule=${rule} current=${view.effective.rules[rule.id]?.threshold ?? rule.defaults.threshold} t=${t} lang=${lang} onSaved=${setFresh} />`)}</tbody>
          </table></div>`
        : null
    }`;
}

interface Silence {
  id: string;
  status: string;
  startsAt: string;
  endsAt: string;
  ruleId: string | null;
  category: string | null;
  domain: string | null;
  reason: string;
  createdBy: string;
  endedAt: string | null;
  recurrence?: { days: string[]; start: string; end: string; timeZone: string } | null;
}

const WEEKDAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'] as const;
const SILENCE_DOMAINS = ['payment', 'functional', 'system'] as const;

/** Week day names in the page's language (2026-11-16 is a Monday). */
const dayName = (index: number, lang: Lang) =>
  new Date(Date.UTC(2026, 10, 16 + index, 12)).toLocaleDateString(lang === 'fr' ? 'fr-FR' : 'en-GB', { weekday: 'short', timeZone: 'UTC' });

const toIso = (local: string) => (local ? new Date(local).toISOString() : undefined);
const localInput = (date: Date) => new Date(date.getTime() - date.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);

export function Silences({ t, lang }: { t: T; lang: Lang }) {
  const list = useCall<{ silences: Silence[] }>('listSilences', { pageSize: 100 });
  const [error, setError] = useState<ApiError | null>(null);
  const [scope, setScope] = useState('domain');
  const [busy, setBusy] = useState(false);
  const [weekly, setWeekly] = useState(false);
  // The scope is picked from the rule catalogue (no rule id to type).
  const catalogue = useCall<{ rules: Rule[] }>('getThresholds', {});
  const rules = catalogue.value?.rules ?? [];
  const categories = [...new Set(rules.map((rule) => rule.category))].sort();
  const create = async (event: Event) => {
    event.preventDefault();
    const form = new FormData(event.target as HTMLFormElement);
    const target = String(form.get('target') ?? '').trim();
    const input: Record<string, unknown> = {
      reason: String(form.get('reason')),
      startsAt: toIso(String(form.get('startsAt'))),
      endsAt: toIso(String(form.get('endsAt'))),
    };
    if (scope === 'everything') input.everything = true;
    else input[scope] = target;
    if (weekly) {
      input.recurrence = {
        days: WEEKDAYS.filter((day) => form.get(`day-${day}`) === 'on'),
        start: String(form.get('windowStart')),
        end: String(form.get('windowEnd')),
        timeZone: timeZone().zone,
      };
    }
    setBusy(true);
    try {
      await call('createSilence', input);
      setError(null);
      (event.target as HTMLFormElement).reset();
      await list.reload();
    } catch (e) {
      setError(e as ApiError);
    } finally {
      setBusy(false);
    }
  };
  const end = async (id: string) => {
    try {
      await call('endSilence', { silenceId: id });
      await list.reload();
    } catch (e) {
      setError(e as ApiError);
    }
  };
  const now = new Date();
  return html`
    <h1>${t('silences')}</h1>
    <form class="stack card" onSubmit=${create} aria-labelledby="new-silence">
      <h2 id="new-silence">${t('create')}</h2>
      <div class="row">
        <label>${t('scope')}
          <select name="scope" value=${scope} onChange=${(e: Event) => setScope((e.target as HTMLSelectElement).value)}>
            <option value="domain">${t('domain')}</option><option value="category">${t('category')}</option><option value="ruleId">${t('rule')}</option><option value="everything">${t('everything')}</option>
          </select></label>
        ${
          scope === 'domain'
            ? html`<label>${t('domain')}<select name="target" required>${SILENCE_DOMAINS.map((d) => html`<option value=${d}>${t(d)}</option>`)}</select></label>`
            : scope === 'category'
              ? html`<label>${t('category')}<select name="target" required>${categories.map((c) => html`<option value=${c}>${c}</option>`)}</select></label>`
              : scope === 'ruleId'
                ? html`<label>${t('rule')}<select name="target" required>${rules.map((r) => html`<option value=${r.id}>${r.titles?.[lang] ?? r.title} (${r.id})</option>`)}</select></label>`
                : null
        }
      </div>
      <div class="row">
        <label>${t('starts')}<input name="startsAt" type="datetime-local" value=${localInput(now)} /></label>
        <label>${t('ends')}<input name="endsAt" type="datetime-local" required value=${localInput(new Date(now.getTime() + 3_600_000))} /></label>
      </div>
      <label class="check"><input type="checkbox" name="weekly" checked=${weekly} onChange=${(e: Event) => setWeekly((e.target as HTMLInputElement).checked)} />${t('weekly')}</label>
      ${
        weekly
          ? html`<fieldset class="weekly"><legend>${t('weeklyWindows', { zone: timeZone().zone })}</legend>
            <div class="row">${WEEKDAYS.map((day, i) => html`<label class="check"><input type="checkbox" name=${`day-${day}`} checked=${i < 5} />${dayName(i, lang)}</label>`)}</div>
            <div class="row">
              <label>${t('windowStart')}<input name="windowStart" type="time" required value="22:00" /></label>
              <label>${t('windowEnd')}<input name="windowEnd" type="time" required value="06:00" /></label>
            </div>
          </fieldset>`
          : null
      }
      <label>${t('reason')}<input name="reason" required maxlength="500" /></label>
      <button type="submit" disabled=${busy}>${t('create')}</button>
    </form>
    <${ErrorBox} error=${error} t=${t} />
    <${LoadStatus} what=${t('whatSilences')} load=${list} state=${stateOf(list, Date.now(), Number.POSITIVE_INFINITY)} t=${t} lang=${lang} />
    ${list.value && list.value.silences.length === 0 ? html`<p>${t('noSilences')}</p>` : null}
    ${
      list.value?.silences.length
        ? html`<div class="scroll" tabindex="0" role="region" aria-label=${t('silences')}><table class="silences">
          <thead><tr><th scope="col">${t('status')}</th><th scope="col">${t('scope')}</th><th scope="col">${t('starts')}</th><th scope="col">${t('ends')}</th><th scope="col">${t('reason')}</th><th scope="col"><span class="sr">${t('actions')}</span></th></tr></thead>
          <tbody>${list.value.silences.map(
            (s) => html`<tr data-silence=${s.id}>
              <td><span class=${`status st-${s.status}`}>${word(t, 'st_', s.status)}</span></td>
              <td>${s.ruleId ?? s.category ?? (s.domain ? t(s.domain as 'payment') : null) ?? t('everything')}${
                s.recurrence
                  ? html`<div class="muted" data-testid="recurrence">${t('weeklyShort', { days: s.recurrence.days.map((d) => dayName(WEEKDAYS.indexOf(d as 'monday'), lang)).join(' '), start: s.recurrence.start, end: s.recurrence.end, zone: s.recurrence.timeZone })}</div>`
                  : null
              }</td>
              <td>${formatTime(s.startsAt, lang)}</td><td>${formatTime(s.endedAt ?? s.endsAt, lang)}</td>
              <td>${s.reason}<div class="muted">${t('by', { who: whoIs(s.createdBy) })}</div></td>
              <td>${s.status === 'active' || s.status === 'scheduled' ? html`<button type="button" class="secondary" onClick=${() => end(s.id)}>${t('endNow')}</button>` : null}</td>
            </tr>`,
          )}</tbody></table></div>`
        : null
    }`;
}

const CHECK_SETS = ['all', 'critical', 'signup', 'booking', 'tracking', 'payment'];

export function Actions({ t }: { t: T; lang: Lang }) {
  const [check, setCheck] = useState('critical');
  const [running, setRunning] = useState(false);
  const [run, setRun] = useState<Record<string, unknown> | null>(null);
  const [runError, setRunError] = useState<ApiError | null>(null);
  const [tests, setTests] = useState<Record<string, { status: string; error: string | null } | ApiError>>({});
  const trigger = async (event: Event) => {
    event.preventDefault();
    setRunning(true);
    setRunError(null);
    try {
      setRun(await call('triggerFunctionalCheck', { checkType: check }));
    } catch (e) {
      setRunError(e as ApiError);
    } finally {
      setRunning(false);
    }
  };
  const test = async (channel: string) => {
    try {
      const result = await call<{ status: string; error: string | null }>('sendTestNotification', { channel });
      setTests((all) => ({ ...all, [channel]: result }));
    } catch (e) {
      setTests((all) => ({ ...all, [channel]: e as ApiError }));
    }
  };
  const runResult = run as null | {
    outcome: string;
    durationMs: number;
    alerts: { opened: number; updated: number; resolved: number };
    skippedChecks: { check: string; reason: string }[];
    error: string | null;
    runId: string;
  };
  return html`
    <h1>${t('actions')}</h1>
    <section class="card">
      <h2>${t('runCheck')}</h2>
      <form class="row" onSubmit=${trigger}>
        <label>${t('checkSet')}<select value=${check} onChange=${(e: Event) => setCheck((e.target as HTMLSelectElement).value)}>${CHECK_SETS.map((c) => html`<option value=${c}>${c}</option>`)}</select></label>
        <button type="submit" disabled=${running}>${running ? t('runningCheck') : t('run')}</button>
      </form>
      <${ErrorBox} error=${runError} t=${t} />
      ${
        runResult
          ? html`<div role="status" data-testid="run-result"><p><strong>${t('result')}:</strong> <span class=${`status st-${runResult.outcome}`}>${word(t, 'st_', runResult.outcome)}</span> · ${runResult.durationMs} ms · ${t('runAlerts', { o: runResult.alerts.opened, u: runResult.alerts.updated, r: runResult.alerts.resolved })}</p>
            ${runResult.error ? html`<p class="error">${runResult.error}</p>` : null}
            ${runResult.skippedChecks.length ? html`<ul>${runResult.skippedChecks.map((s) => html`<li>${s.check}: ${s.reason}</li>`)}</ul>` : null}
            <p class="muted mono">${runResult.runId}</p></div>`
          : null
      }
    </section>
    <section class="card">
      <h2>${t('testNotification')}</h2>
      <div class="row">${CHANNELS.map((c) => html`<button type="button" class="secondary" onClick=${() => test(c)}>${t('sendTest', { channel: c })}</button>`)}</div>
      <ul class="plain" aria-live="polite">${Object.entries(tests).map(
        ([channel, result]) =>
          html`<li data-channel=${channel}><strong>${channel}</strong>: ${'code' in result ? html`<span class="error">${messageOf(result as ApiError, t)}</span>` : html`<span class=${`status st-${result.status}`}>${word(t, 'st_', result.status)}</span> ${result.error ?? ''}`}</li>`,
      )}</ul>
    </section>`;
}
