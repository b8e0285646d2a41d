/**
 * Loads the runtime configuration at the start of each run: the override document
 * `monitoring_config/settings` merged over the defaults. An invalid override is rejected as a whole;
 * the last valid one (kept in `monitoring_config/last_valid`) stays in force, or the defaults when
 * there is none, and the run raises the `config_invalid` alert.
 */
import type { Timestamp } from 'firebase-admin/firestore';
import { COLLECTIONS } from '../alerts/model';
import { fs, type Meter } from '../platform/firestore';
import type { Logger } from '../platform/logger';
import { resolveConfig, type MonitoringConfig } from './schema';

export const CONFIG_DOC = 'settings';
export const LAST_VALID_DOC = 'last_valid';

export type ConfigSource = 'defaults' | 'override' | 'last-valid';

export interface LoadedConfig {
  config: MonitoringConfig;
  source: ConfigSource;
  /** Why the override was rejected (empty when it was accepted or absent). */
  problems: string[];
  /** Human description of what is in force when the override was rejected. */
  fallbackLabel: string;
}

interface LastValidDoc {
  settings: Record<string, unknown>;
  sourceUpdateTime: Timestamp;
  savedAt: Timestamp;
}

export async function loadRuntimeConfig(meter: Meter, options: { persistLastValid: boolean; log: Logger }): Promise<LoadedConfig> {
  const collection = meter.db.collection(COLLECTIONS.config);
  const [current, lastValid] = await meter.getAll([collection.doc(CONFIG_DOC), collection.doc(LAST_VALID_DOC)]);
  if (!current.exists) return { config: resolveConfig(undefined).config, source: 'defaults', problems: [], fallbackLabel: 'the built-in defaults' };

  const override = current.data();
  const resolved = resolveConfig(override);
  if (resolved.problems.length === 0) {
    const saved = lastValid.data() as LastValidDoc | undefined;
    if (options.persistLastValid && (!saved || !current.updateTime || !saved.sourceUpdateTime?.isEqual(current.updateTime))) {
      await collection.doc(LAST_VALID_DOC).set({ settings: override, sourceUpdateTime: current.updateTime, savedAt: fs().Timestamp.now() });
      meter.noteWrites(1);
    }
    return { config: resolved.config, source: 'override', problems: [], fallbackLabel: '' };
  }

  options.log.warn('Configuration override rejected', { problems: resolved.problems });
  const saved = lastValid.data() as LastValidDoc | undefined;
  if (saved) {
    const previous = resolveConfig(saved.settings);
    if (previous.problems.length === 0) {
      return {
        config: previous.config,
        source: 'last-valid',
        problems: resolved.problems,
        fallbackLabel: `the last valid configuration (saved ${saved.savedAt.toDate().toISOString()})`,
      };
    }
  }
  return { config: resolved.config, source: 'defaults', problems: resolved.problems, fallbackLabel: 'the built-in defaults' };
}
