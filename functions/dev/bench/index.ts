/**
 * npm run bench [-- --sizes 1000,3000,10000] : reads against data size, cold start, notification
 * fan-out, detection coverage, checks from the outside. Prints the tables and writes docs/performance.md. Not part of npm test.
 *
 * npm run bench -- detection [--starts 48] [--rules a,b] [--sizes 1000,10000] [--baseline] : the
 * detection coverage alone (section 4, replaced in docs/performance.md); --baseline stores the run
 * as the baseline (dev/bench/detection-baseline.json) the later runs are compared with.
 * npm run bench -- --only outside : section 5 alone, replaced in docs/performance.md.
 * npm run bench -- sources [--sizes 1000,10000] : section 7 (the doctor and the sources check) alone.
 * npm run bench -- quality [--days 28] [--history 3] [--scales small,large | small:7,large:2] [--no-write] : alert quality over
 * simulated weeks (section 8, replaced in docs/performance.md; dev/bench/quality.ts).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { resolve } from 'node:path';
import { startLocalServers } from '../servers';
import { measureColdStart, type ColdStartReport } from './coldstart';
import { runDetectionBenchmark, type DetectionReport } from './detection';
import { detectionSection, readBaseline, replaceSection, writeBaseline } from './detectionReport';
import { measureFanout, type FanoutCase } from './fanout';
import { measureOutside, type OutsideRow } from './outside';
import { QUALITY_HEADING, qualitySection, SCALES, simulateQuality, type QualityRun } from './quality';
import { measureReads, type ReadsRow } from './reads';
import { measureSources, SOURCES_TITLE, sourcesSection } from './sources';
import { startCountingFirestore } from './rpc';
import { WORKLOADS } from './workloads';

const root = resolve(__dirname, '..', '..', '..');

function table(headers: string[], rows: Array<Array<string | number>>): string {
  return [`| ${headers.join(' | ')} |`, `|${headers.map(() => '---').join('|')}|`, ...rows.map((row) => `| ${row.join(' | ')} |`)].join('\n');
}

const fixed = (value: number, digits = 1) => value.toFixed(digits);

function readsSection(rows: ReadsRow[]): string {
  const jobs = [...new Set(rows.map((row) => row.job))];
  const sizes = [...new Set(rows.map((row) => row.n))];
  const largest = sizes[sizes.length - 1];
  const lines = [
    table(
      [
        'job',
        'N per collection',
        'job wall ms',
        'job RPCs',
        'job docs returned',
        'job billed reads',
        'scan wall ms',
        'scan RPCs',
        'scan docs',
        'scan billed reads',
        'scan / job',
        'values match',
      ],
      rows.map((row) => [
        row.job,
        row.n,
        row.job_ms,
        row.job_rpcs,
        row.job_documents,
        row.job_billed,
        row.scan_ms,
        row.scan_rpcs,
        row.scan_documents,
        row.scan_billed,
        `${fixed(row.ratio)}x`,
        row.valuesMatch ? 'yes' : `no: ${row.mismatches.join('; ')}`,
      ]),
    ),
    '',
    'Growth from the smallest to the largest N (billed reads):',
    '',
    ...jobs.map((job) => {
      const own = rows.filter((row) => row.job === job);
      const first = own[0];
      const last = own[own.length - 1];
      const target = last.ratio >= 100 ? 'met' : 'missed';
      return `- \`${job}\`: job ${first.job_billed} -> ${last.job_billed} (x${fixed(last.job_billed / first.job_billed, 2)} for x${fixed(last.n / first.n, 0)} data); scan ${first.scan_billed} -> ${last.scan_billed}. At N=${largest}: scan/job = ${fixed(last.ratio)}x (target >= 100x: ${target}).`;
    }),
  ];
  return lines.join('\n');
}

function coldStartSection(report: ColdStartReport): string {
  const speedup = report.eager.loadMs / report.entry.loadMs;
  return [
    table(
      ['process', 'load time (median ms)', 'RSS MB', 'heap MB', 'vendor SDKs loaded'],
      [
        [
          'entry point (lib/index.js)',
          fixed(report.entry.loadMs),
          fixed(report.entry.rssMb),
          fixed(report.entry.heapMb),
          report.entry.vendors.join(', ') || 'none',
        ],
        [
          'every vendor SDK imported eagerly, then the entry point',
          fixed(report.eager.loadMs),
          fixed(report.eager.rssMb),
          fixed(report.eager.heapMb),
          report.eager.vendors.join(', '),
        ],
      ],
    ),
    '',
    `Entry point ${fixed(speedup)}x faster than eager imports (target >= 3x: ${speedup >= 3 ? 'met' : 'missed'}); median of ${report.iterations} fresh processes each.`,
    '',
    "First run of each exported function in a fresh process, on an empty project. Where a function's checks fire on empty data (no provider available, no backup recorded, the trigger's probe entry is a critical error) it sends the alert, so it loads the Slack SDK; email and SMS are skipped because no recipients are configured in this run. Callables get a small valid payload, or one that reaches the lookup (`not-found`):",
    '',
    table(
      ['function', 'trigger', 'first run ms', 'outcome', 'vendor SDKs loaded after the run'],
      report.functions.map((fn) => [`\`${fn.exportName}\``, fn.kind, fixed(fn.firstRunMs, 0), fn.outcome, fn.vendorsAfterRun.join(', ') || 'none']),
    ),
  ].join('\n');
}

function fanoutSection(cases: FanoutCase[]): string {
  return table(
    ['case', 'channel timeout ms', 'total delivery ms', 'slowest channel ms', 'total / slowest', 'per channel ms', 'statuses'],
    cases.map((item) => [
      item.name,
      item.timeoutMs,
      item.dispatchMs,
      item.slowestChannelMs,
      `${fixed(item.dispatchMs / item.slowestChannelMs, 2)}x`,
      Object.entries(item.perChannelMs)
        .map(([channel, value]) => `${channel} ${value}`)
        .join(', '),
      Object.entries(item.statuses)
        .map(([channel, status]) => `${channel} ${status}`)
        .join(', '),
    ]),
  );
}

function argument(name: string): string | undefined {
  const index = process.argv.indexOf(name);
  if (index < 0) return undefined;
  const value = process.argv[index + 1];
  if (value === undefined || value.startsWith('--')) throw new Error(`${name} needs a value`);
  return value;
}

function numbers(name: string, text: string): number[] {
  const values = text.split(',').map(Number);
  if (values.some((value) => !Number.isInteger(value) || value <= 0))
    throw new Error(`${name} expects positive whole numbers separated by commas, got "${text}"`);
  return values;
}

const machine = () =>
  `${cpus().length} cores (${cpus()[0]?.model ?? 'unknown CPU'}), ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, embedded Firestore emulator`;
const commit = () => execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();

/** Section 4 of docs/performance.md: the detection simulation and the reads per day. */
async function detection(servers: Awaited<ReturnType<typeof startLocalServers>>, log: (line: string) => void, command: string, sizes: number[]) {
  const startsArg = argument('--starts');
  const rulesArg = argument('--rules');
  const report: DetectionReport = await runDetectionBenchmark(servers, WORKLOADS, {
    starts: startsArg ? numbers('--starts', startsArg)[0] : 48,
    rules: rulesArg?.split(','),
    sizes,
    command,
    machine: `${machine()}, shared (load average ${loadavg()[0].toFixed(1)} at the start)`,
    commit: commit(),
    log,
  });
  const asBaseline = process.argv.includes('--baseline');
  if (asBaseline) writeBaseline(report);
  return detectionSection(report, asBaseline ? null : readBaseline(), asBaseline);
}

