/**
 * Alert lists, acknowledgement and resolution.
 *
 * Acknowledge and resolve are idempotent even when two admins click at once: the first call creates
 * `monitoring_admin_actions/<alertId>~<action>` (create-if-absent, the only precondition both
 * production and the embedded emulator enforce) and its who/when are what the alert records. A
 * repeated or concurrent call finds that document and reports the existing acknowledgement or
 * resolution (`changed: false`); if a call died between the two writes, the next one completes it.
 *
 * An admin resolution leaves the alert engine consistent: the engine only treats an alert as open
 * while `resolved` is false, so if the condition still holds, the next run opens a new incident
 * (`<stateId>-n<k+1>`) and notifies it; messages still queued for the resolved alert are cancelled by
 * the dispatcher. No "resolved" message is sent for an admin resolution.
 */
import { HttpsError } from 'firebase-functions/v2/https';
import type { DocumentSnapshot, Query, Timestamp } from 'firebase-admin/firestore';
import { z } from 'zod';
import { COLLECTIONS, newDelivery, type AlertDoc } from '../alerts/model';
import { acknowledgementChannels } from '../notifications/channels/manifests';
import { fs, isAlreadyExists, type Meter } from '../platform/firestore';
import { ALERT_COLLECTIONS, DOMAINS, type Domain, type Severity } from '../rules';
import { defineCallable, type AdminContext } from './callable';
import { keyedPage } from './pagination';
import { alertId, domain, iso, pageSize, pageToken, severity, text, toJson } from './schemas';

export const ALERT_PAGE = { default: 25, max: 100 } as const;
/** Notification records returned per alert (the most recent). */
const NOTIFICATIONS_SHOWN = 20;

export interface AlertView {
  id: string;
  domain: Domain;
  collection: string;
  ruleId: string;
  key: string | null;
  category: string;
  severity: Severity;
  title: string;
  message: string;
  impact: string;
  suggestedAction: string;
  runbookUrl: string;
  value: number;
  threshold: number;
  direction: 'above' | 'below';
  unit: string;
  window: string | null;
  createdAt: string | null;
  lastSeenAt: string | null;
  occurrences: number;
  acknowledged: boolean;
  acknowledgedBy: string | null;
  acknowledgedAt: string | null;
  /** `link` when acknowledged from a message's link (then `acknowledgedChannel` says which message). */
  acknowledgedVia: 'dashboard' | 'link' | null;
  acknowledgedChannel: string | null;
  resolved: boolean;
  resolvedAt: string | null;
  resolvedBy: string | null;
  resolution: string | null;
  silencedBy: string | null;
  /** The open alert whose inhibition mutes this one (docs/alerts.md#inhibition-alerts-that-explain-others), or null. */
  inhibitedBy: string | null;
  /** Title, message, impact, suggested action and window in every language (`en`, `fr`), when the alert was evaluated with both. */
  i18n: AlertDoc['i18n'] | null;
  lastNotifiedAt: string | null;
  notifiedChannels: string[];
  notifications: Array<{ channel: string; event: string; attempt: number; at: string | null; status: string; error: string | null }>;
  metadata: {
    job: string | null;
    incident: number | null;
    openedByRunId: string | null;
    lastRunId: string | null;
    resolvedByRunId: string | null;
    sample: number | null;
    details: unknown;
  };
}

