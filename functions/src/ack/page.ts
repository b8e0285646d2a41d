/**
 * The pages of an acknowledge link: a pure function from what happened to HTTP status and HTML.
 * Everything that comes from data (alert text, ids, who acknowledged) is HTML-escaped; the page
 * loads nothing and runs no script (its Content-Security-Policy says so).
 */
import type { AlertView } from '../admin/alerts';
import { DEFAULT_PRESENTATION, type PresentationSettings } from '../config/schema';
import { escapeHtml } from '../notifications/escape';
import { FRAMING } from '../notifications/i18n';
import { formatDateTime, formatValue, type Locale, type Unit } from '../rules';

export type AckPage =
  | { kind: 'confirm'; alert: AlertView; token: string; channel: string }
  | { kind: 'acknowledged'; alert: AlertView; channel: string }
  | { kind: 'already'; alert: AlertView }
  | { kind: 'resolved'; alert: AlertView }
  | { kind: 'invalid' }
  | { kind: 'expired'; expiresAt?: Date }
  | { kind: 'not-found'; alertId: string }
  | { kind: 'unavailable' }
  | { kind: 'method'; method: string }
  | { kind: 'error'; reference: string };

/** Security headers of every answer: no caching (the URL holds a token), no framing, no referrer. */
export const ACK_PAGE_HEADERS: Record<string, string> = {
  'Content-Type': 'text/html; charset=utf-8',
  'Cache-Control': 'no-store',
  'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'X-Frame-Options': 'DENY',
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
};

/** The words of the pages, in every language of the runtime configuration's `presentation.locale`. */
const WORDS: Record<
  Locale,
  {
    occurrences: string;
    confirm: [string, string, string];
    acknowledged: (channel: string, at: string) => [string, string];
    already: (who: string, at: string) => [string, string];
    resolved: (who: string, at: string) => [string, string];
    invalid: [string, string];
    expired: (at: string) => [string, string];
    notFound: (id: string) => [string, string];
    unavailable: [string, string];
    method: (method: string) => [string, string];
    error: (reference: string) => [string, string];
    openAlert: string;
    openDashboard: string;
  }
