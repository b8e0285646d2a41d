import { secret } from '../../../config/paramKit';
import type { ChannelManifest } from '../manifest';

export const PAGERDUTY_ROUTING_KEY = secret(
  'PAGERDUTY_ROUTING_KEY',
  'PagerDuty channel',
  'Integration key (32 characters) of an Events API v2 integration on the PagerDuty service that pages the on-call person. PagerDuty receives only the severities whose `routing` lists `pagerduty` (none by default).',
  '0123456789abcdef0123456789abcdef',
  'PagerDuty',
);

export const pagerDutyManifest = {
  name: 'pagerduty',
  label: 'PagerDuty',
  ackLetter: 'p',
  params: [PAGERDUTY_ROUTING_KEY],
  secrets: [PAGERDUTY_ROUTING_KEY],
  // An acknowledgement in the dashboard or by link acknowledges the incident.
  followsAcknowledgement: true,
  runbook: {
    diagnose:
      'PagerDuty 400 "invalid event": the routing key is not an Events API v2 integration key (32 characters); 429: the integration is over its rate limit (retried with backoff).',
    fix: '`firebase functions:secrets:set PAGERDUTY_ROUTING_KEY`',
  },
} as const satisfies ChannelManifest<'pagerduty'>;
