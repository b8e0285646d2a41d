/** npm run dashboard's local scheduler: every job at its cron instants while the stack is up. */
import { dueRuns, startLocalSchedule, type DueRun } from '../dev/dashboard/schedule';
import { exportLines } from '../dev/shellEnv';
import { JOBS } from '../src/jobs/catalog';

const at = (iso: string) => Date.parse(iso);

it.each([
  // from (exclusive), to (inclusive), the runs due (Europe/Paris: UTC+1 in November)
  ['2026-11-24T10:01:00Z', '2026-11-24T10:04:00Z', []],
  ['2026-11-24T10:01:00Z', '2026-11-24T10:05:00Z', ['10:05 fast', '10:05 probes']],
  ['2026-11-24T10:05:00Z', '2026-11-24T10:05:00Z', []],
  ['2026-11-24T10:05:00Z', '2026-11-24T10:10:00Z', ['10:10 delivery', '10:10 fast', '10:10 probes']],
  ['2026-11-24T10:10:00Z', '2026-11-24T10:15:00Z', ['10:15 fast', '10:15 probes', '10:15 watchdog']],
  [
    '2026-11-24T06:59:00Z',
    '2026-11-24T07:00:00Z',
    ['07:00 fast', '07:00 payment', '07:00 functional-critical', '07:00 probes', '07:00 system', '07:00 watchdog'],
  ],
] as const)('(%s, %s]: %j', (from, to, expected) => {
  const runs = dueRuns(JOBS, at(from), at(to)).map((run) => `${run.at.toISOString().slice(11, 16)} ${run.job}`);
  expect([...runs].sort()).toEqual([...expected].sort());
});

it('runs what is due since the last check, in order, once each, and nothing after stop', async () => {
  let clock = at('2026-11-24T10:00:30Z');
  const ran: string[] = [];
  const schedule = startLocalSchedule({
    jobs: JOBS,
    since: clock,
    now: () => clock,
    everyMs: 0,
    run: async (due: DueRun) => void ran.push(`${due.at.toISOString().slice(11, 16)} ${due.job}`),
  });
  await schedule.tick();
  expect(ran).toEqual([]);
  clock = at('2026-11-24T10:16:00Z'); // the stack was busy: every tick since is taken
  await schedule.tick();
  expect(ran).toEqual(['10:05 fast', '10:05 probes', '10:10 delivery', '10:10 fast', '10:10 probes', '10:15 fast', '10:15 probes', '10:15 watchdog']);
  await schedule.tick();
  expect(ran).toHaveLength(8);
  await schedule.stop();
  clock = at('2026-11-24T11:00:00Z');
  await schedule.tick();
  expect(ran).toHaveLength(8);
});

it('a failing run is logged and the next ones still run', async () => {
  let clock = at('2026-11-24T10:04:00Z');
  const log: string[] = [];
  const schedule = startLocalSchedule({
    jobs: JOBS.filter((job) => ['fast', 'probes'].includes(job.name)),
    since: clock,
    now: () => clock,
    everyMs: 0,
    log: (line) => log.push(line),
    run: async (due) => {
      if (due.job === 'fast') throw new Error('boom');
    },
  });
  clock = at('2026-11-24T10:05:00Z');
  await schedule.tick();
  expect(log).toEqual(['2026-11-24T10:05:00.000Z fast: scheduled run failed: boom', '2026-11-24T10:05:00.000Z probes: scheduled run done']);
  await schedule.stop();
});

it("the printed command's environment file: export lines a POSIX shell reads back exactly", async () => {
  const { execFile } = await import('node:child_process');
  const { promisify } = await import('node:util');
  const env = { A: "it's", B: 'x y $HOME `id` "q"', C: undefined };
  const lines = exportLines(env, ['A', 'B', 'C']);
  expect(lines.split('\n')).toHaveLength(2);
  const { stdout } = await promisify(execFile)('sh', ['-c', `${lines}\nprintf '%s|%s' "$A" "$B"`]);
  expect(stdout).toBe(`it's|x y $HOME \`id\` "q"`);
});