> = {
  en: {
    openAlert: 'Open this alert in the dashboard',
    openDashboard: 'Open the dashboard',
    occurrences: 'Occurrences',
    confirm: [
      'Acknowledge this alert?',
      'Acknowledging tells the team you are on it: the escalation reminders stop. The alert still resolves by itself when the condition clears.',
      'Acknowledge',
    ],
    acknowledged: (channel, at) => ['Alert acknowledged', `Acknowledged from the ${channel} link at ${at}. Reminders for this alert stop.`],
    already: (who, at) => ['Already acknowledged', `This alert was already acknowledged by ${who} at ${at}. Nothing was changed.`],
    resolved: (who, at) => ['Alert already resolved', `This alert was resolved by ${who} at ${at}: there is nothing to acknowledge. Nothing was changed.`],
    invalid: ['Invalid link', 'This acknowledge link is not valid (it was altered or cut). Nothing was changed. Open the dashboard to acknowledge the alert.'],
    expired: (at) => [
      'Link expired',
      `This acknowledge link expired${at ? ` at ${at}` : ''}. Nothing was changed. Use the link of a newer message, or the dashboard.`,
    ],
    notFound: (id) => ['Alert not found', `No alert with id ${id} (it may have been deleted by the retention job). Nothing was changed.`],
    unavailable: ['Acknowledge links are not configured', 'ACK_LINK_SECRET is not set on this deployment, so no link can be checked. Use the dashboard.'],
    method: (method) => ['Method not allowed', `${method} is not supported: open the link (GET) and press the button (POST).`],
    error: (reference) => ['Something went wrong', `The alert could not be acknowledged (reference ${reference}; it has been reported). Use the dashboard.`],
  },
  fr: {
    openAlert: 'Ouvrir cette alerte dans le tableau de bord',
    openDashboard: 'Ouvrir le tableau de bord',
    occurrences: 'Occurrences',
    confirm: [
      'Acquitter cette alerte ?',
      "Acquitter indique à l'équipe que vous vous en occupez : les relances d'escalade s'arrêtent. L'alerte se résout toujours d'elle-même quand la condition disparaît.",
      'Acquitter',
    ],
    acknowledged: (channel, at) => ['Alerte acquittée', `Acquittée depuis le lien ${channel} le ${at}. Les relances de cette alerte s'arrêtent.`],
    already: (who, at) => ['Déjà acquittée', `Cette alerte a déjà été acquittée par ${who} le ${at}. Rien n'a été modifié.`],
    resolved: (who, at) => ['Alerte déjà résolue', `Cette alerte a été résolue par ${who} le ${at} : il n'y a rien à acquitter. Rien n'a été modifié.`],
    invalid: [
      'Lien invalide',
      "Ce lien d'acquittement n'est pas valide (il a été modifié ou tronqué). Rien n'a été modifié. Ouvrez le tableau de bord pour acquitter l'alerte.",
    ],
    expired: (at) => [
      'Lien expiré',
      `Ce lien d'acquittement a expiré${at ? ` le ${at}` : ''}. Rien n'a été modifié. Utilisez le lien d'un message plus récent, ou le tableau de bord.`,
    ],
    notFound: (id) => ['Alerte introuvable', `Aucune alerte d'identifiant ${id} (elle a peut-être été supprimée par la rétention). Rien n'a été modifié.`],
    unavailable: [
      "Les liens d'acquittement ne sont pas configurés",
      "ACK_LINK_SECRET n'est pas défini sur ce déploiement : aucun lien ne peut être vérifié. Utilisez le tableau de bord.",
    ],
    method: (method) => ['Méthode non autorisée', `${method} n'est pas pris en charge : ouvrez le lien (GET) puis appuyez sur le bouton (POST).`],
    error: (reference) => [
      'Une erreur est survenue',
      `L'alerte n'a pas pu être acquittée (référence ${reference} ; l'erreur a été signalée). Utilisez le tableau de bord.`,
    ],
  },
};

function details(alert: AlertView, presentation: PresentationSettings): string {
  const { locale, timeZone } = presentation;
  const t = FRAMING[locale];
  const texts = alert.i18n?.[locale] ?? { title: alert.title, message: alert.message, window: alert.window };
  const unit = alert.unit as Unit;
  const rows: Array<[string, string]> = [
    [t.labels.severity, t.severity[alert.severity]],
    [t.labels.value, t.comparison(formatValue(alert.value, unit, locale), alert.direction, formatValue(alert.threshold, unit, locale))],
    [t.labels.window, texts.window ?? t.currentState],
    [t.labels.since, alert.createdAt ? formatDateTime(alert.createdAt, locale, timeZone) : '-'],
    [WORDS[locale].occurrences, String(alert.occurrences)],
    [t.labels.alert, `${alert.id} (${alert.domain})`],
  ];
  return [
    `<h2>${escapeHtml(texts.title)}</h2>`,
    `<p>${escapeHtml(texts.message)}</p>`,
    '<dl>',
    ...rows.map(([label, value]) => `<dt>${escapeHtml(label)}</dt><dd>${escapeHtml(value)}</dd>`),
    '</dl>',
  ].join('\n');
}

/**
 * The reader's language: the first language of the browser's Accept-Language (by preference) that
 * the page speaks, else the team's (`presentation.locale`). Bounded: a long header is cut, not parsed.
 */
export function readerLocale(acceptLanguage: string | undefined, fallback: Locale): Locale {
  if (!acceptLanguage) return fallback;
  const ranked = acceptLanguage
    .slice(0, 500)
    .split(',')
    .slice(0, 20)
    .map((part, index) => {
      const [tag, ...params] = part.trim().toLowerCase().split(';');
      const q = params.map((param) => /^\s*q=([0-9.]+)\s*$/.exec(param)?.[1]).find(Boolean);
      return { language: tag.split('-')[0], q: q === undefined ? 1 : Number(q), index };
    })
    .filter((entry) => entry.q > 0 && Number.isFinite(entry.q))
    .sort((a, b) => b.q - a.q || a.index - b.index);
  const known = ranked.find((entry) => (Object.keys(WORDS) as string[]).includes(entry.language));
  return known ? (known.language as Locale) : fallback;
}

