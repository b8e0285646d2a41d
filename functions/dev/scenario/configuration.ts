import type { ScenarioPart } from './types';

/** The on-call team's recipients, set at run time like an operator would. */
export const configurationScenario: ScenarioPart = {
  name: 'configuration',
  story: [
    'Runtime configuration: on-call email oncall@example.com, SMS to two phones, defaults for every threshold; emergencies also page PagerDuty (routing.emergency lists pagerduty).',
  ],
  async seed({ db }) {
    await db
      .collection('monitoring_config')
      .doc('settings')
      .set({
        recipients: { emails: ['oncall@example.com'], phones: ['+33612345678', '+33698765432'] },
        // PagerDuty pages nobody by default: an operator adds it to the severities that should page.
        routing: { emergency: ['email', 'slack', 'sms', 'pagerduty'] },
      });
  },
};
