/** What a monitor receives and returns. Monitors measure; they never decide on alerts themselves. */
import type { JobDefinition } from '../jobs/catalog';
import type { Observation } from '../alerts/evaluate';
import type { MonitoringConfig, RuleSettings } from '../config/schema';
import type { Meter } from '../platform/firestore';
import type { Logger } from '../platform/logger';
import type { Sources } from '../sources';

export interface MonitorContext {
  job: string;
  /** The scheduled jobs (jobs/catalog.ts), given by the pipeline: monitors never import the catalogue that loads them. */
  jobs: readonly JobDefinition[];
  runId: string;
  /** Evaluation instant: windows are computed back from here. */
  now: Date;
  tickMs: number;
  /**
   * A scheduled run (Cloud Scheduler, or the CLI with --scheduled): windowed rules cover the whole span
   * since their previous scheduled evaluation (monitors/coverage.ts). Other runs look at the last window.
   */
  scheduled?: boolean;
  dryRun: boolean;
  /** Metered Firestore access: every read goes through it. */
  db: Meter;
  config: MonitoringConfig;
  /** The app's data, through the declared source mapping (functions/sources.json). */
  sources: Sources;
  /** Why a rule cannot see its data (its reads are not mapped), or null: such a rule is skipped, not measured. */
  blind(ruleId: string): string | null;
  settings(ruleId: string): RuleSettings;
  log: Logger;
  /** Job-specific options (for example the functional check set). */
  options: Record<string, string>;
  /** Reports a measurement. */
  observe(observation: Observation): void;
  /**
   * Runs one independent part of the job. If it throws, the error becomes a `monitor_check_failed`
   * system alert for `<job>/<name>` and the job carries on; when it succeeds, that alert clears.
   */
  check<T>(name: string, work: () => Promise<T>): Promise<T | undefined>;
  /** Records that a check was skipped on purpose (for example missing credentials), with the reason. */
  skip(name: string, reason: string): void;
  /** Writes a document (metrics snapshot...) unless this is a dry run. */
  write(collection: string, id: string, data: Record<string, unknown>): Promise<void>;
}

export interface Monitor {
  run(ctx: MonitorContext): Promise<Record<string, unknown> | void>;
}