/** Where the page links back to: the dashboard's origin (first of DASHBOARD_ORIGINS), or none. */
export function dashboardLink(origin: string | undefined, alertId: string | null): string | null {
  const base = origin?.split(',')[0]?.trim();
  if (!base || !/^https?:\/\/[^\s/?#]+$/.test(base.replace(/\/$/, ''))) return null;
  return `${base.replace(/\/$/, '')}/${alertId ? `#/alert/${encodeURIComponent(alertId)}` : ''}`;
}

/** The page for what happened, in `presentation.locale` (the reader's, see readerLocale), dates in the team's time zone. */
export function renderAckPage(
  page: AckPage,
  presentation: PresentationSettings = DEFAULT_PRESENTATION,
  dashboardOrigin?: string,
): { status: number; title: string; html: string } {
  const { locale, timeZone } = presentation;
  const w = WORDS[locale];
  const when = (at: string | null) => (at ? formatDateTime(at, locale, timeZone) : '?');
  const paragraph = (status: number, [title, text]: [string, string], extra = '') => ({ status, title, body: `<p>${escapeHtml(text)}</p>${extra}` });
  const { status, title, body } = ((): { status: number; title: string; body: string } => {
    switch (page.kind) {
      case 'confirm':
        return {
          status: 200,
          title: w.confirm[0],
          body: `${details(page.alert, presentation)}
<p>${escapeHtml(w.confirm[1])}</p>
<form method="post"><input type="hidden" name="t" value="${escapeHtml(page.token)}"><button type="submit">${escapeHtml(w.confirm[2])}</button></form>`,
        };
      case 'acknowledged': {
        const [heading, text] = w.acknowledged(page.channel, when(page.alert.acknowledgedAt));
        return { status: 200, title: heading, body: `<p class="ok">${escapeHtml(text)}</p>${details(page.alert, presentation)}` };
      }
      case 'already':
        return paragraph(409, w.already(String(page.alert.acknowledgedBy ?? '?'), when(page.alert.acknowledgedAt)), details(page.alert, presentation));
      case 'resolved':
        return paragraph(409, w.resolved(String(page.alert.resolvedBy ?? '?'), when(page.alert.resolvedAt)), details(page.alert, presentation));
      case 'invalid':
        return paragraph(400, w.invalid);
      case 'expired':
        return paragraph(410, w.expired(page.expiresAt ? formatDateTime(page.expiresAt, locale, timeZone) : ''));
      case 'not-found':
        return paragraph(404, w.notFound(page.alertId));
      case 'unavailable':
        return paragraph(503, w.unavailable);
      case 'method':
        return paragraph(405, w.method(page.method));
      default:
        return paragraph(500, w.error(page.reference));
    }
  })();
  const alertId = 'alert' in page ? page.alert.id : null;
  const link = dashboardLink(dashboardOrigin, alertId);
  const back = link ? `\n<p><a href="${escapeHtml(link)}">${escapeHtml(alertId ? w.openAlert : w.openDashboard)}</a></p>` : '';
  const html = `<!doctype html>
<html lang="${locale}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex"><title>${escapeHtml(title)}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:1rem auto;padding:0 1rem;color:#111}dt{font-weight:600}dd{margin:0 0 .5rem}
button{font-size:1.1rem;padding:.75rem 1.5rem;background:#0b57d0;color:#fff;border:0;border-radius:.5rem;cursor:pointer}button:focus{outline:3px solid #f9ab00}.ok{color:#0a6b2d;font-weight:600}</style>
</head><body><main><h1>${escapeHtml(title)}</h1>
${body}${back}
</main></body></html>`;
  return { status, title, html };
}
