/**
 * The alert lifecycle as a table of transitions (alerts/lifecycle.ts): pure decisions, no emulator.
 * Each row: what is recorded, what this run measured, the silence in force and the clock; the
 * expected action, messages and the fields that matter.
 */
import { Timestamp } from 'firebase-admin/firestore';
import { evaluate } from '../src/alerts/evaluate';
import { decide, decideFollowUp, type Decision, type LifecycleInput } from '../src/alerts/lifecycle';
import type { AlertDoc, AlertState } from '../src/alerts/model';
import type { ActiveSilence } from '../src/alerts/silences';
import { defaultConfig } from '../src/config/schema';
import type { RuleDefinition } from '../src/rules';
import { testRules } from '../dev/scriptedJob';

const rule = testRules[0];
const T = (iso: string) => Timestamp.fromDate(new Date(`2026-11-20T${iso}:00Z`));
const ms = (iso: string) => T(iso).toMillis();

function config() {
  const value = defaultConfig([...testRules]);
  value.rules.test_failures.escalations = [{ threshold: 10, severity: 'critical' }];
  value.notifications.repeatIntervalMinutes = { warning: 60, critical: 0, emergency: 0 };
  value.escalation.enabled = true;
  return value;
}

const silence: ActiveSilence = {
  id: 'deploy',
  reason: 'deploy',
  startsAt: T('07:00'),
  endsAt: T('12:00'),
  createdBy: 'ops',
  createdAt: T('06:00'),
};

/** The alert an "opened" decision creates, with later field updates applied (dotted paths too). */
function alertAfter(decision: Decision, ...updates: Array<Record<string, unknown>>): AlertDoc {
  if (decision.alert?.kind !== 'create') throw new Error('not an opening decision');
  const copy = (value: unknown): unknown =>
    value && typeof value === 'object' && !(value instanceof Timestamp)
      ? Array.isArray(value)
        ? value.map(copy)
        : Object.fromEntries(Object.entries(value).map(([key, item]) => [key, copy(item)]))
      : value;
  const alert = copy(decision.alert.alert) as Record<string, unknown>;
  for (const fields of updates) {
    for (const [path, value] of Object.entries(fields)) {
      const parts = path.split('.');
      let target = alert;
      for (const part of parts.slice(0, -1)) target = (target[part] ??= {}) as Record<string, unknown>;
      target[parts[parts.length - 1]] = value;
    }
  }
  return alert as unknown as AlertDoc;
}

function input(value: number | null, at: string, overrides: Partial<LifecycleInput> = {}, configure = config()): LifecycleInput {
  return {
    evaluation: evaluate({ ruleId: rule.id, value }, configure, 'docs/runbook.md', rule),
    state: null,
    alert: null,
    silence: null,
    settings: configure,
    tickMs: ms(at),
    now: T(at),
    runId: `run-${at}`,
    job: 'scripted',
    ...overrides,
  };
}

const state = (overrides: Partial<AlertState> = {}): AlertState => ({
  ruleId: rule.id,
  key: null,
  collection: 'payment_alerts',
  streak: 1,
  lastTickMs: ms('08:00'),
  lastJob: 'scripted',
  openAlertId: 'test_failures-n1',
  incidentSeq: 1,
  lastValue: 5,
  updatedAt: T('08:00'),
  ...overrides,
});

// Alerts as recorded after an 08:00 run: told at once, or opened under a silence.
const opened = decide(input(5, '08:00'));
const told = alertAfter(opened, { notifiedChannels: ['slack'] });
const untold = alertAfter(decide(input(5, '08:00', { silence })));
const acknowledged = alertAfter(opened, { acknowledged: true, notifiedChannels: ['slack'] });
const roseUnderSilence = alertAfter(opened, { severity: 'critical', severitySince: T('09:00'), awaitingNotice: true });