export function alertView(collection: string, alert: AlertDoc): AlertView {
  const domainOf = (DOMAINS.find((name) => ALERT_COLLECTIONS[name] === collection) ?? alert.domain) as Domain;
  const metadata = alert.metadata ?? ({} as Partial<AlertDoc['metadata']>);
  return {
    id: alert.id,
    domain: domainOf,
    collection,
    ruleId: alert.ruleId,
    key: alert.key ?? null,
    category: alert.category,
    severity: alert.severity,
    title: alert.title,
    message: alert.message,
    impact: alert.impact,
    suggestedAction: alert.suggestedAction,
    runbookUrl: alert.runbookUrl,
    value: alert.value,
    threshold: alert.threshold,
    direction: alert.direction,
    unit: alert.unit,
    window: alert.window ?? null,
    createdAt: iso(alert.createdAt),
    lastSeenAt: iso(alert.lastSeenAt),
    occurrences: alert.occurrences,
    acknowledged: alert.acknowledged === true,
    acknowledgedBy: alert.acknowledgedBy ?? null,
    acknowledgedAt: iso(alert.acknowledgedAt),
    acknowledgedVia: alert.acknowledged === true ? (alert.acknowledgedVia ?? 'dashboard') : null,
    acknowledgedChannel: alert.acknowledgedChannel ?? null,
    resolved: alert.resolved === true,
    resolvedAt: iso(alert.resolvedAt),
    resolvedBy: alert.resolvedBy ?? null,
    resolution: alert.resolution ?? null,
    silencedBy: alert.silencedBy ?? null,
    inhibitedBy: alert.inhibitedBy ?? null,
    i18n: alert.i18n ?? null,
    lastNotifiedAt: iso(alert.lastNotifiedAt),
    notifiedChannels: alert.notifiedChannels ?? [],
    notifications: (alert.notifications ?? []).slice(-NOTIFICATIONS_SHOWN).map((record) => ({
      channel: record.channel,
      event: record.event,
      attempt: record.attempt,
      at: iso(record.at),
      status: record.status,
      error: record.error ?? null,
    })),
    metadata: {
      job: metadata.job ?? null,
      incident: metadata.incident ?? null,
      openedByRunId: metadata.openedByRunId ?? null,
      lastRunId: metadata.lastRunId ?? null,
      resolvedByRunId: metadata.resolvedByRunId ?? null,
      sample: metadata.sample ?? null,
      details: toJson(metadata.details ?? {}),
    },
  };
}

export interface AlertPage {
  alerts: AlertView[];
  /** Pass it back as `pageToken` for the next page; null on the last page. */
  nextPageToken: string | null;
}

async function listAlerts(
  meter: Meter,
  domains: readonly Domain[],
  filters: { resolved: boolean; severity?: Severity },
  size: number,
  token: string | undefined,
): Promise<AlertPage> {
  const bases: Query[] = domains.map((name) => {
    let query: Query = meter.db.collection(ALERT_COLLECTIONS[name]).where('resolved', '==', filters.resolved);
    if (filters.severity) query = query.where('severity', '==', filters.severity);
    return query;
  });
  const query = `alerts:${domains.join('+')}:resolved=${filters.resolved}:severity=${filters.severity ?? '*'}`;
  const page = await keyedPage(meter, bases, { timeField: 'createdAt', keyField: 'id', pageSize: size, token, query });
  return {
    alerts: page.docs.map((doc) => alertView(doc.ref.parent.id, doc.data() as AlertDoc)),
    nextPageToken: page.nextPageToken,
  };
}

const listInput = {
  severity: severity.optional(),
  pageSize: pageSize(ALERT_PAGE.max),
  pageToken,
};

export const getActiveAlerts = defineCallable({
  input: z.strictObject({ domain: domain.optional(), ...listInput }),
  mutates: false,
  errors: [],
  handler: (input, ctx): Promise<AlertPage> =>
    listAlerts(
      ctx.meter,
      input.domain ? [input.domain] : DOMAINS,
      { resolved: false, severity: input.severity },
      input.pageSize ?? ALERT_PAGE.default,
      input.pageToken,
    ),
});

function domainList(name: Domain) {
  return defineCallable({
    input: z.strictObject({ resolved: z.boolean().optional(), ...listInput }),
    mutates: false,
    errors: [],
    handler: (input, ctx): Promise<AlertPage> =>
      listAlerts(ctx.meter, [name], { resolved: input.resolved ?? false, severity: input.severity }, input.pageSize ?? ALERT_PAGE.default, input.pageToken),
  });
}

export const getPaymentAlerts = domainList('payment');
export const getFunctionalAlerts = domainList('functional');

