/**
 * Reading and changing the runtime configuration (`monitoring_config/settings`) from the dashboard.
 *
 * updateThresholds takes a JSON merge patch (RFC 7396: objects merge, `null` removes a key, arrays
 * and numbers replace) applied to the stored override. The result is validated by the foundation's
 * own `resolveConfig` (the same schema and cross-field checks the jobs apply when they load it), so a
 * document the jobs would reject is never written. The new document replaces the old one in one
 * commit (delete + set: a true replacement both in production and on the embedded emulator, whose
 * set() keeps omitted fields), with a lastUpdateTime precondition that makes a concurrent edit fail
 * with `aborted` in production instead of being silently overwritten.
 */
import type { DocumentSnapshot, Timestamp } from 'firebase-admin/firestore';
import { HttpsError } from 'firebase-functions/v2/https';
import { z } from 'zod';
import { COLLECTIONS } from '../alerts/model';
import { CONFIG_DOC, loadRuntimeConfig, type ConfigSource } from '../config/load';
import { resolveConfig, ruleDefaults, type MonitoringConfig, type RuleSettings } from '../config/schema';
import { isAlreadyExists, fs, type Meter } from '../platform/firestore';
import { isIntegerParam, RULES, type RuleParamSpec } from '../rules';
import { LOCALES, type Locale } from '../rules/locale';
import { ruleTexts } from '../rules/types';
import { defineCallable, invalid, type AdminContext } from './callable';
import { iso, toJson } from './schemas';

/** Fields of the settings document maintained by this API, not by the people editing it. */
const BOOKKEEPING = ['updatedAt', 'updatedBy'] as const;

export interface RuleCatalogueEntry {
  id: string;
  domain: string;
  category: string;
  title: string;
  /** The title in every language of the dashboard. */
  titles: Record<Locale, string>;
  unit: string;
  direction: 'above' | 'below';
  thresholdRange: { min: number; max: number };
  minSample: { default: number; label: string } | null;
  /** Each parameter with its bounds; `integer`: whole numbers only. */
  params: Record<string, RuleParamSpec & { integer: boolean }>;
  defaults: RuleSettings;
}

export interface ThresholdsView {
  /** The stored override (only what differs from the defaults), as JSON; {} when there is none. */
  override: Record<string, unknown>;
  updatedAt: string | null;
  updatedBy: string | null;
  /** Where the configuration in force comes from (an invalid override falls back). */
  source: ConfigSource;
  /** Why the stored override is rejected by the jobs (empty when it is valid or absent). */
  problems: string[];
  /** The configuration in force: defaults merged with the override. */
  effective: MonitoringConfig;
  /** Every rule with its defaults and the bounds an override must respect, to build a form. */
  rules: RuleCatalogueEntry[];
}

function catalogue(): RuleCatalogueEntry[] {
  return RULES.map((rule) => ({
    id: rule.id,
    domain: rule.domain,
    category: rule.category,
    title: rule.title,
    titles: Object.fromEntries(LOCALES.map((locale) => [locale, ruleTexts(rule, locale).title])) as Record<Locale, string>,
    unit: rule.unit,
    direction: rule.direction,
    thresholdRange: rule.thresholdRange,
    minSample: rule.minSample ?? null,
    params: Object.fromEntries(Object.entries(rule.params ?? {}).map(([name, spec]) => [name, { ...spec, integer: isIntegerParam(spec) }])),
    defaults: ruleDefaults(rule),
  }));
}

function storedOverride(snapshot: DocumentSnapshot): Record<string, unknown> {
  const data = { ...(snapshot.data() ?? {}) };
  for (const field of BOOKKEEPING) delete data[field];
  return data;
}

async function view(meter: Meter, ctx: Pick<AdminContext, 'log'>): Promise<ThresholdsView> {
  const snapshot = await meter.get(meter.db.collection(COLLECTIONS.config).doc(CONFIG_DOC));
  const loaded = await loadRuntimeConfig(meter, { persistLastValid: false, log: ctx.log });
  return {
    override: toJson(storedOverride(snapshot)) as Record<string, unknown>,
    updatedAt: iso(snapshot.get('updatedAt') as Timestamp | undefined),
    updatedBy: (snapshot.get('updatedBy') as string | undefined) ?? null,
    source: loaded.source,
    problems: loaded.problems,
    effective: loaded.config,
    rules: catalogue(),
  };
}