describe('decide: one evaluation against what is recorded', () => {
  const rows: Array<[string, LifecycleInput, { action: string; events: string[]; channels?: string[]; fields?: Record<string, unknown>; note?: RegExp }]> = [
    ['new breach: opens and tells the warning channels', input(5, '08:00'), { action: 'opened', events: ['opened'], channels: ['slack'] }],
    [
      'new breach under a silence: opens, tells nobody, waits',
      input(5, '08:00', { silence }),
      { action: 'opened', events: [], note: /muted by silence deploy/ },
    ],
    ['still breaching 30 min later: updated, no message', input(5, '08:30', { state: state(), alert: told }), { action: 'updated', events: [] }],
    [
      'still breaching after the repeat interval: repeated',
      input(5, '09:00', { state: state(), alert: told }),
      { action: 'updated', events: ['repeat-20261120T090000000Z'] },
    ],
    [
      'opened under a silence, silence over: the deferred first message',
      input(5, '12:00', { state: state(), alert: untold }),
      { action: 'updated', events: ['opened'], fields: { notifiedSeverity: 'warning', notifiedSeverityAt: T('12:00'), awaitingNotice: false } },
    ],
    [
      'opened under a silence, silence still on: nothing, still waiting',
      input(5, '09:00', { state: state(), alert: untold, silence }),
      { action: 'updated', events: [], fields: { awaitingNotice: true, silencedBy: 'deploy' } },
    ],
    [
      'never told, 2 h later: no repeat before the first message',
      input(5, '10:00', { state: state(), alert: untold, silence }),
      { action: 'updated', events: [] },
    ],
    [
      'severity rises: escalated at the channels of the new severity',
      input(12, '09:00', { state: state(), alert: told }),
      {
        action: 'updated',
        events: ['escalated-critical-20261120T090000000Z'],
        channels: ['email', 'slack'],
        fields: { severity: 'critical', notifiedSeverity: 'critical', severitySince: T('09:00') },
      },
    ],
    [
      'severity rises under a silence: not told, waits for the end',
      input(12, '09:00', { state: state(), alert: told, silence }),
      { action: 'updated', events: [], fields: { severity: 'critical', awaitingNotice: true } },
    ],
    [
      'rose under a silence, silence over: escalated once',
      input(12, '12:00', { state: state(), alert: roseUnderSilence }),
      { action: 'updated', events: ['escalated-critical-20261120T120000000Z'] },
    ],
    ['acknowledged, repeat due: quiet', input(5, '10:00', { state: state(), alert: acknowledged }), { action: 'updated', events: [], note: /acknowledged/ }],
    [
      'acknowledged, severity rises: escalated',
      input(12, '10:00', { state: state(), alert: acknowledged }),
      { action: 'updated', events: ['escalated-critical-20261120T100000000Z'] },
    ],
    [
      'recovered: resolved, told to the channels that were told',
      input(1, '09:00', { state: state(), alert: told }),
      { action: 'resolved', events: ['resolved'], channels: ['slack'], fields: { resolved: true, resolvedBy: 'system' } },
    ],
    ['recovered under a silence: resolved quietly', input(1, '09:00', { state: state(), alert: told, silence }), { action: 'resolved', events: [] }],
    ['recovered, never told: resolved quietly', input(1, '09:00', { state: state(), alert: untold }), { action: 'resolved', events: [] }],
    ['not measured: left alone', input(null, '09:00', { state: state(), alert: told }), { action: 'unchanged', events: [] }],
    ['a later run already applied: skipped', input(5, '07:00', { state: state(), alert: told }), { action: 'skipped', events: [], note: /later run/ }],
    ['same tick again: skipped', input(5, '08:00', { state: state(), alert: told }), { action: 'skipped', events: [], note: /already applied/ }],
  ];
  it.each(rows)('%s', (_name, given, expected) => {
    const decision = decide(given);
    expect(decision.action).toBe(expected.action);
    expect(decision.messages.map((item) => item.event)).toEqual(expected.events);
    if (expected.channels) expect(decision.messages[0].channels).toEqual(expected.channels);
    if (expected.note) expect(decision.note).toMatch(expected.note);
    if (expected.fields) {
      const written = decision.alert?.kind === 'update' ? decision.alert.fields : decision.alert?.kind === 'create' ? decision.alert.alert : {};
      expect(written).toMatchObject(expected.fields);
    }
  });

  it('opens only after consecutiveRuns breaching runs', () => {
    const configure = config();
    configure.rules.test_failures.consecutiveRuns = 2;
    const first = decide(input(5, '08:00', {}, configure));
    expect(first).toMatchObject({ action: 'pending', state: { streak: 1, openAlertId: null }, alert: null, messages: [] });
    const second = decide(input(5, '09:00', { state: state({ streak: 1, openAlertId: null, incidentSeq: 0 }) }, configure));
    expect(second).toMatchObject({ action: 'opened', alertId: 'test_failures-n1', state: { streak: 2, incidentSeq: 1 } });
  });

  it('opens incident n+1 after a resolved one', () => {
    const decision = decide(input(5, '10:00', { state: state({ openAlertId: null, streak: 0, incidentSeq: 3 }) }));
    expect(decision).toMatchObject({ action: 'opened', alertId: 'test_failures-n4' });
  });
});

