/** Threshold evaluation: pure logic. */
import { evaluate, stateIdFor } from '../src/alerts/evaluate';
import { defaultConfig } from '../src/config/schema';
import { defineRules, type RuleDefinition } from '../src/rules';

const base = {
  domain: 'functional',
  category: 'test',
  summary: 's',
  thresholdRange: { min: 0, max: 100 },
  source: 's',
  impact: 'i',
  suggestedAction: 'a',
  message: ({ value }: { value: number }) => `value ${value}`,
  runbook: { meaning: 'm', confirm: [], diagnose: [], fix: [], resolvedWhen: 'r' },
  fr: { title: 'Règle', impact: 'i fr', suggestedAction: 'a fr', message: ({ value }: { value: number }) => `valeur ${value}` },
} as const;
const [above, below] = defineRules(
  { ...base, id: 'above_rule', title: 'Above', unit: 'count', direction: 'above', threshold: 3, severity: 'critical' } satisfies RuleDefinition,
  {
    ...base,
    id: 'below_rule',
    title: 'Below',
    unit: 'percent',
    direction: 'below',
    threshold: 90,
    severity: 'warning',
    minSample: { default: 20, label: 'payments' },
  } satisfies RuleDefinition,
);
const config = defaultConfig([above, below]);
const run = (rule: RuleDefinition, value: number | null, sample?: number, key?: string) =>
  evaluate({ ruleId: rule.id, value, sample, key }, config, 'https://runbook', rule);

describe('evaluate', () => {
  it('fires strictly above an upper threshold', () => {
    expect(run(above, 3).status).toBe('ok');
    expect(run(above, 4)).toMatchObject({ status: 'breach', candidate: { severity: 'critical', value: 4, threshold: 3 } });
  });

  it('fires strictly below a lower threshold', () => {
    expect(run(below, 90, 50).status).toBe('ok');
    expect(run(below, 89.9, 50).status).toBe('breach');
  });

  it('does not decide a ratio below the minimum sample', () => {
    const result = run(below, 10, 19);
    expect(result.status).toBe('unknown');
    expect(result.reason).toBe('sample of 19 payments is below the minimum of 20');
    expect(run(below, 10, 20).status).toBe('breach');
  });

  it('escalates severity past additional thresholds', () => {
    const escalating = defaultConfig([above]);
    escalating.rules.above_rule.escalations = [{ threshold: 10, severity: 'emergency' }];
    const at = (value: number) => evaluate({ ruleId: 'above_rule', value }, escalating, '', above).candidate!.severity;
    expect([at(5), at(10), at(11)]).toEqual(['critical', 'critical', 'emergency']);
  });

  it('marks recovery only past the recovery threshold', () => {
    const hysteresis = defaultConfig([above]);
    hysteresis.rules.above_rule.recoveryThreshold = 1;
    const at = (value: number) => evaluate({ ruleId: 'above_rule', value }, hysteresis, '', above);
    expect(at(2)).toMatchObject({ status: 'ok', recovered: false });
    expect(at(1)).toMatchObject({ status: 'ok', recovered: true });
  });

  it('reports unmeasured values and disabled rules', () => {
    expect(run(above, null).status).toBe('unknown');
    const disabled = defaultConfig([above]);
    disabled.rules.above_rule.enabled = false;
    expect(evaluate({ ruleId: 'above_rule', value: 50 }, disabled, '', above).status).toBe('disabled');
  });

  it('gives keyed rules a stable, Firestore-safe state id and a titled candidate', () => {
    const result = run(above, 5, undefined, 'Signup / Step 2');
    expect(result.stateId).toBe(stateIdFor('above_rule', 'Signup / Step 2'));
    expect(result.stateId).toMatch(/^above_rule~signup_step_2-[0-9a-f]{8}$/);
    expect(result.candidate!.title).toBe('Above: Signup / Step 2');
    expect(result.candidate!.runbookUrl).toBe('https://runbook#rule-above_rule');
  });
});