async function findAlert(meter: Meter, id: string, domains: readonly Domain[]): Promise<{ snapshot: DocumentSnapshot; collection: string } | null> {
  const snapshots = await meter.getAll(domains.map((name) => meter.db.collection(ALERT_COLLECTIONS[name]).doc(id)));
  const index = snapshots.findIndex((snapshot) => snapshot.exists);
  return index === -1 ? null : { snapshot: snapshots[index], collection: ALERT_COLLECTIONS[domains[index]] };
}

/**
 * One alert by id, open or resolved, in any of the three collections: what a deep link (the
 * dashboard's `#/alert/<id>`, a message's link) opens, including a system alert that resolved by itself.
 */
export const getAlert = defineCallable({
  input: z.strictObject({ alertId }),
  mutates: false,
  errors: ['not-found'],
  async handler({ alertId: id }, ctx): Promise<{ alert: AlertView }> {
    const found = await findAlert(ctx.meter, id, DOMAINS);
    if (!found)
      throw new HttpsError(
        'not-found',
        `No alert with id "${id}" in ${DOMAINS.map((name) => ALERT_COLLECTIONS[name]).join(', ')} (resolved alerts are deleted after the retention period).`,
      );
    return { alert: alertView(found.collection, found.snapshot.data() as AlertDoc) };
  },
});

interface ActionRecord {
  action: 'acknowledged' | 'resolved';
  alertId: string;
  alertCollection: string;
  by: string;
  at: Timestamp;
  resolution: string | null;
  /** Acknowledgements only: the dashboard or a message's link, and that message's channel. */
  via?: 'dashboard' | 'link';
  channel?: string | null;
}

export interface AlertActionResult {
  /** False when the alert was already acknowledged / resolved (by anyone): nothing was written. */
  changed: boolean;
  alert: AlertView;
}

/**
 * Claims the action with a create-if-absent document, then applies the claim's who/when to the alert.
 * Returns whether this call made the claim.
 */
async function claimAndApply(
  ctx: Pick<AdminContext, 'meter'>,
  collection: string,
  id: string,
  record: Omit<ActionRecord, 'alertId' | 'alertCollection'>,
  fields: (claim: ActionRecord) => Record<string, unknown>,
): Promise<boolean> {
  const db = ctx.meter.db;
  const claimRef = db.collection(COLLECTIONS.adminActions).doc(`${id}~${record.action}`);
  let claim: ActionRecord = { ...record, alertId: id, alertCollection: collection };
  let created = true;
  try {
    await claimRef.create(claim);
    ctx.meter.noteWrites(1);
  } catch (error) {
    if (!isAlreadyExists(error)) throw error;
    created = false;
    claim = (await ctx.meter.get(claimRef)).data() as ActionRecord;
  }
  await db.collection(collection).doc(id).update(fields(claim));
  ctx.meter.noteWrites(1);
  return created;
}

async function respond(ctx: Pick<AdminContext, 'meter'>, collection: string, id: string, changed: boolean): Promise<AlertActionResult> {
  const snapshot = await ctx.meter.get(ctx.meter.db.collection(collection).doc(id));
  return { changed, alert: alertView(collection, snapshot.data() as AlertDoc) };
}

/** Where an acknowledgement came from: the dashboard (an admin's uid) or a message's signed link. */
export type AcknowledgedVia = { via: 'dashboard' } | { via: 'link'; channel: string };

/**
 * Acknowledges an open alert of any domain: the one path of the `acknowledgeAlert` callable and of
 * acknowledge links (ack/http.ts). Idempotent through the `monitoring_admin_actions` claim.
 */