describe('decideFollowUp: what any run does about an open alert', () => {
  const settings = config();
  const critical = alertAfter(
    decide(
      input(
        5,
        '08:00',
        {},
        (() => {
          const c = config();
          c.rules.test_failures.severity = 'critical';
          return c;
        })(),
      ),
    ),
  );
  const criticalUntold = alertAfter(
    decide(
      input(
        5,
        '08:00',
        { silence },
        (() => {
          const c = config();
          c.rules.test_failures.severity = 'critical';
          return c;
        })(),
      ),
    ),
  );
  // The deferred first message went out at 12:05 (the watchdog's first run after the silence).
  const criticalToldLate = {
    ...criticalUntold,
    notifiedSeverity: 'critical',
    notifiedSeverityAt: T('12:05'),
    lastNotifiedAt: T('12:05'),
    awaitingNotice: false,
  } as AlertDoc;
  const follow = (alert: AlertDoc, at: string, silenced = false) =>
    decideFollowUp({ alert, rule: rule as RuleDefinition, silence: silenced ? silence : null, settings, now: T(at) });

  const rows: Array<[string, AlertDoc, string, boolean, { kind: string; events: string[]; channels?: string[] } | null]> = [
    ['opened under a silence, still on: nothing', criticalUntold, '11:00', true, null],
    [
      'opened under a silence, first run after it: the deferred first message',
      criticalUntold,
      '12:05',
      false,
      { kind: 'deferred-first', events: ['opened'], channels: ['email', 'slack'] },
    ],
    ['told at 08:00, 119 min later: nothing yet', critical, '09:59', false, null],
    [
      'told at 08:00, 120 min later: reminder at the emergency channels',
      critical,
      '10:00',
      false,
      { kind: 'unacknowledged', events: ['unacknowledged-critical'], channels: ['email', 'slack', 'sms'] },
    ],
    ['opened 08:00 under a silence, told 12:05: no reminder at 12:20 (the delay counts from the first message)', criticalToldLate, '12:20', false, null],
    [
      'opened 08:00 under a silence, told 12:05: reminder at 14:05',
      criticalToldLate,
      '14:05',
      false,
      { kind: 'unacknowledged', events: ['unacknowledged-critical'] },
    ],
    ['reminder due but a silence is on: nothing', critical, '10:00', true, null],
    ['acknowledged: nothing', { ...critical, acknowledged: true }, '12:00', false, null],
    ['already reminded at this severity: nothing', { ...critical, unacknowledgedNotified: { critical: T('10:00') } }, '13:00', false, null],
    ['warnings are never reminded', told, '20:00', false, null],
    [
      'rose to critical under a silence: escalated after it',
      roseUnderSilence,
      '12:05',
      false,
      { kind: 'deferred-escalation', events: ['escalated-critical-20261120T120500000Z'] },
    ],
    ['resolved: nothing', { ...criticalUntold, resolved: true }, '12:05', false, null],
  ];
  it.each(rows)('%s', (_name, alert, at, silenced, expected) => {
    const result = follow(alert, at, silenced);
    if (expected === null) {
      expect(result).toBeNull();
      return;
    }
    expect(result?.kind).toBe(expected.kind);
    expect(result?.messages.map((item) => item.event)).toEqual(expected.events);
    if (expected.channels) expect(result?.messages[0].channels).toEqual(expected.channels);
  });

  it('the deferred first message records the told severity, so no reminder follows in the same run', () => {
    const result = follow(criticalUntold, '12:05')!;
    expect(result.fields).toMatchObject({ notifiedSeverity: 'critical', notifiedSeverityAt: T('12:05'), awaitingNotice: false, silencedBy: null });
    const after = { ...criticalUntold, ...result.fields } as AlertDoc;
    expect(follow(after, '12:05')).toBeNull();
    expect(follow(after, '14:04')).toBeNull();
    expect(follow(after, '14:05')?.kind).toBe('unacknowledged');
  });
});
