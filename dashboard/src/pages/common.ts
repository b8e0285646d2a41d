import { html } from 'htm/preact';
import { useCallback, useEffect, useState } from 'preact/hooks';
import { ApiError, auth, call } from '../api';

export interface AlertTexts {
  title: string;
  message: string;
  impact: string;
  suggestedAction: string;
  window: string | null;
}

/** The alert's texts in the dashboard's language, else as stored. */
export function textsOf(alert: Alert, lang: 'en' | 'fr'): AlertTexts {
  return alert.i18n?.[lang] ?? { title: alert.title, message: alert.message, impact: alert.impact, suggestedAction: alert.suggestedAction, window: alert.window };
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
  lastSeenAt: string;
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
  notifications: { channel: string; event: string; attempt: number; at: string; status: string; error: string | null }[];
}

export const SEVERITY_ORDER = { emergency: 0, critical: 1, warning: 2 } as const;

/** Loads a callable's answer; `reload` calls it again. Errors are kept for display. */
export function useCall<T>(name: string, data: unknown, deps: unknown[] = []) {
  const [value, setValue] = useState<T | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [at, setAt] = useState<Date | null>(null);
  const reload = useCallback(async () => {
    try {
      setValue(await call<T>(name, data));
      setError(null);
      setAt(new Date());
    } catch (e) {
      setError(e as ApiError);
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [name, JSON.stringify(data)]);
  useEffect(() => {
    void reload();
  }, [reload, ...deps]);
  return { value, error, reload, at };
}

export function ErrorBox({ error }: { error: ApiError | null }) {
  return error ? html`<p class="error" role="alert">${error.message}</p>` : null;
}

export function formatValue(value: number | null | undefined, unit: string): string {
  if (value === null || value === undefined) return '—';
  const rounded = Number.isInteger(value) ? String(value) : value.toFixed(unit === 'percent' ? 1 : 2);
  return { percent: `${rounded} %`, score: `${rounded}/100`, hours: `${rounded} h`, minutes: `${rounded} min` }[unit] ?? rounded;
}

/** Who did something: the API records Firebase uids (or `link:<channel>`, `system`); the signed-in admin's own uid reads as their email. */
export function whoIs(uid: string | null | undefined): string {
  if (!uid) return '?';
  const me = auth.currentUser;
  return me && me.uid === uid ? (me.email ?? uid) : uid;
}
