/** Adapter between a Cloud Scheduler event and a job run. */
import { describeError, log } from '../platform/logger';
import { reportError } from '../platform/sentry';
import { JobFailedError, runJob, type RunResult } from './run';

/** The tick a scheduler event stands for: its scheduleTime (identical on retries), else now. */
export function tickOf(event: { scheduleTime?: string }): number {
  const parsed = event.scheduleTime ? Date.parse(event.scheduleTime) : Number.NaN;
  return Number.isFinite(parsed) ? parsed : Date.now();
}

export async function runScheduled(jobName: string, event: { scheduleTime?: string }): Promise<RunResult> {
  const tickMs = tickOf(event);
  try {
    return await runJob(jobName, { trigger: 'schedule', now: new Date(tickMs), tickMs });
  } catch (error) {
    // Failures inside a run are already recorded and reported; anything else is reported here.
    if (!(error instanceof JobFailedError)) {
      log.error('Scheduled job could not start', { job: jobName, error: describeError(error) });
      await reportError(error, { source: jobName, extra: { scheduleTime: event.scheduleTime ?? null } });
    }
    throw error;
  }
}
