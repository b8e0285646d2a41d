/**
 * Cloud Scheduler for the local stack (npm run dashboard): while the stack is up, every job runs at
 * the instants of its cron, as the deployed functions do, so the heartbeats of the frequent jobs
 * (fast and probes every 5 minutes, the watchdog every 15) stay fresh and "Monitoring itself is not
 * running" means what it says. Runs are sequential; a tick that comes while runs are in progress is
 * taken at the next check.
 */
import type { JobDefinition } from '../../src/jobs/catalog';
import { cronInstants } from '../bench/cron';

export interface DueRun {
  job: string;
  at: Date;
}

/** The runs due in (fromMs, toMs]: each job at each instant of its schedule, in time order. */
export function dueRuns(jobs: readonly JobDefinition[], fromMs: number, toMs: number): DueRun[] {
  if (toMs <= fromMs) return [];
  const runs = jobs.flatMap((job) => cronInstants(job.schedule, job.timeZone, new Date(fromMs + 1), new Date(toMs + 1)).map((at) => ({ job: job.name, at })));
  return runs.sort((a, b) => a.at.getTime() - b.at.getTime() || a.job.localeCompare(b.job));
}

export interface LocalSchedule {
  /** Checks now (the timer calls it every `everyMs`); resolves when the due runs are done. */
  tick(): Promise<void>;
  stop(): Promise<void>;
}

export function startLocalSchedule(options: {
  jobs: readonly JobDefinition[];
  run: (due: DueRun) => Promise<unknown>;
  /** The clock (tests move it). */
  now?: () => number;
  /** Runs already done up to this instant (the stack ran every job once at start). */
  since: number;
  everyMs?: number;
  log?: (line: string) => void;
}): LocalSchedule {
  const now = options.now ?? Date.now;
  let checkedUpTo = options.since;
  let running: Promise<void> | undefined;
  let stopped = false;
  const tick = (): Promise<void> => {
    if (stopped) return Promise.resolve();
    if (running) return running;
    const to = now();
    const due = dueRuns(options.jobs, checkedUpTo, to);
    checkedUpTo = to;
    running = (async () => {
      for (const item of due) {
        if (stopped) break;
        try {
          await options.run(item);
          options.log?.(`${item.at.toISOString()} ${item.job}: scheduled run done`);
        } catch (error) {
          options.log?.(`${item.at.toISOString()} ${item.job}: scheduled run failed: ${(error as Error).message}`);
        }
      }
    })().finally(() => (running = undefined));
    return running;
  };
  const timer = options.everyMs === 0 ? undefined : setInterval(() => void tick(), options.everyMs ?? 20_000);
  timer?.unref();
  return {
    tick,
    stop: async () => {
      stopped = true;
      if (timer) clearInterval(timer);
      await running;
    },
  };
}
