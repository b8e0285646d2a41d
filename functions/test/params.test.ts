/** Reading params and secrets as the deployed functions get them (lists as JSON arrays) and as the CLI and tests set them. */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  ALERT_EMAIL_TO,
  PARAMS,
  isPlaceholder,
  placeholderReason,
  MONITORING_ENVIRONMENT,
  PAYPAL_ENVIRONMENT,
  RUNBOOK_BASE_URL,
  SLACK_WEBHOOK_URL,
  listParam,
  paramStatus,
  readParam,
} from '../src/config/params';

const saved = { ...process.env };
afterEach(() => {
  for (const name of ['ALERT_EMAIL_TO', 'MONITORING_ENVIRONMENT', 'PAYPAL_ENVIRONMENT', 'RUNBOOK_BASE_URL', 'SLACK_WEBHOOK_URL']) {
    if (saved[name] === undefined) delete process.env[name];
    else process.env[name] = saved[name];
  }
});

describe('list params', () => {
  it.each([
    ['["oncall@example.com","cto@example.com"]', ['oncall@example.com', 'cto@example.com']], // as the deploy sets it
    ['oncall@example.com, cto@example.com', ['oncall@example.com', 'cto@example.com']], // as a shell sets it
    ['oncall@example.com', ['oncall@example.com']],
    ['["none"]', []],
    ['none', []],
    ['[]', []],
    ['', []],
  ])('%j reads as %j', (raw, expected) => {
    process.env.ALERT_EMAIL_TO = raw;
    expect(listParam(ALERT_EMAIL_TO)).toEqual(expected);
    expect(readParam(ALERT_EMAIL_TO)).toBe(expected.length ? expected.join(',') : undefined);
  });

  it('unset reads as empty', () => {
    delete process.env.ALERT_EMAIL_TO;
    expect(listParam(ALERT_EMAIL_TO)).toEqual([]);
  });
});

describe('readParam', () => {
  it.each([
    [undefined, 'production'],
    ['', 'production'],
    ['none', 'production'],
    ['staging', 'staging'],
  ])('MONITORING_ENVIRONMENT=%j reads %j (its default when unset)', (raw, expected) => {
    if (raw === undefined) delete process.env.MONITORING_ENVIRONMENT;
    else process.env.MONITORING_ENVIRONMENT = raw;
    expect(readParam(MONITORING_ENVIRONMENT)).toBe(expected);
  });

  it.each([
    [undefined, undefined],
    ['none', undefined],
    ['DISABLED', undefined],
    ['-', undefined],
    [' https://hooks.slack.com/services/T/B/X ', 'https://hooks.slack.com/services/T/B/X'],
  ])('a param or secret without default: %j reads %j', (raw, expected) => {
    if (raw === undefined) delete process.env.SLACK_WEBHOOK_URL;
    else process.env.SLACK_WEBHOOK_URL = raw;
    expect(readParam(SLACK_WEBHOOK_URL)).toBe(expected);
    if (raw === undefined) delete process.env.RUNBOOK_BASE_URL;
    else process.env.RUNBOOK_BASE_URL = raw;
    expect(readParam(RUNBOOK_BASE_URL)).toBe(expected);
  });
});

describe('paramStatus: names and status only', () => {
  it.each([
    ['RUNBOOK_BASE_URL', undefined, undefined, 'missing'],
    ['RUNBOOK_BASE_URL', '', undefined, 'missing'],
    ['RUNBOOK_BASE_URL', 'none', undefined, 'disabled'],
    ['RUNBOOK_BASE_URL', 'https://github.com/marketplace-team/monitoring/blob/main/docs/runbook.md', undefined, 'set'],
    ['RUNBOOK_BASE_URL', 'https://github.com/your-org/your-repo/blob/main/docs/runbook.md', undefined, 'placeholder'],
    ['RUNBOOK_BASE_URL', 'https://github.com/<org>/<repo>/blob/main/docs/runbook.md', undefined, 'placeholder'],
    ['ALERT_EMAIL_TO', '["none"]', undefined, 'disabled'],
    ['ALERT_EMAIL_TO', '[]', undefined, 'missing'],
    ['ALERT_EMAIL_TO', '["oncall@marketplace.fr"]', undefined, 'set'],
    ['PAYPAL_ENVIRONMENT', undefined, 'live', 'default'],
    ['PAYPAL_ENVIRONMENT', 'sandbox', 'live', 'set'],
  ])('%s=%j (default %j) is %s', (name, raw, defaultValue, status) => {
    if (raw === undefined) delete process.env[name];
    else process.env[name] = raw;
    expect(paramStatus(name, defaultValue)).toBe(status);
  });

  it('PAYPAL_ENVIRONMENT falls back to live', () => {
    delete process.env.PAYPAL_ENVIRONMENT;
    expect(readParam(PAYPAL_ENVIRONMENT)).toBe('live');
  });
});

