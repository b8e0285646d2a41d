/** Runtime configuration: defaults from the rule catalogue, validated overrides, last-valid fallback. */
import type { Firestore } from 'firebase-admin/firestore';
import type { AlertDoc } from '../src/alerts/model';
import { defaultConfig, resolveConfig } from '../src/config/schema';
import type { JobDefinition } from '../src/jobs/catalog';
import { executeRun } from '../src/pipeline/run';
import { isIntegerParam, RULES } from '../src/rules';
import { allDocs, closeFirebase, freshProject, replaceDoc } from './support/firebase';
import { useLocalServers } from './support/servers';

describe('resolveConfig', () => {
  it('uses the rule catalogue defaults when there is no override', () => {
    const { config, problems } = resolveConfig(undefined);
    expect(problems).toEqual([]);
    for (const rule of RULES) {
      expect(config.rules[rule.id]).toMatchObject({ enabled: true, threshold: rule.threshold, severity: rule.severity, consecutiveRuns: 1 });
    }
    expect(config.routing).toEqual({ warning: ['slack'], critical: ['email', 'slack'], emergency: ['email', 'slack', 'sms'] });
  });

  it('merges a valid override over the defaults', () => {
    const { config, problems } = resolveConfig({
      rules: { monitor_check_failed: { severity: 'critical', consecutiveRuns: 2 } },
      routing: { warning: [] },
      recipients: { emails: ['ops@example.com'], phones: ['+33612345678'] },
      notifications: { repeatIntervalMinutes: { critical: 30 } },
    });
    expect(problems).toEqual([]);
    expect(config.rules.monitor_check_failed).toMatchObject({ severity: 'critical', consecutiveRuns: 2, threshold: 0 });
    expect(config.routing.warning).toEqual([]);
    expect(config.routing.critical).toEqual(['email', 'slack']);
    expect(config.recipients).toEqual({ emails: ['ops@example.com'], phones: ['+33612345678'] });
    expect(config.notifications.repeatIntervalMinutes).toEqual({ warning: 1440, critical: 30, emergency: 60 });
  });

  it.each([
    [{ rules: { monitor_check_failed: { severity: 'urgent' } } }, /^rules\.monitor_check_failed\.severity: /],
    [{ rules: { monitor_check_failed: { consecutiveRuns: '2' } } }, /^rules\.monitor_check_failed\.consecutiveRuns: .*expected number, received string/],
    [{ rules: { no_such_rule: { threshold: 1 } } }, /^rules: Unrecognized key: "no_such_rule"/],
    [{ rules: { monitor_check_failed: { thresold: 1 } } }, /^rules\.monitor_check_failed: Unrecognized key: "thresold"/],
    [{ routing: { critical: ['pager'] } }, /^routing\.critical\.0: /],
    [{ routing: { critical: ['slack', 'slack'] } }, /^routing\.critical: channels must not repeat/],
    [{ recipients: { phones: ['0612345678'] } }, /^recipients\.phones\.0: must be an E\.164 phone number/],
    [{ recipients: { emails: ['not-an-email'] } }, /^recipients\.emails\.0: /],
    [{ notifications: { channelTimeoutMs: 10 } }, /^notifications\.channelTimeoutMs: Too small/],
    [{ unknownSection: true }, /^\(document\): Unrecognized key: "unknownSection"/],
  ])('rejects %j with a message naming the field', (override, expected) => {
    const { config, problems } = resolveConfig(override);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(expected);
    expect(config).toEqual(defaultConfig());
  });

  it('rejects a bad field alone: every other field of the document applies', () => {
    const { config, problems, fallbacks } = resolveConfig({
      rules: { monitor_check_failed: { threshold: '5', consecutiveRuns: 2 } },
      routing: { warning: ['email', 'slack'] },
      recipients: { emails: ['ops@example.com'], phones: ['0612'] },
    });
    expect(problems).toEqual([
      'rules.monitor_check_failed.threshold: Invalid input: expected number, received string',
      'recipients.phones.0: must be an E.164 phone number such as +33612345678',
    ]);
    expect(fallbacks).toEqual([
      { field: 'rules.monitor_check_failed.threshold', to: 'default' },
      { field: 'recipients.phones', to: 'default' },
    ]);
    expect(config.rules.monitor_check_failed).toMatchObject({ threshold: 0, consecutiveRuns: 2 });
    expect(config.routing.warning).toEqual(['email', 'slack']);
    expect(config.recipients).toEqual({ emails: ['ops@example.com'], phones: [] });
  });

  it('takes a rejected field from the last valid document when it had one', () => {
    const lastValid = { recipients: { emails: ['old@example.com'], phones: ['+33600000001'] }, notifications: { maxAttempts: 3 } };
    const { config, fallbacks, accepted } = resolveConfig(
      { recipients: { emails: ['new@example.com', 'oops'], phones: ['+33600000002'] }, notifications: { maxAttempts: 0 } },
      RULES,
      lastValid,
    );
    expect(fallbacks).toEqual([
      { field: 'recipients.emails', to: 'last-valid' },
      { field: 'notifications.maxAttempts', to: 'last-valid' },
    ]);
    expect(config.recipients).toEqual({ emails: ['old@example.com'], phones: ['+33600000002'] });
    expect(config.notifications.maxAttempts).toBe(3);
    expect(accepted).toEqual({ recipients: { emails: ['old@example.com'], phones: ['+33600000002'] }, notifications: { maxAttempts: 3 } });
  });

  it.each([
    ['payment_flow_error_repeated', 'maxEvents', 10.5],
    ['top_rated_unavailable', 'topCount', 3.5],
    ['stripe_payment_failures', 'windowMinutes', 60.25],
  ])('refuses a fraction for the integer parameter %s.params.%s', (ruleId, param, value) => {
    const { config, problems } = resolveConfig({ rules: { [ruleId]: { params: { [param]: value } } } });
    expect(problems).toEqual([`rules.${ruleId}.params.${param}: Invalid input: expected int, received number`]);
    expect(Number.isInteger(config.rules[ruleId].params[param])).toBe(true);
  });

  it('marks every parameter of the catalogue as integer or not, once (isIntegerParam)', () => {
    for (const rule of RULES) {
      for (const spec of Object.values(rule.params ?? {})) {
        expect(isIntegerParam(spec)).toBe(Number.isInteger(spec.default) && Number.isInteger(spec.min) && Number.isInteger(spec.max));
      }
    }
  });

  it('checks values against each other once merged', () => {
    const { problems } = resolveConfig({
      rules: {
        monitor_check_failed: {
          escalations: [{ threshold: 0, severity: 'warning' }],
        },
      },
    });
    expect(problems).toEqual([
      'rules.monitor_check_failed.escalations.0.threshold: must be above the threshold (0), got 0',
      'rules.monitor_check_failed.escalations.0.severity: must be more severe than warning, got warning',
    ]);
  });

  it('takes default recipients from the ALERT_EMAIL_TO and ALERT_SMS_TO params', () => {
    process.env.ALERT_EMAIL_TO = 'a@example.com, b@example.com';
    process.env.ALERT_SMS_TO = '+33600000001';
    try {
      expect(defaultConfig().recipients).toEqual({ emails: ['a@example.com', 'b@example.com'], phones: ['+33600000001'] });
    } finally {
      delete process.env.ALERT_EMAIL_TO;
      delete process.env.ALERT_SMS_TO;
    }
  });
});

