/**
 * Inhibition as pure decisions: the matcher (alerts/inhibit.ts) as a table, the ranks that decide
 * sources before targets, the configuration's validation, and the lifecycle of an inhibited alert
 * (alerts/lifecycle.ts): recorded, not notified, told once the source resolves.
 */
import { Timestamp } from 'firebase-admin/firestore';
import { evaluate } from '../src/alerts/evaluate';
import { inhibitionCycle, inhibitionRanks, inhibitorFor, inhibits, InhibitionView, type AlertLabels } from '../src/alerts/inhibit';
import { decide, decideFollowUp, type LifecycleInput } from '../src/alerts/lifecycle';
import type { AlertDoc } from '../src/alerts/model';
import { defaultConfig, resolveConfig } from '../src/config/schema';
import { DEFAULT_INHIBITIONS, inhibitionOrder, type InhibitionRule } from '../src/rules';
import { denseInhibitions } from '../dev/bench/validation';
import { testRules } from '../dev/scriptedJob';

const alert = (ruleId: string, key: string | null = null, id = `${ruleId}${key ? `~${key}` : ''}-n1`): AlertLabels => ({
  id,
  ruleId,
  key,
  domain: ruleId.startsWith('job') || ruleId === 'monitor_check_failed' ? 'system' : 'payment',
  category: 'c',
});

describe('the matcher: does this open source mute this target?', () => {
  const rules = DEFAULT_INHIBITIONS;
  it.each<[string, AlertLabels, AlertLabels, boolean]>([
    ['Twilio reporting failures mutes the app-side count', alert('twilio_failed_calls'), alert('failed_calls'), true],
    ['not the other way round', alert('failed_calls'), alert('twilio_failed_calls'), false],
    ['a failing job mutes the same job not running', alert('job_failing', 'payment'), alert('job_not_running', 'payment'), true],
    ['not another job (key must be equal)', alert('job_failing', 'payment'), alert('job_not_running', 'system'), false],
    ['job not running never mutes job failing', alert('job_not_running', 'payment'), alert('job_failing', 'payment'), false],
    ['failing Stripe payments mute a failing Stripe check', alert('stripe_payment_failures'), alert('monitor_check_failed', 'payment/stripe-payments'), true],
    ['but not a failing check of another vendor', alert('stripe_payment_failures'), alert('monitor_check_failed', 'payment/twilio-calls'), false],
    ['failing calls mute a failing Twilio balance check', alert('failed_calls'), alert('monitor_check_failed', 'balances/twilio-balance'), true],
    ['a failing check never mutes the payment alert', alert('monitor_check_failed', 'payment/stripe-payments'), alert('stripe_payment_failures'), false],
    ['an alert never mutes itself', alert('failed_calls'), alert('failed_calls'), false],
  ])('%s', (_name, source, target, expected) => {
    expect(rules.some((rule) => inhibits(rule, source, target))).toBe(expected);
    expect(inhibitorFor(target, [source], rules)?.id ?? null).toBe(expected ? source.id : null);
  });

  it('source keys restrict the source; equal compares any listed field', () => {
    const rule: InhibitionRule = { source: 'a', sourceKeys: ['x'], targets: ['b'], equal: ['domain'], reason: '' };
    expect(inhibits(rule, { ...alert('a', 'x') }, alert('b'))).toBe(true);
    expect(inhibits(rule, { ...alert('a', 'y') }, alert('b'))).toBe(false);
    expect(inhibits(rule, { ...alert('a', 'x'), domain: 'system' }, alert('b'))).toBe(false);
  });

  it('of several open sources, the smallest id is named', () => {
    const sources = [alert('job_failing', 'payment', 'z'), alert('job_failing', 'payment', 'a')];
    expect(inhibitorFor(alert('job_not_running', 'payment'), sources, DEFAULT_INHIBITIONS)?.id).toBe('a');
  });

  it("the view follows the run's own decisions: a resolved source stops muting", () => {
    const view = new InhibitionView(DEFAULT_INHIBITIONS);
    const target = alert('failed_calls');
    expect(view.inhibitorFor(target)).toBeNull();
    view.note(alert('twilio_failed_calls'), true);
    expect(view.inhibitorFor(target)?.ruleId).toBe('twilio_failed_calls');
    view.note(alert('twilio_failed_calls'), false);
    expect(view.inhibitorFor(target)).toBeNull();
  });
});

