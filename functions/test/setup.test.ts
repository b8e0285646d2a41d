/** npm run setup: each param asked with its description, example and malformed values refused, functions/.env.<project> written. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkDeployEnv } from '../src/cli/checkEnv';
import { readDeployEnv } from '../src/cli/env';
import { paramProblem, setup } from '../src/cli/setup';
import { PARAMS } from '../src/config/params';

const entry = (name: string) => PARAMS.find((item) => item.param.name === name)!;

it.each([
  ['ALERT_EMAIL_FROM', 'Monitoring <alerts@marketplace.fr>', null],
  ['ALERT_EMAIL_FROM', 'alerts@marketplace.fr', null],
  ['ALERT_EMAIL_FROM', 'Marketplace monitoring <alerts@example.com>', 'an example value: a reserved example domain (example.com/.org/.net)'],
  ['ALERT_EMAIL_FROM', 'alerts', 'an email address, optionally as "Name <address>"'],
  ['ALERT_EMAIL_FROM', '', 'a value is needed'],
  ['ALERT_EMAIL_FROM', 'none', null],
  ['ALERT_EMAIL_TO', 'oncall@marketplace.fr, cto@marketplace.fr', null],
  ['ALERT_EMAIL_TO', 'oncall@marketplace.fr; cto@marketplace.fr', 'comma-separated email addresses'],
  ['TWILIO_ACCOUNT_SID', 'AC3f9c1e7a5b2d4086c1f0e9a7b3d5c2e8', null],
  ['TWILIO_ACCOUNT_SID', 'AC0123456789abcdef0123456789abcdef', 'an example value: a counting sequence (AC0123456789abcdef...)'],
  ['TWILIO_ACCOUNT_SID', 'SK3f9c1e7a5b2d4086c1f0e9a7b3d5c2e8', 'AC followed by 32 hexadecimal characters (Twilio console)'],
  ['TWILIO_FROM_NUMBER', '+33612345678', null],
  ['TWILIO_FROM_NUMBER', '06 12 34 56 78', 'a phone number in E.164 form (+33612345678)'],
  ['TWILIO_FROM_NUMBER', '+33700000000', 'an example value: a phone number with the same digit six times in a row (+33700000000)'],
  ['ALERT_SMS_TO', '+33612345678,+33698765432', null],
  ['PAYPAL_ENVIRONMENT', '', null], // the default
  ['PAYPAL_ENVIRONMENT', 'prod', 'live or sandbox'],
  ['PAYPAL_ENVIRONMENT', 'none', 'none is not allowed here (the param has a default)'],
  ['RUNBOOK_BASE_URL', 'https://github.com/marketplace-team/monitoring/blob/main/docs/runbook.md', null],
  ['RUNBOOK_BASE_URL', 'github.com/x', 'an https:// URL'],
  ['ACK_LINK_BASE_URL', 'https://marketplace-prod-monitoring.web.app/ack', null],
  ['DASHBOARD_ORIGINS', 'https://marketplace-prod-monitoring.web.app,https://marketplace-prod-monitoring.firebaseapp.com', null],
  ['DASHBOARD_ORIGINS', 'https://marketplace-prod-monitoring.web.app/', 'comma-separated origins, scheme://host[:port] without a path'],
  ['MONITORING_SERVICE_ACCOUNT', 'monitoring-functions@', null],
  ['MONITORING_SERVICE_ACCOUNT', 'monitoring functions', 'default, name@ or a service account email'],
  ['ADMIN_ENFORCE_APP_CHECK', 'yes', 'true or false'],
] as const)('%s = %j: %s', (name, value, problem) => {
  expect(paramProblem(entry(name), value)).toBe(problem);
});

it('asks for each param, says why an answer is refused and asks again, then writes a file check:env accepts', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'setup-'));
  try {
    const project = 'marketplace-prod';
    writeFileSync(join(dir, `.env.${project}`), 'RUNBOOK_BASE_URL=https://github.com/acme/x\nMONITORING_ENVIRONMENT=prod-eu\n');
    const answers: Record<string, string[]> = {
      site: [''], // the suggested <project>-monitoring
      ALERT_EMAIL_FROM: ['alerts@example.com', 'Monitoring <alerts@marketplace.fr>'],
      ALERT_EMAIL_TO: ['oncall@marketplace.fr'],
      TWILIO_ACCOUNT_SID: ['none'],
      TWILIO_FROM_NUMBER: ['none'],
      ALERT_SMS_TO: ['+33612345678'],
      PAYPAL_CLIENT_ID: ['AZx...', 'none'],
      PAYPAL_ENVIRONMENT: [''],
      RUNBOOK_BASE_URL: ['', 'https://github.com/marketplace-team/monitoring/blob/main/docs/runbook.md'], // the file's example value is not offered
      MONITORING_ENVIRONMENT: [''], // the file's value
      ADMIN_ENFORCE_APP_CHECK: [''],
      PROBE_CREDENTIAL_HOSTS: [''], // none: no host gets the probe secret
      OUTBOUND_ALLOWED_NETWORKS: [''], // none: public addresses only
      MONITORING_SERVICE_ACCOUNT: [''],
      ACK_LINK_BASE_URL: [''],
      DASHBOARD_ORIGINS: [''],
      secrets: ['no'],
    };
    const prompts: string[] = [];
    let out = '';
    const rl = {
      question: async (prompt: string) => {
        prompts.push(prompt);
        const key = prompt.startsWith("The dashboard's") ? 'site' : prompt.includes('secrets') ? 'secrets' : prompt.split(/[ :]/)[0];
        const next = answers[key]?.shift();
        if (next === undefined) throw new Error(`unexpected prompt ${prompt}`);
        return next;
      },
    };
    const code = await setup(dir, project, {
      rl,
      write: (text) => (out += text),
      setSecret: () => {
        throw new Error('no secret is set when the answer is no');
      },
    });
    expect(code).toBe(0);
    expect(out).toContain('  Not accepted: an example value: a reserved example domain (example.com/.org/.net).');
    expect(out).toContain('  Not accepted: an example value: an elision (...).');
    expect(out).toContain('  Not accepted: a value is needed.');
    expect(out).toContain(`\nALERT_EMAIL_FROM (Email channel): ${entry('ALERT_EMAIL_FROM').description}\n`);
    expect(prompts).toContainEqual('MONITORING_ENVIRONMENT [prod-eu]: ');
    expect(prompts).toContainEqual(`ACK_LINK_BASE_URL [https://${project}-monitoring.web.app/ack]: `);
    expect(prompts).toContainEqual('RUNBOOK_BASE_URL: ');
    expect(Object.values(answers).every((left) => left.length === 0)).toBe(true);

    const written = readDeployEnv(dir, project).values;
    expect(written).toEqual({
      ALERT_EMAIL_FROM: 'Monitoring <alerts@marketplace.fr>',
      ALERT_EMAIL_TO: 'oncall@marketplace.fr',
      TWILIO_ACCOUNT_SID: 'none',
      TWILIO_FROM_NUMBER: 'none',
      ALERT_SMS_TO: '+33612345678',
      PAYPAL_CLIENT_ID: 'none',
      PAYPAL_ENVIRONMENT: 'live',
      RUNBOOK_BASE_URL: 'https://github.com/marketplace-team/monitoring/blob/main/docs/runbook.md',
      MONITORING_ENVIRONMENT: 'prod-eu',
      ADMIN_ENFORCE_APP_CHECK: 'false',
      PROBE_CREDENTIAL_HOSTS: 'none',
      OUTBOUND_ALLOWED_NETWORKS: 'none',
      MONITORING_SERVICE_ACCOUNT: 'default',
      ACK_LINK_BASE_URL: `https://${project}-monitoring.web.app/ack`,
      DASHBOARD_ORIGINS: `https://${project}-monitoring.web.app,https://${project}-monitoring.firebaseapp.com`,
    });
    expect(readFileSync(join(dir, `.env.${project}`), 'utf8')).toMatch(/^# Params of marketplace-prod, written by npm run setup/);
    expect(checkDeployEnv(dir, project).ok).toBe(true);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
