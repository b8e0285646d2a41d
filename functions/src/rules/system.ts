import { defineRules } from './types';

/** Rules about the monitoring system itself. */
export const systemRules = defineRules(
  {
    id: 'config_invalid',
    domain: 'system',
    category: 'configuration',
    title: 'Monitoring configuration override rejected',
    summary:
      'Number of problems found when validating the runtime configuration document (monitoring_config/settings).',
    unit: 'count',
    direction: 'above',
    threshold: 0,
    severity: 'warning',
    thresholdRange: { min: 0, max: 0 },
    source: 'Firestore document monitoring_config/settings, validated at the start of every job run.',
    impact:
      'Threshold or routing changes made since the last valid version are not applied; monitoring keeps running on the last valid configuration.',
    suggestedAction:
      'Fix the fields named in the alert (or use the updateThresholds callable, which validates before saving).',
    message: ({ value, details }) => {
      const problems = Array.isArray(details.problems) ? (details.problems as string[]) : [];
      const fallback = typeof details.fallback === 'string' ? details.fallback : 'the last valid configuration';
      return `The configuration override was rejected (${value} problem${value === 1 ? '' : 's'}: ${problems
        .slice(0, 5)
        .join('; ')}). Still using ${fallback}.`;
    },
    runbook: {
      meaning:
        'Someone edited monitoring_config/settings and at least one value does not pass validation. The whole override is ignored until it is fixed; the previous valid version (or the built-in defaults) stays in force.',
      confirm: [
        'The alert text lists each rejected field with the reason.',
        'Open monitoring_config/settings in the Firestore console and compare with docs/configuration.md.',
      ],
      diagnose: [
        'Check the field names: unknown fields are rejected, rule ids must match docs/alerts.md.',
        'Check types and ranges (numbers, not strings; percentages 0-100; severities warning/critical/emergency).',
      ],
      fix: [
        'Correct the document, or apply the change through the admin dashboard (updateThresholds validates before writing).',
        'Run `npm run monitor -- <job> --dry-run` to confirm the configuration loads.',
      ],
      resolvedWhen: 'The next run loads the document without problems; the alert resolves itself.',
    },
  },
  {
    id: 'monitor_check_failed',
    domain: 'system',
    category: 'monitoring',
    title: 'A monitoring check could not run',
    summary:
      'A sub-check of a job (usually a call to a vendor API) failed: timeout, 5xx, rejected credentials. The rest of the job still ran.',
    unit: 'count',
    direction: 'above',
    threshold: 0,
    severity: 'warning',
    thresholdRange: { min: 0, max: 0 },
    keyLabel: 'job/check',
    source: 'Errors raised by a job sub-check during the run (vendor SDK error message included).',
    impact: 'The metrics that check produces are unknown until it runs again: an incident there would go unseen.',
    suggestedAction: 'Read the vendor error in the alert; check the vendor status page and the credentials.',
    message: ({ key, details }) =>
      `Check ${key ?? '?'} failed: ${typeof details.error === 'string' ? details.error : 'unknown error'}.`,
    runbook: {
      meaning:
        'One part of a monitoring job could not do its work, most often because a vendor API (Stripe, PayPal, Twilio) timed out, answered 5xx or rejected the credentials. The other checks of the job still ran.',
      confirm: [
        'The alert names the job and check, and quotes the vendor error.',
        'Look at the vendor status page: a vendor-wide incident explains it.',
      ],
      diagnose: [
        'Rejected credentials: the secret was rotated or revoked; compare with the vendor dashboard.',
        'Timeouts or 5xx: vendor incident or network problem; see the job logs filtered by the run id in the alert metadata.',
      ],
      fix: [
        'Rotate or fix the secret with `firebase functions:secrets:set NAME` and redeploy.',
        'For a vendor incident, wait for recovery and check the affected metric by hand meanwhile.',
      ],
      resolvedWhen: 'The check succeeds on a later run; the alert resolves itself.',
    },
  },
);