describe('example and template values are placeholders, real-looking ones are not', () => {
  it.each([
    ['oncall@example.com', 'a reserved example domain (example.com/.org/.net)'],
    ['Marketplace monitoring <alerts@example.org>', 'a reserved example domain (example.com/.org/.net)'],
    ['smtps://alerts%40example.net:app-password@smtp.example.net:465', 'a reserved example domain (example.com/.org/.net)'],
    ['https://status.shop.test/health', 'a reserved top-level domain (.example, .test, .invalid)'],
    ['ops@company.invalid', 'a reserved top-level domain (.example, .test, .invalid)'],
    ['https://github.com/acme/marketplace-monitoring/blob/main/docs/runbook.md', 'the example company name acme'],
    ['https://monitoring-acme.web.app,https://monitoring-acme.firebaseapp.com', 'the example company name acme'],
    ['AC0123456789abcdef0123456789abcdef', 'a counting sequence (AC0123456789abcdef...)'],
    ['+33700000000', 'a phone number with the same digit six times in a row (+33700000000)'],
    ['+33600000001,+33600000002', 'a phone number with the same digit six times in a row (+33700000000)'],
    ['AZx...', 'an elision (...)'],
    ['rk_live_…', 'an elision (...)'],
    ['https://hooks.slack.com/services/T000/B000/XXXX', 'a run of X (XXXX)'],
    ['https://public@o0.ingest.sentry.io/0', 'the example Sentry DSN (o0)'],
    ['(from the Twilio console)', 'a description in parentheses instead of a value'],
    ['https://github.com/your-org/your-repo/blob/main/docs/runbook.md', 'a template name (your-org, your-repo...)'],
    ['https://<project-id>-monitoring.web.app/ack', 'a template name in angle brackets'],
    ['changeme', 'a changeme marker'],
  ])('%s: %s', (value, reason) => {
    expect(placeholderReason(value)).toBe(reason);
    expect(isPlaceholder(value)).toBe(true);
  });

  it.each([
    'oncall@marketplace.fr',
    'Marketplace monitoring <alerts@marketplace.fr>',
    'smtps://alerts%40marketplace.fr:Zq8-pass@smtp.gmail.com:465',
    'https://github.com/marketplace-team/monitoring/blob/main/docs/runbook.md',
    'https://hooks.slack.com/services/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',
    'AC3f9c1e7a5b2d4086c1f0e9a7b3d5c2e8',
    '+33612345678,+33698765432',
    '+15005550006',
    'https://4f1c2e9a7b@o4504381.ingest.de.sentry.io/4506213',
    'https://marketplace-prod-monitoring.web.app/ack',
    'https://monitoring.marketplace.fr,https://marketplace-prod-monitoring.firebaseapp.com',
    'Monitoring <alerts@monitoring.localhost>',
    'production',
  ])('%s may be real', (value) => {
    expect(placeholderReason(value)).toBeUndefined();
  });

  it("every param's documented example that is not a default value counts as a placeholder (a copy of .env.example is not a configuration)", () => {
    for (const entry of PARAMS.filter((item) => item.defaultValue === undefined)) {
      expect([entry.param.name, isPlaceholder(entry.example)]).toEqual([entry.param.name, true]);
    }
  });

  it('each value of functions/.env.example is a placeholder or the default value', () => {
    const { envs } = (require('firebase-tools/lib/functions/env') as { parse: (data: string) => { envs: Record<string, string> } }).parse(
      readFileSync(resolve(__dirname, '..', '.env.example'), 'utf8'),
    );
    const byName = new Map(PARAMS.map((entry) => [entry.param.name, entry]));
    expect(Object.keys(envs).length).toBeGreaterThan(10);
    for (const [name, value] of Object.entries(envs)) {
      const entry = byName.get(name)!;
      expect([name, entry.defaultValue === undefined ? isPlaceholder(value) : value === entry.defaultValue]).toEqual([name, true]);
    }
  });

  it('the configuration check counts a placeholder list, param or secret as not set', () => {
    process.env.ALERT_EMAIL_TO = '["oncall@example.com","cto@company.fr"]';
    expect(paramStatus('ALERT_EMAIL_TO')).toBe('placeholder');
    process.env.SLACK_WEBHOOK_URL = 'https://hooks.slack.com/services/T000/B000/XXXX';
    expect(paramStatus('SLACK_WEBHOOK_URL')).toBe('placeholder');
  });
});