export const getThresholds = defineCallable({
  input: z.strictObject({}),
  mutates: false,
  errors: [],
  handler: (_input, ctx): Promise<ThresholdsView> => view(ctx.meter, ctx),
});

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Keys that would reach an object's prototype instead of the object: never valid configuration. */
const UNSAFE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

function unsafeKeyPath(value: unknown, path: string): string | null {
  if (!isPlainObject(value)) return null;
  for (const [key, item] of Object.entries(value)) {
    if (UNSAFE_KEYS.has(key)) return `${path}.${key}`;
    const found = unsafeKeyPath(item, `${path}.${key}`);
    if (found) return found;
  }
  return null;
}

/** RFC 7396 JSON merge patch (the patch must be free of unsafe keys: see unsafeKeyPath). */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch)) return patch;
  const result: Record<string, unknown> = isPlainObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key], value);
  }
  return result;
}

/** monitoring_config/settings/monitoring_config_versions/{updateTime}: one per change, the version it replaced (TTL). */
export const CONFIG_VERSIONS = 'monitoring_config_versions';
export const CONFIG_VERSION_TTL_DAYS = 7;

export const updateThresholds = defineCallable({
  input: z.strictObject({
    patch: z
      .record(z.string().max(100), z.unknown())
      .refine((patch) => Object.keys(patch).length > 0, 'must change at least one field')
      .refine((patch) => BOOKKEEPING.every((field) => !(field in patch)), `must not contain ${BOOKKEEPING.join(' or ')} (set by the server)`),
  }),
  mutates: true,
  errors: ['aborted'],
  async handler({ patch }, ctx): Promise<ThresholdsView> {
    const unsafe = unsafeKeyPath(patch, 'patch');
    if (unsafe) throw invalid(`Invalid input: ${unsafe} is not a configuration field.`);
    const db = ctx.meter.db;
    const ref = db.collection(COLLECTIONS.config).doc(CONFIG_DOC);
    const snapshot = await ctx.meter.get(ref);
    const merged = mergePatch(storedOverride(snapshot), patch) as Record<string, unknown>;
    const { problems } = resolveConfig(merged);
    if (problems.length) {
      throw invalid(`Invalid configuration, nothing was saved: ${problems.slice(0, 5).join('; ')}`, problems);
    }
    const document = { ...merged, updatedAt: fs().Timestamp.fromDate(ctx.now), updatedBy: ctx.uid };
    const batch = db.batch();
    if (snapshot.exists) {
      // One writer per version read. The marker of the version this change replaces is created
      // once (create-if-absent holds on every Firestore, the embedded emulator included, so two
      // concurrent changes of the same version cannot both succeed); first in the batch, since the
      // embedded emulator's commits are not atomic. The update-time precondition says the same
      // where it is enforced (production).
      const updated = snapshot.updateTime!;
      batch.create(ref.collection(CONFIG_VERSIONS).doc(`${updated.seconds}-${updated.nanoseconds}`), {
        supersededAt: fs().Timestamp.fromDate(ctx.now),
        by: ctx.uid,
        expireAt: fs().Timestamp.fromMillis(ctx.now.getTime() + CONFIG_VERSION_TTL_DAYS * 86_400_000),
      });
      batch.delete(ref, { lastUpdateTime: updated }).set(ref, document);
    } else batch.create(ref, document);
    try {
      await batch.commit();
      ctx.meter.noteWrites(snapshot.exists ? 3 : 1);
    } catch (error) {
      if (isAlreadyExists(error) || (error as { code?: number }).code === 9) {
        throw new HttpsError('aborted', 'The configuration was changed by someone else meanwhile; reload it and apply your change again.');
      }
      throw error;
    }
    ctx.log.info('Configuration updated', { fields: Object.keys(patch) });
    return view(ctx.meter, ctx);
  },
});
