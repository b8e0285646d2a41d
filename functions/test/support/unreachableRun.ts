/**
 * A job run in a process of its own, as a Cloud Function instance would run it, against whatever
 * FIRESTORE_EMULATOR_HOST names (test/failurePath.test.ts points it at a closed port). Prints one JSON
 * line with the outcome and how long the run took, then exits like an instance that is torn down.
 */
import type { JobDefinition } from '../../src/jobs/catalog';
import { executeRun } from '../../src/pipeline/run';

const job: JobDefinition = {
  name: 'probe',
  exportName: 'runProbe',
  description: 'observes nothing',
  schedule: 'every 15 minutes',
  timeZone: 'Europe/Paris',
  periodMinutes: 15,
  retryCount: 0,
  timeoutSeconds: Number(process.env.PROBE_TIMEOUT_SECONDS ?? 8),
  secrets: [],
  load: async () => ({ run: async () => undefined }),
};

const started = Date.now();
executeRun(job, { trigger: 'test' }).then(
  (result) => {
    process.stdout.write(`${JSON.stringify({ probe: true, outcome: result.outcome, elapsedMs: Date.now() - started })}\n`);
    process.exit(0);
  },
  (error: Error) => {
    process.stdout.write(`${JSON.stringify({ probe: true, outcome: 'failed', error: error.message, elapsedMs: Date.now() - started })}\n`);
    process.exit(1);
  },
);
