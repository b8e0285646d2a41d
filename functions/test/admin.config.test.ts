/**
 * Thresholds and configuration from the dashboard: the same validation as the jobs, merge-patch
 * semantics, a true replacement of the stored document, and jobs picking up the change.
 */
import type { Firestore } from 'firebase-admin/firestore';
import type { ThresholdsView } from '../src/admin/config';
import { mergePatch } from '../src/admin/config';
import { loadRuntimeConfig } from '../src/config/load';
import { defaultConfig, resolveConfig } from '../src/config/schema';
import { getThresholds, updateThresholds } from '../src/index';
import { Meter } from '../src/platform/firestore';
import { createLogger } from '../src/platform/logger';
import { RULES } from '../src/rules';
import { ADMIN, call, callError, expectCode, OTHER_ADMIN } from './support/admin';
import { closeFirebase, freshProject, replaceDoc } from './support/firebase';

let db: Firestore;

beforeEach(async () => {
  db = await freshProject();
});
afterAll(closeFirebase);

const settings = () => db.collection('monitoring_config').doc('settings');
const stored = async () => (await settings().get()).data();

describe('getThresholds', () => {
  it('shows the defaults and the rule catalogue when there is no override', async () => {
    const view = await call<ThresholdsView>(getThresholds, {});
    expect(view).toMatchObject({ override: {}, updatedAt: null, updatedBy: null, source: 'defaults', problems: [] });
    expect(view.effective).toEqual(defaultConfig());
    expect(view.rules.map((rule) => rule.id)).toEqual(RULES.map((rule) => rule.id));
    expect(view.rules.find((rule) => rule.id === 'config_invalid')).toMatchObject({
      domain: 'system',
      category: 'configuration',
      thresholdRange: { min: 0, max: 0 },
      defaults: { enabled: true, severity: 'warning', threshold: 0 },
    });
    // Titles in both languages of the dashboard (its thresholds page in French shows the French one).
    expect(view.rules.find((rule) => rule.id === 'stripe_payment_failures')?.titles).toEqual({
      en: 'Stripe payment failures',
      fr: 'Échecs de paiement Stripe',
    });
    expect(view.rules.find((rule) => rule.id === 'payment_flow_error_repeated')?.params.maxEvents).toMatchObject({ min: 10, max: 5000, integer: true });
  });

  it('reports an override the jobs reject, and the configuration in force instead', async () => {
    await settings().set({ notifications: { channelTimeoutMs: 10 } });
    const view = await call<ThresholdsView>(getThresholds, {});
    expect(view.source).toBe('override-with-fallbacks');
    expect(view.problems).toEqual([expect.stringMatching(/^notifications\.channelTimeoutMs: Too small/)]);
    expect(view.override).toEqual({ notifications: { channelTimeoutMs: 10 } });
  });
});