describe('override document in Firestore', () => {
  const servers = useLocalServers();
  let db: Firestore;
  const idleJob: JobDefinition = {
    name: 'idle',
    exportName: 'runIdle',
    description: 'observes nothing',
    schedule: 'every 1 hours',
    timeZone: 'Europe/Paris',
    periodMinutes: 60,
    retryCount: 0,
    timeoutSeconds: 60,
    secrets: [],
    load: async () => ({ run: async () => undefined }),
  };
  const run = (iso: string) => executeRun(idleJob, { trigger: 'test', now: new Date(iso) });

  beforeEach(async () => {
    db = await freshProject();
  });
  afterAll(closeFirebase);

  it('keeps the last valid value of a rejected field, applies the rest, raises a system alert naming the field, and clears it once fixed', async () => {
    const settings = db.collection('monitoring_config').doc('settings');
    await settings.set({
      routing: { warning: ['email', 'slack'] },
      recipients: { emails: ['ops@example.com'] },
      rules: { monitor_check_failed: { consecutiveRuns: 2 } },
    });
    const valid = await run('2026-11-20T08:00:00Z');
    expect(valid.config).toEqual({ source: 'override', problems: [] });

    await replaceDoc(settings, {
      routing: { warning: ['email', 'slack'] },
      recipients: { emails: ['ops@example.com', 'new@example.com'] },
      rules: { monitor_check_failed: { consecutiveRuns: 'five' } },
    });
    const rejected = await run('2026-11-20T09:00:00Z');
    expect(rejected.config.source).toBe('override-with-fallbacks');
    expect(rejected.config.problems).toEqual(['rules.monitor_check_failed.consecutiveRuns: Invalid input: expected number, received string']);

    const [alert] = await allDocs<AlertDoc>(db, 'system_alerts');
    expect(alert).toMatchObject({ ruleId: 'config_invalid', severity: 'warning', resolved: false });
    expect(alert.message).toContain('rules.monitor_check_failed.consecutiveRuns');
    expect(alert.message).toMatch(
      /Still using the last valid value of rules\.monitor_check_failed\.consecutiveRuns \(saved .*\); every other field of the document applies/,
    );
    // The rest of the document applies: the new recipient list routes the alert itself.
    expect(servers.current.smtp.mails).toHaveLength(1);
    expect(servers.current.smtp.mails[0].to).toEqual(['ops@example.com', 'new@example.com']);
    expect(servers.current.slack.messages).toHaveLength(1);
    const lastValid = (await db.collection('monitoring_config').doc('last_valid').get()).data() as { settings: Record<string, unknown> };
    expect(lastValid.settings.rules).toEqual({ monitor_check_failed: { consecutiveRuns: 2 } });

    await replaceDoc(settings, { routing: { warning: ['slack'] } });
    const fixed = await run('2026-11-20T10:00:00Z');
    expect(fixed.config).toEqual({ source: 'override', problems: [] });
    expect((await allDocs<AlertDoc>(db, 'system_alerts'))[0]).toMatchObject({ resolved: true, resolvedBy: 'system' });
  });

  it('falls back to the default of a field that never had a valid value', async () => {
    await db
      .collection('monitoring_config')
      .doc('settings')
      .set({ notifications: { maxAttempts: 0 } });
    const result = await run('2026-11-20T08:00:00Z');
    expect(result.config.source).toBe('override-with-fallbacks');
    expect(result.config.problems[0]).toMatch(/^notifications\.maxAttempts: Too small/);
    const [alert] = await allDocs<AlertDoc>(db, 'system_alerts');
    expect(alert.message).toMatch(/Still using the default of notifications\.maxAttempts; every other field/);
  });

  it('a bad first settings document loses no message: a delivery skipped for missing recipients is sent once they are configured', async () => {
    const breaching: JobDefinition = {
      ...idleJob,
      name: 'breaching',
      load: async () => ({ run: async (ctx) => void ctx.observe({ ruleId: 'monitor_check_failed', key: 'breaching/probe', value: 1 }) }),
    };
    const at = (iso: string) => ({ trigger: 'test' as const, now: new Date(iso), clock: () => new Date(iso) });
    const settings = db.collection('monitoring_config').doc('settings');
    // No valid email recipient anywhere (no ALERT_EMAIL_TO, a typo in the only address).
    // One message per alert (grouping none), to follow each alert's own delivery.
    await settings.set({ routing: { warning: ['email', 'slack'] }, recipients: { emails: ['ops@example'] }, grouping: { by: 'none' } });
    const first = await executeRun(breaching, at('2026-11-20T08:00:00Z'));
    expect(first.config.problems).toEqual([expect.stringMatching(/^recipients\.emails\.0: /)]);
    expect(first.deliveries.filter((item) => item.channel === 'email').map((item) => item.status)).toEqual(['skipped', 'skipped']);
    expect(servers.current.smtp.mails).toHaveLength(0);

    await replaceDoc(settings, { routing: { warning: ['email', 'slack'] }, recipients: { emails: ['ops@example.com'] }, grouping: { by: 'none' } });
    const fixed = await executeRun(breaching, at('2026-11-20T08:30:00Z'));
    expect(fixed.config.problems).toEqual([]);
    const opened = fixed.deliveries.filter((item) => item.channel === 'email');
    // Both skipped "opened" emails go out at the start of the run, once recipients exist; the
    // configuration alert then resolves in this run and its "resolved" follows on the same channels.
    expect(opened.map((item) => [item.alertId.split('-n')[0].split('~')[0], item.event, item.status]).sort()).toEqual([
      ['config_invalid', 'opened', 'sent'],
      ['config_invalid', 'resolved', 'sent'],
      ['monitor_check_failed', 'opened', 'sent'],
    ]);
    expect(servers.current.smtp.mails.map((mail) => mail.to)).toEqual([['ops@example.com'], ['ops@example.com'], ['ops@example.com']]);
    const again = await executeRun(breaching, at('2026-11-20T09:30:00Z'));
    expect(again.deliveries.filter((item) => item.channel === 'email' && item.status === 'sent')).toHaveLength(0);
    expect(servers.current.smtp.mails).toHaveLength(3);
  });
});
