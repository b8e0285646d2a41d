/**
 * The pages of an acknowledge link: a pure function from what happened to HTTP status and HTML.
 * Everything that comes from data (alert text, ids, who acknowledged) is HTML-escaped; the page
 * loads nothing and runs no script (its Content-Security-Policy says so).
 */
import type { AlertView } from '../admin/alerts';

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

export function escapeHtml(text: unknown): string {
  return String(text ?? '').replace(/[&<>"']/g, (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char]!);
}

/** Security headers of every answer: no caching (the URL holds a token), no framing, no referrer. */
export const ACK_PAGE_HEADERS: Record<string, string> = {
  'Content-Type': 'text/html; charset=utf-8',
  'Cache-Control': 'no-store',
  'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'X-Frame-Options': 'DENY',
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
};

function details(alert: AlertView): string {
  const rows: Array<[string, string]> = [
    ['Severity', alert.severity.toUpperCase()],
    ['Value', `${alert.value} ${alert.unit} (threshold ${alert.threshold}, alert when ${alert.direction})`],
    ['Window', alert.window ?? 'current state'],
    ['Since', alert.createdAt ?? '-'],
    ['Occurrences', String(alert.occurrences)],
    ['Alert', `${alert.id} (${alert.domain})`],
  ];
  return [
    `<h2>${escapeHtml(alert.title)}</h2>`,
    `<p>${escapeHtml(alert.message)}</p>`,
    '<dl>',
    ...rows.map(([label, value]) => `<dt>${escapeHtml(label)}</dt><dd>${escapeHtml(value)}</dd>`),
    '</dl>',
  ].join('\n');
}

export function renderAckPage(page: AckPage): { status: number; title: string; html: string } {
  let status = 200;
  let title: string;
  let body: string;
  switch (page.kind) {
    case 'confirm':
      title = 'Acknowledge this alert?';
      body = `${details(page.alert)}
<p>Acknowledging tells the team you are on it: the escalation reminders stop. The alert still resolves by itself when the condition clears.</p>
<form method="post"><input type="hidden" name="t" value="${escapeHtml(page.token)}"><button type="submit">Acknowledge</button></form>`;
      break;
    case 'acknowledged':
      title = 'Alert acknowledged';
      body = `<p class="ok">Acknowledged from the ${escapeHtml(page.channel)} link at ${escapeHtml(page.alert.acknowledgedAt)}. Reminders for this alert stop.</p>${details(page.alert)}`;
      break;
    case 'already':
      status = 409;
      title = 'Already acknowledged';
      body = `<p>This alert was already acknowledged by ${escapeHtml(page.alert.acknowledgedBy)} at ${escapeHtml(page.alert.acknowledgedAt)}. Nothing was changed.</p>${details(page.alert)}`;
      break;
    case 'resolved':
      status = 409;
      title = 'Alert already resolved';
      body = `<p>This alert was resolved by ${escapeHtml(page.alert.resolvedBy)} at ${escapeHtml(page.alert.resolvedAt)}: there is nothing to acknowledge. Nothing was changed.</p>${details(page.alert)}`;
      break;
    case 'invalid':
      status = 400;
      title = 'Invalid link';
      body = '<p>This acknowledge link is not valid (it was altered or cut). Nothing was changed. Open the dashboard to acknowledge the alert.</p>';
      break;
    case 'expired':
      status = 410;
      title = 'Link expired';
      body = `<p>This acknowledge link expired${page.expiresAt ? ` at ${escapeHtml(page.expiresAt.toISOString())}` : ''}. Nothing was changed. Use the link of a newer message, or the dashboard.</p>`;
      break;
    case 'not-found':
      status = 404;
      title = 'Alert not found';
      body = `<p>No alert with id ${escapeHtml(page.alertId)} (it may have been deleted by the retention job). Nothing was changed.</p>`;
      break;
    case 'unavailable':
      status = 503;
      title = 'Acknowledge links are not configured';
      body = '<p>ACK_LINK_SECRET is not set on this deployment, so no link can be checked. Use the dashboard.</p>';
      break;
    case 'method':
      status = 405;
      title = 'Method not allowed';
      body = `<p>${escapeHtml(page.method)} is not supported: open the link (GET) and press the button (POST).</p>`;
      break;
    default:
      status = 500;
      title = 'Something went wrong';
      body = `<p>The alert could not be acknowledged (reference ${escapeHtml(page.reference)}; it has been reported). Use the dashboard.</p>`;
  }
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex"><title>${escapeHtml(title)}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:1rem auto;padding:0 1rem;color:#111}dt{font-weight:600}dd{margin:0 0 .5rem}
button{font-size:1.1rem;padding:.75rem 1.5rem;background:#0b57d0;color:#fff;border:0;border-radius:.5rem;cursor:pointer}button:focus{outline:3px solid #f9ab00}.ok{color:#0a6b2d;font-weight:600}</style>
</head><body><main><h1>${escapeHtml(title)}</h1>
${body}
</main></body></html>`;
  return { status, title, html };
}