describe('ranks: sources are decided before their targets', () => {
  it('a chain orders every link; a cycle is refused', () => {
    const ranks = inhibitionRanks([
      { source: 'a', targets: ['b'], equal: [], reason: '' },
      { source: 'b', targets: ['c'], equal: [], reason: '' },
    ]);
    expect([ranks.get('a'), ranks.get('b'), ranks.get('c')]).toEqual([0, 1, 2]);
    expect(() =>
      inhibitionRanks([
        { source: 'a', targets: ['b'], equal: [], reason: '' },
        { source: 'b', targets: ['a'], equal: [], reason: '' },
      ]),
    ).toThrow(/cycle/);
    expect(inhibitionRanks(DEFAULT_INHIBITIONS).get('monitor_check_failed')).toBe(2);
  });

  it.each([
    [
      'a chain',
      [
        ['a', ['b']],
        ['b', ['c']],
      ],
      { a: 0, b: 1, c: 2 },
    ],
    [
      'the longest chain decides',
      [
        ['a', ['b', 'd']],
        ['b', ['c']],
        ['c', ['d']],
      ],
      { a: 0, b: 1, c: 2, d: 3 },
    ],
    [
      'duplicate edges count once',
      [
        ['a', ['b', 'b']],
        ['a', ['b']],
      ],
      { a: 0, b: 1 },
    ],
    [
      'a two-rule cycle',
      [
        ['a', ['b']],
        ['b', ['a']],
      ],
      ['a', 'b'],
    ],
    [
      'a cycle behind a chain',
      [
        ['x', ['a']],
        ['a', ['b']],
        ['b', ['c']],
        ['c', ['a']],
      ],
      ['a', 'b', 'c'],
    ],
  ] as const)('inhibitionOrder: %s', (_name, edges, expected) => {
    const order = inhibitionOrder(edges.map(([source, targets]) => ({ source, targets: [...targets] })));
    if (Array.isArray(expected)) expect('cycle' in order && [...order.cycle].sort()).toEqual(expected);
    else expect('ranks' in order && Object.fromEntries(order.ranks)).toEqual(expected);
  });

  it('validation at the schema limit (100 entries muting up to 50 rules each, a dense graph) accepts the graph and refuses a cycle', () => {
    // The check used to walk every path (2^n on this graph): 24 entries took minutes.
    expect(resolveConfig({ inhibition: { rules: denseInhibitions(100) } }).problems).toEqual([]);
    expect(resolveConfig({ inhibition: { rules: denseInhibitions(24) } }).problems).toEqual([]);
    expect(resolveConfig({ inhibition: { rules: denseInhibitions(100, true) } }).problems).toEqual([
      'inhibition.rules: inhibition rules must not form a cycle (A mutes B, B mutes A)',
    ]);
    expect(inhibitionCycle(denseInhibitions(100, true))).toMatch(/^inhibition rules form a cycle: (\w+ -> )+\w+$/);
  });
});

describe('configuration', () => {
  it('defaults: on, with the declared list', () => {
    expect(defaultConfig().inhibition).toEqual({ enabled: true, rules: [...DEFAULT_INHIBITIONS] });
  });

  it('an override replaces the list; a bad list names the field and keeps the defaults', () => {
    const own = [{ source: 'job_failing', targets: ['job_not_running'], equal: ['key'] }];
    expect(resolveConfig({ inhibition: { rules: own } }).config.inhibition.rules).toEqual(own);
    expect(resolveConfig({ inhibition: { enabled: false } }).config.inhibition).toEqual({ enabled: false, rules: [...DEFAULT_INHIBITIONS] });
    const bad = resolveConfig({ inhibition: { rules: [{ source: 'nope', targets: ['job_not_running'], equal: ['key'] }] } });
    expect(bad.problems).toEqual(['inhibition.rules.0.source: unknown rule "nope"']);
    expect(bad.config.inhibition.rules).toEqual([...DEFAULT_INHIBITIONS]);
    expect(resolveConfig({ inhibition: { rules: [{ source: 'job_failing', targets: ['job_failing'], equal: [] }] } }).problems).toEqual([
      'inhibition.rules.0.targets: a rule cannot inhibit itself (source is among targets)',
    ]);
    const cycle = [
      { source: 'job_failing', targets: ['job_not_running'], equal: [] },
      { source: 'job_not_running', targets: ['job_failing'], equal: [] },
    ];
    expect(resolveConfig({ inhibition: { rules: cycle } }).problems).toEqual([
      'inhibition.rules: inhibition rules must not form a cycle (A mutes B, B mutes A)',
    ]);
    expect(resolveConfig({ inhibition: { rules: [{ source: 'job_failing', targets: ['job_not_running'], equal: ['colour'] }] } }).problems[0]).toMatch(
      /^inhibition\.rules\.0\.equal\.0: /,
    );
  });
});

