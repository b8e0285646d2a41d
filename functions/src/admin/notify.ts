/**
 * sendTestNotification: one message to one channel through the real pipeline: an alert-shaped
 * document (in `monitoring_test_notifications`, so alert lists and the engine never see it), a
 * delivery document, then the dispatcher, which claims the attempt and sends it with the channel's
 * own formatting, timeout and secret redaction. A test is sent once: it is not retried (a failure is
 * the answer), and at most one test per channel and minute is accepted (SMS costs money).
 */
import { HttpsError } from 'firebase-functions/v2/https';
import { z } from 'zod';
import { COLLECTIONS, newDelivery, tickLabel, type AlertDoc } from '../alerts/model';
import { loadRuntimeConfig } from '../config/load';
import { MONITORING_ENVIRONMENT, readParam } from '../config/params';
import { CHANNELS, type ChannelName } from '../config/schema';
import { testNotificationTexts } from '../notifications/i18n';
import { fs, isAlreadyExists } from '../platform/firestore';
import { defineCallable } from './callable';

export interface TestNotificationResult {
  channel: ChannelName;
  /** sent; failed (the channel answered an error); skipped (channel not configured: secret or recipients missing). */
  status: 'sent' | 'failed' | 'skipped';
  /** The channel's error or why it is not configured (secrets redacted, personal data masked). */
  error: string | null;
  deliveryId: string;
  durationMs: number;
}

export const sendTestNotification = defineCallable({
  input: z.strictObject({ channel: z.enum(CHANNELS) }),
  mutates: true,
  errors: ['resource-exhausted'],
  async handler({ channel }, ctx): Promise<TestNotificationResult> {
    const { Timestamp } = fs();
    const db = ctx.meter.db;
    const minute = Math.floor(ctx.now.getTime() / 60_000) * 60_000;
    const id = `test-${channel}-${tickLabel(minute)}`;
    const at = Timestamp.fromDate(ctx.now);
    const environment = readParam(MONITORING_ENVIRONMENT) ?? 'production';
    const texts = testNotificationTexts(channel, environment);
    const alert: AlertDoc = {
      id,
      ruleId: 'admin_test_notification',
      key: null,
      domain: 'system',
      category: 'test',
      severity: 'warning',
      // English texts as stored fields; each language in i18n, rendered in the configured one.
      ...texts.en,
      i18n: texts,
      runbookUrl: 'docs/admin-api.md#sendtestnotification',
      value: 0,
      threshold: 0,
      direction: 'above',
      unit: 'count',
      createdAt: at,
      lastSeenAt: at,
      occurrences: 1,
      acknowledged: false,
      acknowledgedBy: null,
      acknowledgedAt: null,
      resolved: false,
      resolvedAt: null,
      resolvedBy: null,
      resolution: null,
      lastNotifiedAt: at,
      notifiedChannels: [],
      notifications: [],
      silencedBy: null,
      metadata: {
        job: 'admin',
        stateId: id,
        incident: 1,
        openedByRunId: `admin-test-${ctx.uid}`,
        lastRunId: `admin-test-${ctx.uid}`,
        resolvedByRunId: null,
        lastTickMs: minute,
        sample: null,
        details: { requestedBy: ctx.uid },
      },
    };
    const alertRef = db.collection(COLLECTIONS.testNotifications).doc(id);
    try {
      await alertRef.create(alert);
      ctx.meter.noteWrites(1);
    } catch (error) {
      if (!isAlreadyExists(error)) throw error;
      throw new HttpsError('resource-exhausted', `A test notification was already sent to ${channel} this minute; wait a minute before sending another.`);
    }
    const delivery = newDelivery({
      alertId: id,
      alertCollection: COLLECTIONS.testNotifications,
      ruleId: alert.ruleId,
      event: 'test',
      channel,
      severity: 'warning',
      runId: alert.metadata.lastRunId,
      now: at,
    });
    const { deliveryId } = delivery;
    await db.collection(COLLECTIONS.deliveries).doc(deliveryId).create(delivery);
    ctx.meter.noteWrites(1);

    const { dispatch } = await import('../notifications/dispatcher');
    const { config } = await loadRuntimeConfig(ctx.meter, { persistLastValid: false, log: ctx.log });
    // One attempt only: a failed test is reported now and marked dead, never retried later.
    const once = { ...config, notifications: { ...config.notifications, maxAttempts: 1 } };
    const [outcome] = await dispatch({ meter: ctx.meter, config: once, runId: alert.metadata.lastRunId, log: ctx.log, sweep: false }, [deliveryId]);
    const status = outcome?.status === 'sent' || outcome?.status === 'skipped' ? outcome.status : 'failed';
    ctx.log.info('Test notification', { channel, status, error: outcome?.error ?? null });
    return { channel, status, error: outcome?.error ?? null, deliveryId, durationMs: outcome?.durationMs ?? 0 };
  },
});
