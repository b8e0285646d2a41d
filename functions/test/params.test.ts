/** Reading params and secrets as the deployed functions get them (lists as JSON arrays) and as the CLI and tests set them. */
import {
  ALERT_EMAIL_TO,
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
    ['RUNBOOK_BASE_URL', 'https://github.com/acme/monitoring/blob/main/docs/runbook.md', undefined, 'set'],
    ['RUNBOOK_BASE_URL', 'https://github.com/your-org/your-repo/blob/main/docs/runbook.md', undefined, 'placeholder'],
    ['RUNBOOK_BASE_URL', 'https://github.com/<org>/<repo>/blob/main/docs/runbook.md', undefined, 'placeholder'],
    ['ALERT_EMAIL_TO', '["none"]', undefined, 'disabled'],
    ['ALERT_EMAIL_TO', '[]', undefined, 'missing'],
    ['ALERT_EMAIL_TO', '["oncall@example.com"]', undefined, 'set'],
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