describe('updateThresholds', () => {
  it('merges a patch into the override, records who and when, and the jobs load it', async () => {
    const first = await call<ThresholdsView>(updateThresholds, {
      patch: { rules: { monitor_check_failed: { severity: 'critical', consecutiveRuns: 2 } }, recipients: { emails: ['ops@example.com'] } },
    });
    expect(first).toMatchObject({
      override: { rules: { monitor_check_failed: { severity: 'critical', consecutiveRuns: 2 } }, recipients: { emails: ['ops@example.com'] } },
      updatedBy: ADMIN.uid,
      updatedAt: expect.any(String),
      source: 'override',
      problems: [],
    });
    expect(first.effective.rules.monitor_check_failed).toMatchObject({ severity: 'critical', consecutiveRuns: 2 });

    const second = await call<ThresholdsView>(updateThresholds, { patch: { rules: { monitor_check_failed: { consecutiveRuns: 3 } } } }, OTHER_ADMIN);
    expect(second.override).toEqual({
      rules: { monitor_check_failed: { severity: 'critical', consecutiveRuns: 3 } },
      recipients: { emails: ['ops@example.com'] },
    });
    expect(second.updatedBy).toBe(OTHER_ADMIN.uid);

    const loaded = await loadRuntimeConfig(new Meter(db), { persistLastValid: true, log: createLogger() });
    expect(loaded.source).toBe('override');
    expect(loaded.config.rules.monitor_check_failed).toMatchObject({ severity: 'critical', consecutiveRuns: 3 });
    expect(loaded.config.recipients.emails).toEqual(['ops@example.com']);
  });

  it('removes keys set to null and really removes them from the stored document', async () => {
    await call(updateThresholds, { patch: { routing: { warning: [] }, notifications: { maxAttempts: 3, retryBackoffMinutes: 10 } } });
    await call(updateThresholds, { patch: { routing: null, notifications: { maxAttempts: null } } });
    const data = await stored();
    expect(Object.keys(data!).sort()).toEqual(['notifications', 'updatedAt', 'updatedBy']);
    expect(data!.notifications).toEqual({ retryBackoffMinutes: 10 });
    const view = await call<ThresholdsView>(getThresholds, {});
    expect(view.effective.routing.warning).toEqual(['slack']);
  });

  it('fixes a document the jobs reject when the patch removes the problem', async () => {
    await replaceDoc(settings(), { notifications: { channelTimeoutMs: 10 }, routing: { warning: [] } });
    await expectCode(
      callError(updateThresholds, { patch: { routing: { critical: ['slack'] } } }),
      'invalid-argument',
      /notifications\.channelTimeoutMs: Too small/,
    );
    const fixed = await call<ThresholdsView>(updateThresholds, { patch: { notifications: { channelTimeoutMs: 5000 } } });
    expect(fixed).toMatchObject({ source: 'override', problems: [] });
  });

  it.each([
    [{ rules: { monitor_check_failed: { severity: 'urgent' } } }, /rules\.monitor_check_failed\.severity: /],
    [{ rules: { monitor_check_failed: { threshold: 5 } } }, /rules\.monitor_check_failed\.threshold: Too big: expected number to be <=0/],
    [{ rules: { no_such_rule: { threshold: 1 } } }, /rules: Unrecognized key: "no_such_rule"/],
    [{ rules: { monitor_check_failed: { consecutiveRuns: '2' } } }, /consecutiveRuns: Invalid input: expected number, received string/],
    [{ recipients: { phones: ['0612345678'] } }, /recipients\.phones\.0: must be an E\.164 phone number/],
    [{ routing: { critical: ['pager'] } }, /routing\.critical\.0: /],
    [
      { rules: { payment_flow_error_repeated: { params: { maxEvents: 10.5 } } } },
      /rules\.payment_flow_error_repeated\.params\.maxEvents: Invalid input: expected int, received number/,
    ],
    [{ rules: { top_rated_unavailable: { params: { topCount: 3.5 } } } }, /rules\.top_rated_unavailable\.params\.topCount: Invalid input: expected int/],
    [{ unknownSection: {} }, /Unrecognized key: "unknownSection"/],
    [{ rules: { monitor_check_failed: { escalations: [{ threshold: 0, severity: 'warning' }] } } }, /escalations\.0\./],
  ])('rejects %j with the problem named, and writes nothing', async (patch, message) => {
    await call(updateThresholds, { patch: { notifications: { maxAttempts: 4 } } });
    const before = await stored();
    const error = await expectCode(callError(updateThresholds, { patch }), 'invalid-argument', message);
    expect(error.message).toMatch(/^Invalid configuration, nothing was saved: /);
    expect((error.details as { problems: string[] }).problems.length).toBeGreaterThan(0);
    expect(await stored()).toEqual(before);
  });

  it('validates exactly like the jobs (resolveConfig)', async () => {
    const patch = { notifications: { repeatIntervalMinutes: { warning: 10_081 } } };
    const expected = resolveConfig(patch).problems;
    const error = await callError(updateThresholds, { patch });
    expect((error.details as { problems: string[] }).problems).toEqual(expected);
  });

  it('rejects an empty patch, bookkeeping fields and non-object patches', async () => {
    await expectCode(callError(updateThresholds, { patch: {} }), 'invalid-argument', /patch: must change at least one field/);
    await expectCode(callError(updateThresholds, { patch: { updatedBy: 'me' } }), 'invalid-argument', /patch: must not contain updatedAt or updatedBy/);
    await expectCode(callError(updateThresholds, { patch: [1] }), 'invalid-argument', /patch: Invalid input: expected record, received array/);
    await expectCode(callError(updateThresholds, { patch: null }), 'invalid-argument', /patch: /);
    await expectCode(callError(updateThresholds, {}), 'invalid-argument', /patch: /);
    expect(await stored()).toBeUndefined();
  });

  it('rejects keys that would reach an object prototype', async () => {
    const patch = JSON.parse('{"rules": {"__proto__": {"polluted": true}}}') as Record<string, unknown>;
    await expectCode(callError(updateThresholds, { patch }), 'invalid-argument', /patch\.rules\.__proto__ is not a configuration field/);
    await expectCode(callError(updateThresholds, { patch: { notifications: { constructor: 1 } } }), 'invalid-argument', /patch\.notifications\.constructor/);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(await stored()).toBeUndefined();
  });

  it('rejects an oversized payload before parsing it', async () => {
    const huge = { patch: { recipients: { emails: Array.from({ length: 3000 }, (_, index) => `a${index}@example.com`) } } };
    await expectCode(callError(updateThresholds, huge), 'invalid-argument', /payload is too large \(more than 2000 values\)/);
    let deep: Record<string, unknown> = {};
    for (let level = 0; level < 50; level += 1) deep = { nested: deep };
    await expectCode(callError(updateThresholds, { patch: deep }), 'invalid-argument', /nested deeper than 10 levels/);
    await expectCode(callError(updateThresholds, { patch: { rules: 'x'.repeat(70_000) } }), 'invalid-argument', /more than 64000 characters/);
  });
});