export async function acknowledge(
  ctx: Pick<AdminContext, 'meter' | 'now' | 'uid'>,
  id: string,
  source: AcknowledgedVia = { via: 'dashboard' },
): Promise<AlertActionResult> {
  const found = await findAlert(ctx.meter, id, DOMAINS);
  if (!found) throw new HttpsError('not-found', `No alert with id "${id}" in ${DOMAINS.map((name) => ALERT_COLLECTIONS[name]).join(', ')}.`);
  const alert = found.snapshot.data() as AlertDoc;
  if (alert.acknowledged) return { changed: false, alert: alertView(found.collection, alert) };
  if (alert.resolved) {
    throw new HttpsError(
      'failed-precondition',
      `Alert "${id}" is already resolved (by ${alert.resolvedBy ?? 'unknown'} at ${iso(alert.resolvedAt) ?? 'an unknown time'}): there is nothing to acknowledge.`,
    );
  }
  const at = fs().Timestamp.fromDate(ctx.now);
  const channel = source.via === 'link' ? source.channel : null;
  const changed = await claimAndApply(
    ctx,
    found.collection,
    id,
    { action: 'acknowledged', by: ctx.uid, at, resolution: null, via: source.via, channel },
    (claim) => ({
      acknowledged: true,
      acknowledgedBy: claim.by,
      acknowledgedAt: claim.at,
      acknowledgedVia: claim.via ?? 'dashboard',
      acknowledgedChannel: claim.channel ?? null,
    }),
  );
  if (changed) await planAcknowledgementMessages(ctx, found.collection, alert, at);
  return respond(ctx, found.collection, id, changed);
}

/**
 * An incident tool that was told about the alert is told it was acknowledged (channels/manifest.ts
 * `followsAcknowledgement`): one `acknowledged` delivery per such channel, created if absent, sent by
 * the next run of any job (the fast job runs every 5 minutes) like any other message.
 */
async function planAcknowledgementMessages(ctx: Pick<AdminContext, 'meter' | 'uid'>, collection: string, alert: AlertDoc, at: Timestamp): Promise<void> {
  for (const channel of acknowledgementChannels(alert.notifiedChannels ?? [])) {
    const delivery = newDelivery({
      alertId: alert.id,
      alertCollection: collection,
      ruleId: alert.ruleId,
      event: 'acknowledged',
      channel,
      severity: alert.severity,
      runId: `acknowledge:${ctx.uid}`,
      now: at,
    });
    try {
      await ctx.meter.db.collection(COLLECTIONS.deliveries).doc(delivery.deliveryId).create(delivery);
      ctx.meter.noteWrites(1);
    } catch (error) {
      if (!isAlreadyExists(error)) throw error;
    }
  }
}

export const acknowledgeAlert = defineCallable({
  input: z.strictObject({ alertId }),
  mutates: true,
  errors: ['not-found', 'failed-precondition'],
  handler: ({ alertId: id }, ctx): Promise<AlertActionResult> => acknowledge(ctx, id),
});

function resolver(name: Domain, resolution: z.ZodType<string | undefined>) {
  return defineCallable({
    input: z.strictObject({ alertId, resolution }),
    mutates: true,
    errors: ['not-found'],
    async handler(input, ctx): Promise<AlertActionResult> {
      const id = input.alertId;
      const found = await findAlert(ctx.meter, id, [name]);
      if (!found) throw new HttpsError('not-found', `No ${name} alert with id "${id}" (collection ${ALERT_COLLECTIONS[name]}).`);
      const alert = found.snapshot.data() as AlertDoc;
      if (alert.resolved) return { changed: false, alert: alertView(found.collection, alert) };
      const at = fs().Timestamp.fromDate(ctx.now);
      const text = input.resolution ?? 'Resolved by an admin from the dashboard.';
      const changed = await claimAndApply(ctx, found.collection, id, { action: 'resolved', by: ctx.uid, at, resolution: text }, (claim) => ({
        resolved: true,
        resolvedBy: claim.by,
        resolvedAt: claim.at,
        resolution: claim.resolution,
      }));
      return respond(ctx, found.collection, id, changed);
    },
  });
}

/** Resolution text limit (shown in the dashboard and stored on the alert). */
export const RESOLUTION_MAX = 1_000;

export const resolvePaymentAlert = resolver('payment', text(RESOLUTION_MAX).optional());
export const resolveFunctionalAlert = resolver('functional', text(RESOLUTION_MAX));
