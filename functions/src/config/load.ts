/**
 * Loads the runtime configuration at the start of each run: the override document
 * `monitoring_config/settings` merged over the defaults, field by field. A field that fails
 * validation takes its last valid value (kept in `monitoring_config/last_valid`), or the default when
 * it never had one; every other field of the document applies, and the run raises the
 * `config_invalid` alert naming each rejected field.
 */
import type { Timestamp } from 'firebase-admin/firestore';
import { COLLECTIONS } from '../platform/collections';
import { fs, type Meter } from '../platform/firestore';
import type { Logger } from '../platform/logger';
import { RULES } from '../rules';
import { resolveConfig, type FieldFallback, type MonitoringConfig } from './schema';

export const CONFIG_DOC = 'settings';
export const LAST_VALID_DOC = 'last_valid';

/** `override-with-fallbacks`: the document applies except the fields named in `problems`. */
export type ConfigSource = 'defaults' | 'override' | 'override-with-fallbacks';

export interface LoadedConfig {
  config: MonitoringConfig;
  source: ConfigSource;
  /** Why fields of the override were rejected (empty when it was accepted or absent). */
  problems: string[];
  /** Each rejected field and what is used instead. */
  fallbacks: FieldFallback[];
  /** Human description of what is in force for the rejected fields. */
  fallbackLabel: string;
}

interface LastValidDoc {
  settings: Record<string, unknown>;
  sourceUpdateTime: Timestamp;
  savedAt: Timestamp;
}

/** "the last valid value of a, b (saved ...) and the default of c; every other field applies". */
export function describeFallbacks(fallbacks: FieldFallback[], savedAt: Date | null): string {
  if (fallbacks.length === 0) return '';
  const list = (items: FieldFallback[]) => items.map((item) => item.field).join(', ');
  const restored = fallbacks.filter((item) => item.to === 'last-valid');
  const defaults = fallbacks.filter((item) => item.to === 'default');
  const parts = [
    ...(restored.length ? [`the last valid value of ${list(restored)}${savedAt ? ` (saved ${savedAt.toISOString()})` : ''}`] : []),
    ...(defaults.length ? [`the default of ${list(defaults)}`] : []),
  ];
  return `${parts.join(' and ')}; every other field of the document applies`;
}

export async function loadRuntimeConfig(meter: Meter, options: { persistLastValid: boolean; log: Logger }): Promise<LoadedConfig> {
  const collection = meter.db.collection(COLLECTIONS.config);
  const [current, lastValid] = await meter.getAll([collection.doc(CONFIG_DOC), collection.doc(LAST_VALID_DOC)]);
  if (!current.exists) {
    return { config: resolveConfig(undefined).config, source: 'defaults', problems: [], fallbacks: [], fallbackLabel: 'the built-in defaults' };
  }

  const saved = lastValid.data() as LastValidDoc | undefined;
  const resolved = resolveConfig(current.data(), RULES, saved?.settings);
  // The accepted document (rejected fields replaced by their last valid values) becomes the next
  // "last valid" one, once per version of the settings document.
  if (options.persistLastValid && (!saved || !current.updateTime || !saved.sourceUpdateTime?.isEqual(current.updateTime))) {
    await collection.doc(LAST_VALID_DOC).set({ settings: resolved.accepted, sourceUpdateTime: current.updateTime, savedAt: fs().Timestamp.now() });
    meter.noteWrites(1);
  }
  if (resolved.problems.length === 0) {
    return { config: resolved.config, source: 'override', problems: [], fallbacks: [], fallbackLabel: '' };
  }
  options.log.warn('Configuration fields rejected', { problems: resolved.problems, fallbacks: resolved.fallbacks });
  return {
    config: resolved.config,
    source: 'override-with-fallbacks',
    problems: resolved.problems,
    fallbacks: resolved.fallbacks,
    fallbackLabel: describeFallbacks(resolved.fallbacks, saved?.savedAt?.toDate() ?? null),
  };
}
