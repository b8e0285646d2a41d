import { Timestamp } from 'firebase-admin/firestore';
import type { TwilioMessage } from '../servers/twilio';
import { minutesAgo, writeAll, type ScenarioPart } from './types';

/**
 * Checks from the outside: three probed endpoints (one healthy, one answering 500 since the previous
 * run, one slow for the last runs), the external heartbeat pinging a local dead man's switch, and the
 * app's messages: SMS with 10 % undelivered, emails with a normal bounce rate.
 */
export const outsideScenario: ScenarioPart = {
  name: 'outside',
  story: [
    'HTTP probes: web-health answers {"status":"ok"}; api has answered 500 since the previous probe 5 minutes ago; search has taken ~450 ms (budget 200 ms) on its last probes.',
    "External heartbeat: the watchdog pings a local dead man's switch (healthchecks.io convention).",
    'App messages: 40 SMS in the last 6 h, 4 of them undelivered (carrier filtering); 60 emails in the last 24 h, 2 bounced.',
  ],
  async seed({ db, now, servers }) {
    const base = servers.probeTargets.url;
    servers.probeTargets.slowMs = 450;
    await db
      .collection('monitoring_config')
      .doc('settings')
      .set(
        {
          probes: {
            endpoints: [
              { name: 'web-health', url: `${base}/health`, jsonCondition: '$.status == "ok"' },
              { name: 'api', url: `${base}/error`, maxLatencyMs: 1_000 },
              { name: 'search', url: `${base}/slow`, maxLatencyMs: 200 },
            ],
          },
          externalHeartbeat: { url: servers.heartbeat.pingUrl },
        },
        { merge: true },
      );
    const previous = (minutes: number, ok: boolean, status: number, ms: number) => ({
      t: minutesAgo(now, minutes).getTime(),
      ok,
      status,
      ms,
      error: ok ? null : `status ${status}, expected 200`,
    });
    await writeAll(db, 'monitoring_probes', [
      { id: 'api', name: 'api', target: `${base}/error`, method: 'GET', recent: [previous(10, true, 200, 40), previous(5, false, 500, 35)] },
      {
        id: 'search',
        name: 'search',
        target: `${base}/slow`,
        method: 'GET',
        recent: [previous(15, true, 200, 470), previous(10, true, 200, 440), previous(5, true, 200, 455)],
      },
    ]);

    const sms = (index: number, status: TwilioMessage['status']): TwilioMessage => ({
      sid: `SM${String(index).padStart(32, '0')}`,
      status,
      direction: 'outbound-api',
      date_sent: minutesAgo(now, 5 + index * 8).toISOString(),
      error_code: status === 'undelivered' ? 30007 : null,
      to: '+33612345678',
      from: '+15005550006',
    });
    servers.twilio.messages = Array.from({ length: 40 }, (_, index) => sms(index, index % 10 === 3 ? 'undelivered' : 'delivered'));
    await writeAll(
      db,
      'email_logs',
      Array.from({ length: 60 }, (_, index) => ({
        status: index === 7 || index === 31 ? 'bounced' : 'delivered',
        timestamp: Timestamp.fromDate(minutesAgo(now, 10 + index * 20)),
        template: index % 2 ? 'booking-confirmation' : 'password-reset',
      })),
    );
  },
};
