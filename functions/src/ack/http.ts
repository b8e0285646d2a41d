/**
 * The `acknowledgeFromLink` HTTPS function: GET shows the alert and an Acknowledge button and never
 * writes (mail scanners follow links); POST (the button, a form with the token) acknowledges through
 * the admin API's path (admin/alerts.ts `acknowledge`), recording `via: 'link'` and the channel.
 * Forged, expired and reused links get a page that says so, and nothing is written.
 *
 * Uses only Node's http request/response API, so the same handler serves Cloud Functions (Express
 * objects) and a plain `http.createServer` in tests.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpsError } from 'firebase-functions/v2/https';
import { acknowledge, alertView } from '../admin/alerts';
import type { AlertDoc } from '../alerts/model';
import { loadRuntimeConfig } from '../config/load';
import { ACK_LINK_SECRET, DASHBOARD_ORIGINS, readParam } from '../config/params';
import { DEFAULT_PRESENTATION, type PresentationSettings } from '../config/schema';
import { firestore, Meter } from '../platform/firestore';
import { createLogger, describeError } from '../platform/logger';
import { reportError } from '../platform/sentry';
import { ALERT_COLLECTIONS, DOMAINS } from '../rules';
import { ACK_PAGE_HEADERS, readerLocale, renderAckPage, type AckPage } from './page';
import { verifyAckToken } from './token';

/** A form with one token is tiny: anything bigger is refused unread. */
const MAX_BODY_BYTES = 4_096;

/**
 * The page answers within this, whatever Firestore does: the decision (alert read, acknowledge) and
 * the configuration read (the page's language) run side by side, each bounded; past it, the error
 * page, in the language already known (the default when the configuration has not been read).
 * HTTP functions time out at 60 s; a client retrying Firestore would take longer than that.
 */
export const ACK_DEADLINE_MS = 8_000;

function within<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}

type Request = IncomingMessage & { body?: unknown; rawBody?: Buffer };

async function formToken(req: Request): Promise<string | null> {
  if (req.body && typeof req.body === 'object' && !Buffer.isBuffer(req.body)) {
    const value = (req.body as Record<string, unknown>).t;
    return typeof value === 'string' ? value : null;
  }
  let raw: string;
  if (req.rawBody) raw = req.rawBody.subarray(0, MAX_BODY_BYTES + 1).toString('utf8');
  else if (typeof req.body === 'string') raw = req.body;
  else {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) return null;
      chunks.push(chunk);
    }
    raw = Buffer.concat(chunks).toString('utf8');
  }
  if (raw.length > MAX_BODY_BYTES) return null;
  return new URLSearchParams(raw).get('t');
}

async function findAlertView(meter: Meter, id: string) {
  const snapshots = await meter.getAll(DOMAINS.map((name) => meter.db.collection(ALERT_COLLECTIONS[name]).doc(id)));
  const index = snapshots.findIndex((snapshot) => snapshot.exists);
  return index === -1 ? null : alertView(ALERT_COLLECTIONS[DOMAINS[index]], snapshots[index].data() as AlertDoc);
}

async function decide(req: Request, now: Date): Promise<AckPage> {
  const method = (req.method ?? 'GET').toUpperCase();
  if (method !== 'GET' && method !== 'HEAD' && method !== 'POST') return { kind: 'method', method };
  const key = readParam(ACK_LINK_SECRET);
  if (!key) return { kind: 'unavailable' };
  const token = method === 'POST' ? await formToken(req) : new URL(req.url ?? '/', 'http://localhost').searchParams.get('t');
  const verified = verifyAckToken(key, token, now);
  if (!verified.ok) return verified.reason === 'expired' ? { kind: 'expired', expiresAt: verified.expiresAt } : { kind: 'invalid' };

  const meter = new Meter(firestore());
  const alert = await findAlertView(meter, verified.alertId);
  if (!alert) return { kind: 'not-found', alertId: verified.alertId };
  if (alert.acknowledged) return { kind: 'already', alert };
  if (alert.resolved) return { kind: 'resolved', alert };
  if (method !== 'POST') return { kind: 'confirm', alert, token: token!, channel: verified.channel };
  try {
    const result = await acknowledge({ meter, now, uid: `link:${verified.channel}` }, verified.alertId, { via: 'link', channel: verified.channel });
    return result.changed ? { kind: 'acknowledged', alert: result.alert, channel: verified.channel } : { kind: 'already', alert: result.alert };
  } catch (error) {
    if (error instanceof HttpsError && error.code === 'failed-precondition')
      return { kind: 'resolved', alert: (await findAlertView(meter, verified.alertId)) ?? alert };
    if (error instanceof HttpsError && error.code === 'not-found') return { kind: 'not-found', alertId: verified.alertId };
    throw error;
  }
}

export async function handleAckLink(req: Request, res: ServerResponse, now = new Date(), deadlineMs = ACK_DEADLINE_MS): Promise<void> {
  const log = createLogger({ function: 'acknowledgeFromLink' });
  // The page speaks the team's language (presentation.locale of the runtime configuration), read
  // beside the decision and never after a failure.
  let known: PresentationSettings | null = null;
  const presentationRead = within(loadRuntimeConfig(new Meter(firestore()), { persistLastValid: false, log }), deadlineMs, 'configuration read').then(
    (loaded) => (known = loaded.config.presentation),
    (error: unknown) => {
      log.warn('Configuration not readable: the page is in English', { error: describeError(error) });
      return DEFAULT_PRESENTATION;
    },
  );
  let page: AckPage;
  try {
    page = await within(decide(req, now), deadlineMs, 'acknowledge link');
  } catch (error) {
    const reference = randomBytes(6).toString('hex');
    log.error('Acknowledge link failed', { reference, error: describeError(error) });
    await reportError(error, { source: 'acknowledgeFromLink', extra: { reference } });
    page = { kind: 'error', reference };
  }
  if (page.kind !== 'confirm') log.info('Acknowledge link', { method: req.method, outcome: page.kind, alertId: 'alert' in page ? page.alert.id : null });
  // The page speaks the reader's language when it knows it (Accept-Language), else the team's
  // (presentation.locale of the runtime configuration, read under the page's deadline); dates are in
  // the team's time zone.
  const presentation: PresentationSettings = page.kind === 'error' ? (known ?? DEFAULT_PRESENTATION) : await presentationRead;
  const header = req.headers['accept-language'];
  const locale = readerLocale(Array.isArray(header) ? header[0] : header, presentation.locale);
  const { status, html } = renderAckPage(page, { ...presentation, locale }, readParam(DASHBOARD_ORIGINS));
  res.statusCode = status;
  for (const [name, value] of Object.entries(ACK_PAGE_HEADERS)) res.setHeader(name, value);
  if (page.kind === 'method') res.setHeader('Allow', 'GET, HEAD, POST');
  res.end(req.method === 'HEAD' ? undefined : html);
}
