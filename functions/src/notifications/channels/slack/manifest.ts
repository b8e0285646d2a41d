import { secret } from '../../../config/paramKit';
import type { ChannelManifest } from '../manifest';

export const SLACK_WEBHOOK_URL = secret(
  'SLACK_WEBHOOK_URL',
  'Slack channel',
  'Incoming-webhook URL of the Slack channel that receives alerts.',
  'https://hooks.slack.com/services/T000/B000/XXXX',
  'Slack',
);

export const slackManifest = {
  name: 'slack',
  label: 'Slack',
  ackLetter: 's',
  params: [SLACK_WEBHOOK_URL],
  secrets: [SLACK_WEBHOOK_URL],
  followsAcknowledgement: false,
  runbook: {
    diagnose: 'Slack "no_service" or 404/410: the webhook was revoked or its channel archived.',
    fix: '`firebase functions:secrets:set SLACK_WEBHOOK_URL`',
  },
} as const satisfies ChannelManifest<'slack'>;