/** The sections of the current file numbered 6 and later (written by their own scripts), empty when there are none. */
function keptSections(file: string): string[] {
  const current = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const at = current.search(/\n## ([6-9]|\d{2,})\. /);
  return at < 0 ? [] : ['', current.slice(at + 1).trimEnd()];
}

const OUTSIDE_TITLE = '## 5. Checks from the outside: reads and invocations per day';

function outsideSection(rows: OutsideRow[]): string {
  const perDay = (value: number, row: OutsideRow) => (value * row.runsPerDay).toLocaleString('en-US');
  const probes = rows.filter((row) => row.job === 'probes');
  const [first, last] = [probes[0], probes[probes.length - 1]];
  const marginal =
    first && last && last.ownReads > first.ownReads ? ((last.billedReads - first.billedReads) / (last.ownReads - first.ownReads)).toFixed(1) : '?';
  return [
    OUTSIDE_TITLE,
    '',
    'One steady-state run (the second one: heartbeat documents exist) of the probes job (`runHttpProbes`, every 5 minutes: 288 invocations a day) per number of endpoints, all answering, and of the delivery job (`runMessageDeliveryCheck`, hourly: 24 a day). Billed reads are `RunResult.reads.billedReads`; "own" is the part the checks of the job read (one probe document per endpoint; three count aggregations over email_logs), the rest is what every scheduled run reads (configuration, heartbeats of the other jobs, silences, escalation and retry queries).',
    '',
    table(
      [
        'job',
        'case',
        'runs per day',
        'run wall ms',
        'billed reads per run',
        'own reads per run (probe docs; counts)',
        'writes per run',
        'billed reads per day',
        'writes per day',
      ],
      rows.map((row) => [
        `\`${row.job}\``,
        row.case,
        row.runsPerDay,
        row.wallMs,
        row.billedReads,
        row.ownReads,
        row.writes,
        perDay(row.billedReads, row),
        perDay(row.writes, row),
      ]),
    ),
    '',
    `Each endpoint adds ${marginal} billed reads per run: its probe document, and the alert-state documents the engine reads for its decided rules (down, slow once the sample is reached, certificate for https://); one write (the history is a capped array in the endpoint's document, not a query over results). The email rate costs one aggregation read per 1,000 logged emails in the window for each of its three counts; the SMS rate costs no Firestore read (Twilio API, one request per 1,000 messages).`,
    '',
  ].join('\n');
}

/** Section 5 alone (`--only outside`), replaced in docs/performance.md. */
async function outsideOnly(log: (line: string) => void): Promise<void> {
  const counting = await startCountingFirestore();
  const servers = await startLocalServers();
  Object.assign(process.env, servers.env, { MONITORING_ENVIRONMENT: 'bench' });
  log('5. Checks from the outside');
  const section = outsideSection(await measureOutside(servers, log));
  await servers.stop();
  await counting.stop();
  const path = resolve(root, 'docs', 'performance.md');
  const current = readFileSync(path, 'utf8');
  const at = current.indexOf(OUTSIDE_TITLE);
  const next = at < 0 ? -1 : current.indexOf('\n## ', at + OUTSIDE_TITLE.length);
  writeFileSync(path, at < 0 ? `${current.trimEnd()}\n\n${section}` : `${current.slice(0, at)}${section}${next < 0 ? '' : `\n${current.slice(next + 1)}`}`);
  process.stdout.write(`${section}\n`);
  process.exit(0);
}

async function detectionOnly(log: (line: string) => void): Promise<void> {
  const sizesArg = argument('--sizes');
  const sizes = sizesArg ? numbers('--sizes', sizesArg) : [1_000, 10_000];
  const command = `npm run bench -- ${process.argv.slice(2).join(' ')}`;
  const counting = await startCountingFirestore();
  const servers = await startLocalServers();
  Object.assign(process.env, servers.env, { MONITORING_ENVIRONMENT: 'bench' });
  const section = await detection(servers, log, command, sizes);
  await servers.stop();
  await counting.stop();
  const file = resolve(root, 'docs', 'performance.md');
  writeFileSync(file, replaceSection(existsSync(file) ? readFileSync(file, 'utf8') : '# Performance\n', section));
  process.stdout.write(`${section}\n`);
  process.exit(0);
}

async function sourcesOnly(log: (line: string) => void): Promise<void> {
  const sizesArg = argument('--sizes');
  const sizes = sizesArg ? numbers('--sizes', sizesArg) : [1_000, 10_000];
  const counting = await startCountingFirestore();
  const servers = await startLocalServers();
  Object.assign(process.env, servers.env, { MONITORING_ENVIRONMENT: 'bench' });
  const rows = await measureSources(sizes, log);
  const section = sourcesSection(rows, `npm run bench -- ${process.argv.slice(2).join(' ')}`, machine());
  await servers.stop();
  await counting.stop();
  const path = resolve(root, 'docs', 'performance.md');
  const current = readFileSync(path, 'utf8');
  const at = current.indexOf(SOURCES_TITLE);
  const next = at < 0 ? -1 : current.indexOf('\n## ', at + SOURCES_TITLE.length);
  writeFileSync(path, at < 0 ? `${current.trimEnd()}\n\n${section}` : `${current.slice(0, at)}${section}${next < 0 ? '' : `\n${current.slice(next + 1)}`}`);
  process.stdout.write(`${section}\n`);
  process.exit(0);
}

/** Section 8 alone (`quality`), replaced in docs/performance.md. */
async function qualityOnly(log: (line: string) => void): Promise<void> {
  const days = Number(argument('--days') ?? 28);
  const historyDays = Number(argument('--history') ?? 3);
  // --scales small,large or small:7,large:2 (days per scale).
  const scales = (argument('--scales') ?? 'small,large').split(',').map((item) => {
    const [name, own] = item.split(':') as [keyof typeof SCALES, string | undefined];
    if (!SCALES[name]) throw new Error(`--scales: unknown scale "${name}" (small, large)`);
    return { name, days: own ? Number(own) : days };
  });
  const command = `npm run bench -- ${process.argv.slice(2).join(' ')}`;
  const counting = await startCountingFirestore();
  const servers = await startLocalServers();
  Object.assign(process.env, servers.env, { MONITORING_ENVIRONMENT: 'bench' });
  const runs: QualityRun[] = [];
  log(`8. Alert quality: ${scales.map((scale) => `${scale.days} days at ${scale.name}`).join(', ')}`);
  for (const { name, days: own } of scales) {
    const run = await simulateQuality(servers, SCALES[name], { days: own, historyDays, incidents: true, log });
    log(`  ${SCALES[name].label}: ${run.runs} runs in ${run.wallSeconds.toFixed(0)} s, ${run.pages.length} pages`);
    runs.push(run);
  }
  await servers.stop();
  await counting.stop();
  const section = qualitySection(runs, command, `${machine()}, shared (load average ${loadavg()[0].toFixed(1)} at the end)`, commit());
  if (!process.argv.includes('--no-write')) {
    const file = resolve(root, 'docs', 'performance.md');
    const current = existsSync(file) ? readFileSync(file, 'utf8') : '# Performance\n';
    const at = current.indexOf(QUALITY_HEADING);
    const next = at < 0 ? -1 : current.indexOf('\n## ', at + QUALITY_HEADING.length);
    writeFileSync(file, at < 0 ? `${current.trimEnd()}\n\n${section}` : `${current.slice(0, at)}${section}${next < 0 ? '' : `\n${current.slice(next + 1)}`}`);
  }
  process.stdout.write(`${section}\n`);
  process.exit(0);
}

async function main(): Promise<void> {
  const log = (line: string) => process.stderr.write(`${line}\n`);
  process.env.MONITORING_LOG_LEVEL ??= 'error';
  // Not on Google Cloud: no probing of the metadata server (it prints a MetadataLookupWarning where it answers 403).
  process.env.METADATA_SERVER_DETECTION ??= 'none';
  if (process.argv[2] === 'detection') return detectionOnly(log);
  if (process.argv[2] === 'sources') return sourcesOnly(log);
  if (process.argv[2] === 'quality') return qualityOnly(log);
  if (argument('--only') === 'outside') return outsideOnly(log);
  const sizesArg = argument('--sizes');
  const sizes = sizesArg ? numbers('--sizes', sizesArg) : [1_000, 3_000, 10_000];
  const command = `npm run bench${sizesArg ? ` -- --sizes ${sizes.join(',')}` : ''}`;

  log('Building functions (lib/) for the cold-start measurement...');
  execFileSync('npm', ['run', '-s', 'build'], { cwd: resolve(__dirname, '..', '..'), stdio: 'inherit' });

  const counting = await startCountingFirestore();
  const servers = await startLocalServers();
  Object.assign(process.env, servers.env, { MONITORING_ENVIRONMENT: 'bench' });

  log('1. Reads against data size');
  const reads = await measureReads(WORKLOADS, sizes, counting, servers, log);

  log('2. Cold start');
  const exported = Object.keys(require(resolve(__dirname, '..', '..', 'lib', 'index.js')) as Record<string, unknown>).filter((name) => name !== 'REGION');
  const coldStart = await measureColdStart(
    exported,
    { ...process.env, GCLOUD_PROJECT: `demo-bench-coldstart-${Date.now().toString(36)}`, MONITORING_LOG_LEVEL: 'silent' },
    {
      acknowledgeAlert: { alertId: 'no-such-alert' },
      resolvePaymentAlert: { alertId: 'no-such-alert' },
      resolveFunctionalAlert: { alertId: 'no-such-alert', resolution: 'benchmark' },
      triggerFunctionalCheck: { checkType: 'booking' },
      getPaymentMetrics: { days: 7 },
      endSilence: { silenceId: 'no-such-silence' },
      createSilence: { ruleId: 'failed_payouts', durationMinutes: 30, reason: 'benchmark' },
      sendTestNotification: { channel: 'slack' },
      updateThresholds: { patch: { rules: { failed_payouts: { threshold: 0 } } } },
    },
  );

  log('3. Notification fan-out');
  const fanout = await measureFanout(servers);

  log('4. Detection coverage');
  const detectionText = await detection(servers, log, command, [1_000, 10_000]);

  log('5. Checks from the outside');
  const outsideText = outsideSection(await measureOutside(servers, log));

  await servers.stop();
  await counting.stop();

  const report = [
    '# Performance',
    '',
    `Measured with \`${command}\` on ${new Date().toISOString().slice(0, 10)}: ${machine()}. Regenerate with the same command.`,
    '',
    '## 1. Firestore reads against data size',
    '',
    "Each job runs once (a real run: alerts, notifications to local servers, run record) on N documents per source collection, seeded with a fixed random mix of statuses and timestamps. Next to it, in the same process and on the same data, a straightforward implementation downloads every document of the source collections and computes the same metrics in memory; its values are compared with the job's. RPCs are counted at the emulator (every gRPC call, writes included); billed reads follow Firestore pricing (documents returned, at least one per query; aggregation queries one read per 1,000 index entries, at least one).",
    '',
    readsSection(reads),
    '',
    "What still grows with N is bounded: documents read to explain a firing rule (a sample of at most 20 per failure rule), the `payment_error` events grouped by error code (at most `maxEvents`, 500), one document per distinct form with errors, and the engine's reads for the alerts that open as more conditions are met at larger N. The aggregation part stays at one billed read per query until a query matches more than 1,000 index entries.",
    '',
    'Wall times come from the embedded emulator, which evaluates every query by scanning the whole collection in memory: they grow with N here even for aggregation queries. Production Firestore serves them from indexes; compare billed reads, not milliseconds.',
    '',
    '## 2. Cold start',
    '',
    coldStartSection(coldStart),
    '',
    '## 3. Notification fan-out',
    '',
    'One emergency alert to Slack, email and SMS (two recipients) through the real SDKs and local servers; median of 5 runs per case. "Total delivery" is the dispatch phase of the run (reading the deliveries, claiming, sending, recording).',
    '',
    fanoutSection(fanout),
    '',
    detectionText,
    '',
    outsideText,
    // Sections 6 on (validation: dev/bench/validation.ts; sources: npm run bench -- sources) are written on their own: kept as they are.
    ...keptSections(resolve(root, 'docs', 'performance.md')),
  ].join('\n');
  writeFileSync(resolve(root, 'docs', 'performance.md'), report);
  process.stdout.write(`${report}\n`);
  process.exit(0);
}

main().catch((error: unknown) => {
  process.stderr.write(`Benchmark failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