describe('lifecycle of an inhibited alert', () => {
  const rule = testRules[0];
  const T = (hhmm: string) => Timestamp.fromDate(new Date(`2026-11-20T${hhmm}:00Z`));
  const settings = defaultConfig([...testRules]);
  const base = (value: number, at: string, overrides: Partial<LifecycleInput> = {}): LifecycleInput => ({
    evaluation: evaluate({ ruleId: rule.id, value }, settings, 'docs/runbook.md', rule),
    state: null,
    alert: null,
    silence: null,
    settings,
    tickMs: T(at).toMillis(),
    now: T(at),
    runId: `run-${at}`,
    job: 'scripted',
    ...overrides,
  });
  const source = { id: 'twilio_failed_calls-n1' };

  it('opens recorded and visible, without a message, naming its source', () => {
    const decision = decide(base(5, '08:00', { inhibitor: source }));
    expect(decision.action).toBe('opened');
    expect(decision.messages).toEqual([]);
    expect(decision.note).toBe('notifications inhibited by open alert twilio_failed_calls-n1');
    const created = decision.alert?.kind === 'create' ? decision.alert.alert : null;
    expect(created).toMatchObject({ inhibitedBy: 'twilio_failed_calls-n1', awaitingNotice: true, notifiedSeverity: null, lastNotifiedAt: null });
  });

  it('without an inhibitor it opens and notifies as before (no inhibitedBy field)', () => {
    const decision = decide(base(5, '08:00'));
    expect(decision.messages.map((message) => message.event)).toEqual(['opened']);
    expect(decision.alert?.kind === 'create' && 'inhibitedBy' in decision.alert.alert).toBe(false);
  });

  const opened = (): AlertDoc => {
    const decision = decide(base(5, '08:00', { inhibitor: source }));
    return (decision.alert as { alert: AlertDoc }).alert;
  };
  const stateOf = (doc: AlertDoc) => ({
    ruleId: rule.id,
    key: null,
    collection: 'payment_alerts',
    streak: 1,
    lastTickMs: T('08:00').toMillis(),
    lastJob: 'scripted',
    openAlertId: doc.id,
    incidentSeq: 1,
    lastValue: 5,
    updatedAt: T('08:00'),
  });

  it.each<[string, { id: string } | null, string[], Record<string, unknown>]>([
    ['still inhibited: still silent, still naming the source', source, [], { inhibitedBy: source.id, awaitingNotice: true }],
    ['source resolved: the first message goes out now', null, ['opened'], { inhibitedBy: null, notifiedSeverity: 'warning' }],
  ])('next run of its own job, %s', (_name, inhibitor, events, fields) => {
    const doc = opened();
    const decision = decide(base(5, '09:00', { alert: doc, state: stateOf(doc), inhibitor }));
    expect(decision.messages.map((message) => message.event)).toEqual(events);
    expect(decision.alert?.kind === 'update' ? decision.alert.fields : {}).toMatchObject(fields);
  });

  it.each<[string, { id: string } | null, string | null]>([
    ['any run while the source is open: nothing', source, null],
    ['any run once the source resolved: the deferred first message', null, 'deferred-first'],
  ])('%s', (_name, inhibitor, kind) => {
    const followUp = decideFollowUp({ alert: opened(), rule: null, silence: null, inhibitor, settings, now: T('09:00') });
    expect(followUp?.kind ?? null).toBe(kind);
    if (followUp) expect(followUp.fields).toMatchObject({ inhibitedBy: null, awaitingNotice: false });
  });

  it('the resolution of an inhibited alert nobody was told about sends nothing', () => {
    const doc = opened();
    const decision = decide(base(0, '09:00', { alert: doc, state: stateOf(doc), inhibitor: source }));
    expect(decision.action).toBe('resolved');
    expect(decision.messages).toEqual([]);
  });
});
