import { html } from 'htm/preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, auth, call } from '../api';
import { formatTime, type Lang, type T } from '../i18n';
import { errorText, freshness, type Freshness } from '../state';

export interface AlertTexts {
  title: string;
  message: string;
  impact: string;
  suggestedAction: string;
  window: string | null;
}

/** The alert's texts in the dashboard's language, else as stored. */
export function textsOf(alert: Alert, lang: 'en' | 'fr'): AlertTexts {
  return (
    alert.i18n?.[lang] ?? {
      title: alert.title,
      message: alert.message,
      impact: alert.impact,
      suggestedAction: alert.suggestedAction,
      window: alert.window,
    }
  );
}

export interface Alert {
  id: string;
  domain: 'payment' | 'functional' | 'system';
  ruleId: string;
  key: string | null;
  category: string;
  severity: 'warning' | 'critical' | 'emergency';
  title: string;
  message: string;
  impact: string;
  suggestedAction: string;
  /** The texts in each language, when the alert has them (evaluated with both). */
  i18n?: Partial<Record<'en' | 'fr', AlertTexts>> | null;
  runbookUrl: string;
  value: number;
  threshold: number;
  direction: 'above' | 'below';
  unit: string;
  window: string | null;
  createdAt: string;
  lastSeenAt: string | null;
  occurrences: number;
  acknowledged: boolean;
  acknowledgedBy: string | null;
  acknowledgedAt: string | null;
  acknowledgedVia?: string | null;
  acknowledgedChannel?: string | null;
  resolved: boolean;
  resolvedAt: string | null;
  resolvedBy: string | null;
  resolution: string | null;
  silencedBy: string | null;
  notifications: {
    channel: string;
    event: string;
    attempt: number;
    at: string | null;
    status: string;
    error: string | null;
  }[];
  metadata?: {
    job: string | null;
    lastRunId: string | null;
    details: unknown;
  } | null;
}

export const SEVERITY_ORDER = {
  emergency: 0,
  critical: 1,
  warning: 2,
} as const;

/**
 * Loads a callable's answer; `reload` calls it again. A failure keeps the last answer (shown as
 * stale) and the error; `at` is when the last answer arrived. An answer to an older request (the
 * input changed meanwhile) is dropped, so a page never shows data of another alert or filter.
 */
export function useCall<T>(name: string, data: unknown, deps: unknown[] = []) {
  const key = JSON.stringify(data);
  // Each answer is kept with the input it answers: after the input changes, nothing of the previous one is shown.
  const [answer, setAnswer] = useState<{
    key: string;
    value: T | null;
    error: ApiError | null;
    at: Date | null;
  }>({ key, value: null, error: null, at: null });
  const [pending, setPending] = useState(true);
  const latest = useRef(0);
  const reload = useCallback(async () => {
    const request = ++latest.current;
    setPending(true);
    try {
      const value = await call<T>(name, data);
      if (request === latest.current) setAnswer({ key, value, error: null, at: new Date() });
    } catch (e) {
      if (request === latest.current)
        setAnswer((previous) => (previous.key === key ? { ...previous, error: e as ApiError } : { key, value: null, error: e as ApiError, at: null }));
    } finally {
      if (request === latest.current) setPending(false);
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [name, key]);
  useEffect(() => {
    void reload();
  }, [reload, ...deps]);
  const mine = answer.key === key ? answer : { value: null, error: null, at: null };
  return { value: mine.value, error: mine.error, at: mine.at, reload, pending };
}

export type Loaded<T> = ReturnType<typeof useCall<T>>;

/** Re-renders every `ms`, so that an answer becomes stale on screen even when nothing reloads it. */
export function useNow(ms: number): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(timer);
  }, [ms]);
  return now;
}

export function stateOf(load: Pick<Loaded<unknown>, 'value' | 'error' | 'at'>, now: number, maxAgeMs: number): Freshness {
  return freshness({
    hasValue: load.value !== null,
    failed: load.error !== null,
    at: load.at?.getTime() ?? null,
    now,
    maxAgeMs,
  });
}

export function messageOf(error: ApiError, t: T): string {
  return errorText(error.code, error.message, t('errTransport'));
}

/**
 * What a page says about one of its data sources while it is not fresh: loading, failed (nothing
 * known), or stale (what is shown is old). Fresh data says nothing here.
 */
export function LoadStatus({
  what,
  load,
  state,
  t,
  lang,
  onRetry,
}: {
  what: string;
  load: Loaded<unknown>;
  state: Freshness;
  t: T;
  lang: Lang;
  /** What Retry does (default: call this source again); the overview retries all of its sources. */
  onRetry?: () => void;
}) {
  if (state === 'fresh') return null;
  if (state === 'loading') return html`<p class="loading" role="status" data-state="loading">${t('loadingWhat', { what })}</p>`;
  const reason = load.error ? t('failedBecause', { error: messageOf(load.error, t) }) : t('notRefreshed');
  const retry = html`<button type="button" class="secondary" disabled=${load.pending} onClick=${() => (onRetry ? onRetry() : void load.reload())}>${t('retry')}</button>`;
  // The spaces are in the texts: htm drops whitespace-only text between elements across lines.
  const heading = state === 'failed' ? t('loadFailed', { what }) : t('staleData', { what, time: formatTime(load.at?.toISOString() ?? null, lang) });
  const rest = state === 'failed' ? ` ${reason} ${t('unknownState')}` : ` ${reason}`;
  return html`<div class=${`banner ${state}`} role="alert" data-state=${state}><p><strong>${heading}</strong>${rest}</p>${retry}</div>`;
}

export function ErrorBox({ error, t }: { error: ApiError | null; t: T }) {
  return error ? html`<p class="error" role="alert">${messageOf(error, t)}</p>` : null;
}

export function formatValue(value: number | null | undefined, unit: string): string {
  if (value === null || value === undefined) return '—';
  const rounded = Number.isInteger(value) ? String(value) : value.toFixed(unit === 'percent' ? 1 : 2);
  return (
    {
      percent: `${rounded} %`,
      score: `${rounded}/100`,
      hours: `${rounded} h`,
      minutes: `${rounded} min`,
    }[unit] ?? rounded
  );
}

/** Who did something: the API records Firebase uids (or `link:<channel>`, `system`); the signed-in admin's own uid reads as their email. */
export function whoIs(uid: string | null | undefined): string {
  if (!uid) return '?';
  const me = auth.currentUser;
  return me && me.uid === uid ? (me.email ?? uid) : uid;
}

/** Hands a text to the browser as a file (an export). */
export function download(name: string, text: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1_000);
}
