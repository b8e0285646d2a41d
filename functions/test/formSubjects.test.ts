/**
 * No blinding: junk form names written by anonymous visitors cannot push a real form out of the
 * form_error_rate check; the check evaluates the forms with the most errors and a warning says the
 * cap was exceeded. Client-written names are re-validated (never rendered raw), an allowlist of known
 * forms makes the choice immune to junk, and the volume of client writes is in the metrics.
 */
import type { Firestore } from 'firebase-admin/firestore';
import { analyticsEvent, formError, seedFunctional, times } from '../dev/scenario/functional';
import { minutesAgo } from '../dev/scenario/types';
import type { AlertDoc } from '../src/alerts/model';
import { INVALID_FORM_SUBJECT } from '../src/config/subjects';
import { resolveConfig } from '../src/config/schema';
import { rankSubjects } from '../src/monitors/functional/subjects';
import { volumeFigures } from '../src/monitors/functional/volume';
import { runJob } from '../src/pipeline/run';
import { allDocs, closeFirebase, freshProject } from './support/firebase';
import { useLocalServers } from './support/servers';

const servers = useLocalServers();
let db: Firestore;

beforeEach(async () => {
  db = await freshProject();
});
afterAll(closeFirebase);

const NOW = new Date('2026-11-20T12:00:00Z');
const ago = (minutes: number) => minutesAgo(NOW, minutes);
const run = (now = NOW) => runJob('functional', { trigger: 'test', now, options: { check: 'all' } });
const alerts = () => allDocs<AlertDoc>(db, 'functional_alerts');
const setConfig = (override: Record<string, unknown>) => db.collection('monitoring_config').doc('settings').set(override);

/** 12 junk names that sort before the real form, one error each, newer than the real form's errors; two hostile names. */
async function seedJunkAndRealForm(): Promise<void> {
  await seedFunctional(db, {
    analytics_events: times(20, (i) => analyticsEvent('form_submit', ago(60 + i), { formName: 'zz_checkout' })),
    form_errors: [
      ...times(8, (i) => formError('zz_checkout', ago(60 + i))),
      ...times(12, (i) => formError(`aa_junk_${String(i).padStart(2, '0')}`, ago(10 + i))),
      formError('<!channel> <https://evil.example|Open runbook>', ago(5)),
      formError('<!channel> <https://evil.example|Open runbook>', ago(6)),
    ],
  });
}