describe('concurrent updateThresholds', () => {
  it('every change answered "ok" is in the stored document; the others answer "aborted" (none is lost silently)', async () => {
    const ids = RULES.slice(0, 5).map((rule) => rule.id);
    await call(updateThresholds, { patch: { recipients: { emails: ['ops@example.com'] } } });
    const answers = await Promise.all(
      ids.map((id) =>
        call(updateThresholds, { patch: { rules: { [id]: { enabled: false } } } }).then(
          () => ({ id, ok: true, code: undefined as string | undefined }),
          (error: { code?: string }) => ({ id, ok: false, code: error.code }),
        ),
      ),
    );
    const stored = ((await db.collection('monitoring_config').doc('settings').get()).data() ?? {}) as { rules?: Record<string, unknown> };
    const kept = Object.keys(stored.rules ?? {});
    expect(answers.filter((answer) => !answer.ok).every((answer) => answer.code === 'aborted')).toBe(true);
    expect(answers.filter((answer) => answer.ok).map((answer) => answer.id)).toEqual(ids.filter((id) => kept.includes(id)));
    expect(answers.some((answer) => answer.ok)).toBe(true);
  });
});

describe('mergePatch (RFC 7396)', () => {
  it.each([
    [{ a: 1 }, { a: 2 }, { a: 2 }],
    [{ a: { b: 1, c: 2 } }, { a: { b: null } }, { a: { c: 2 } }],
    [{ a: [1, 2] }, { a: [3] }, { a: [3] }],
    [{ a: 1 }, { b: { c: 1 } }, { a: 1, b: { c: 1 } }],
    [{}, { a: null }, {}],
  ])('%j + %j = %j', (target, patch, expected) => {
    expect(mergePatch(target, patch)).toEqual(expected);
  });
});
