/** The notification channels (test messages): generated from functions/src/notifications/channels/manifests.ts by `npm run docs`. */
// <!-- generated:channels -->
export const CHANNELS: readonly string[] = ['slack', 'email', 'sms', 'pagerduty'];
// <!-- /generated:channels -->