describe('blinding with junk form names', () => {
  it('cap 5, 12 junk names and one real form at 40 %: the real alert and the cap warning, hostile names never rendered', async () => {
    await setConfig({ rules: { form_error_rate: { params: { maxForms: 5 } } } });
    await seedJunkAndRealForm();
    const result = await run();

    const formAlerts = (await alerts()).filter((alert) => alert.ruleId === 'form_error_rate');
    expect(formAlerts).toEqual([expect.objectContaining({ key: 'zz_checkout', value: 40, resolved: false })]);
    const [capped] = (await alerts()).filter((alert) => alert.ruleId === 'form_subjects_capped');
    expect(capped).toMatchObject({ severity: 'warning', value: 8, resolved: false });
    // 13 valid names seen (the distinct-name walk stopped at 10: "at least"), 5 evaluated, 8 left out.
    expect(capped.message).toBe(
      'at least 13 form names had errors in the last 24 h; form_error_rate evaluated the 5 with the most errors (maxForms 5) and left 8 out. The evaluated forms hold 12 of the 22 form errors of the window.',
    );

    // The hostile name is counted under a placeholder, never a key, title or message.
    const [metrics] = await allDocs<{ metrics: { form_errors: Record<string, unknown> } }>(db, 'functional_metrics');
    expect(metrics.metrics.form_errors).toMatchObject({ formsTruncated: true, formsSeen: 13, errorsTotal: 22, invalidNames: { names: 1, errors: 2 } });
    expect((metrics.metrics.form_errors.forms as Record<string, unknown>)[INVALID_FORM_SUBJECT]).toEqual({ names: 1, errors: 2 });
    expect(result.evaluations.filter((item) => item.ruleId === 'form_error_rate').map((item) => item.key)).not.toContain(expect.stringContaining('<'));
    expect(JSON.stringify(await alerts())).not.toContain('evil.example');
    const slack = JSON.stringify(servers.current.slack.messages);
    expect(servers.current.slack.messages.length).toBeGreaterThanOrEqual(2);
    expect(slack).not.toContain('<!channel>');
  });

  it('under the cap: no warning; an open warning resolves once the cap covers every form', async () => {
    await setConfig({ rules: { form_error_rate: { params: { maxForms: 5 } } } });
    await seedJunkAndRealForm();
    await run();
    expect((await alerts()).filter((alert) => alert.ruleId === 'form_subjects_capped' && !alert.resolved)).toHaveLength(1);

    await setConfig({ rules: { form_error_rate: { params: { maxForms: 20 } } } });
    await run(new Date(NOW.getTime() + 3_600_000));
    expect((await alerts()).filter((alert) => alert.ruleId === 'form_subjects_capped').map((alert) => alert.resolved)).toEqual([true]);
    expect((await alerts()).filter((alert) => alert.ruleId === 'form_error_rate' && !alert.resolved).map((alert) => alert.key)).toEqual(['zz_checkout']);
  });

  it('with an allowlist: exactly the known forms are evaluated, the rest is counted in bulk, no cap warning', async () => {
    await setConfig({ rules: { form_error_rate: { params: { maxForms: 5 } } }, forms: { allowlist: ['zz_checkout', 'contact_form'] } });
    await seedJunkAndRealForm();
    const result = await run();
    const keys = result.evaluations
      .filter((item) => item.ruleId === 'form_error_rate')
      .map((item) => item.key)
      .sort();
    expect(keys).toEqual(['contact_form', 'zz_checkout']);
    expect((await alerts()).filter((alert) => alert.ruleId.startsWith('form_')).map((alert) => [alert.ruleId, alert.key])).toEqual([
      ['form_error_rate', 'zz_checkout'],
    ]);
    const [metrics] = await allDocs<{ metrics: { form_errors: Record<string, unknown> } }>(db, 'functional_metrics');
    expect(metrics.metrics.form_errors).toMatchObject({ errorsTotal: 22, unlistedErrors: 14, formsTruncated: false });
  });

  it('the allowlist accepts only safe form names', () => {
    expect(resolveConfig({ forms: { allowlist: ['contact_form', 'signup/step-2'] } }).problems).toEqual([]);
    expect(resolveConfig({ forms: { allowlist: ['<!channel>'] } }).problems).toEqual([expect.stringMatching(/^forms\.allowlist\.0: must be a form name/)]);
    expect(resolveConfig({ forms: { allowlist: ['a', 'a'] } }).problems).toEqual([expect.stringMatching(/must not repeat/)]);
  });
});

describe('rankSubjects', () => {
  it.each([
    ['top by errors, not by name', { a: 1, b: 9, c: 5, d: 7 }, 2, [], ['b', 'd'], ['c', 'a']],
    ['ties broken by name', { b: 3, a: 3, c: 3 }, 2, [], ['a', 'b'], ['c']],
    ['open alerts always evaluated', { a: 9, b: 8, c: 0 }, 1, ['c'], ['a', 'c'], ['b']],
    ['unsafe names never enter', { '<!here>': 99, 'x y': 50, ok: 1 }, 5, ['<!channel>'], ['ok'], []],
    ['under the cap', { a: 1 }, 5, [], ['a'], []],
  ])('%s', (_name, counts, max, always, evaluate, skipped) => {
    expect(rankSubjects(new Map(Object.entries(counts)), max, always)).toEqual({ evaluate, skipped });
  });
});

describe('volume of client writes', () => {
  it.each([
    ['usual rate', 10, 1_670, { lastHour: 10, usualPerHour: 10, ratio: 1, flood: false }],
    ['flood: 50 times the usual rate', 500, 1_670, { lastHour: 500, usualPerHour: 10, ratio: 50, flood: true }],
    ['small absolute numbers are never a flood', 99, 0, { lastHour: 99, usualPerHour: 0, ratio: null, flood: false }],
    ['new site, first traffic burst', 150, 0, { lastHour: 150, usualPerHour: 0, ratio: null, flood: true }],
    ['ten times exactly is not above', 1_000, 16_700, { lastHour: 1_000, usualPerHour: 100, ratio: 10, flood: false }],
  ])('%s', (_name, lastHour, baseline, expected) => {
    expect(volumeFigures(lastHour, baseline)).toEqual(expected);
  });

  it('is recorded in functional_metrics', async () => {
    await seedFunctional(db, { form_errors: times(3, (i) => formError('contact_form', ago(5 + i))) });
    await run();
    const [metrics] = await allDocs<{ metrics: Record<string, Record<string, unknown>> }>(db, 'functional_metrics');
    expect(metrics.metrics.client_write_volume).toMatchObject({ form_errors: { lastHour: 3, flood: false }, analytics_events: { lastHour: 0 }, flood: false });
  });
});
