/**
 * Section 4 of docs/performance.md from a detection benchmark run, next to the stored baseline
 * (dev/bench/detection-baseline.json: today's design before issue 10, written with `--baseline`).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { READ_PRICE_USD_PER_100K, SIMULATED_DAY, type DetectionReport } from './detection';

export const BASELINE_FILE = resolve(__dirname, 'detection-baseline.json');
export const SECTION_HEADING = '## 4. Detection coverage';
const PRICE_SOURCE = 'https://cloud.google.com/firestore/pricing';

export function readBaseline(): DetectionReport | null {
  return existsSync(BASELINE_FILE) ? (JSON.parse(readFileSync(BASELINE_FILE, 'utf8')) as DetectionReport) : null;
}

export function writeBaseline(report: DetectionReport): void {
  writeFileSync(BASELINE_FILE, `${JSON.stringify(report, null, 2)}\n`);
}

function table(headers: string[], rows: Array<Array<string | number>>): string {
  return [`| ${headers.join(' | ')} |`, `|${headers.map(() => '---').join('|')}|`, ...rows.map((row) => `| ${row.join(' | ')} |`)].join('\n');
}

/** 7 min, 3 h 52 min, 1 d 2 h. */
export function duration(minutes: number | null): string {
  if (minutes === null) return '-';
  const rounded = Math.round(minutes);
  if (rounded < 60) return `${rounded} min`;
  const hours = Math.floor(rounded / 60);
  const rest = rounded % 60;
  return rest ? `${hours} h ${rest} min` : `${hours} h`;
}

const percent = (part: number, whole: number) => `${whole ? Math.round((part * 100) / whole) : 0} %`;

function coverageTable(report: DetectionReport): string {
  return table(
    ['rule', 'severity', 'reads', 'evaluated by (jobs)', 'condition holds after', 'horizon', 'detected', 'p50', 'p95', 'max', 'target (100 %, p95 <=)', 'met'],
    report.rules.map((rule) => [
      `\`${rule.ruleId}\``,
      rule.severity,
      rule.vendor ? 'vendor API' : 'Firestore',
      rule.jobs.join(', ') || 'trigger only',
      duration(rule.breachAfterMin),
      duration(rule.horizonHours * 60),
      `${rule.detected}/${rule.bursts} (${percent(rule.detected, rule.bursts)})`,
      duration(rule.p50),
      duration(rule.p95),
      duration(rule.max),
      duration(rule.targetMinutes),
      rule.met ? 'yes' : '**no**',
    ]),
  );
}

function readsTable(full: DetectionReport): string {
  const failed = full.reads.filter((entry) => entry.error);
  const report = { ...full, reads: full.reads.filter((entry) => !entry.error) };
  const notMeasured = failed.map((entry) => `Not measured at N = ${entry.n}: ${entry.error}.`);
  if (!report.reads.length) return notMeasured.join('\n');
  const sizes = report.reads.map((entry) => entry.n);
  const jobs = report.reads[0]?.jobs ?? [];
  const rows: Array<Array<string | number>> = jobs.map((job) => [
    `\`${job.job}\``,
    `\`${job.schedule}\``,
    job.runsPerDay,
    ...report.reads.map((entry) => entry.jobs.find((item) => item.job === job.job)?.billedReadsPerRun ?? '-'),
    ...report.reads.map((entry) => {
      const item = entry.jobs.find((candidate) => candidate.job === job.job);
      return item ? item.runsPerDay * item.billedReadsPerRun : '-';
    }),
  ]);
  rows.push([
    '**all jobs**',
    '',
    jobs.reduce((sum, job) => sum + job.runsPerDay, 0),
    ...report.reads.map(() => ''),
    ...report.reads.map((entry) => `**${entry.readsPerDay}**`),
  ]);
  return [
    table(['job', 'schedule', 'runs per day', ...sizes.map((n) => `billed reads per run, N = ${n}`), ...sizes.map((n) => `reads per day, N = ${n}`)], rows),
    '',
    `Monthly read cost (30 days at USD ${READ_PRICE_USD_PER_100K} per 100,000 reads): ${report.reads.map((entry) => `N = ${entry.n}: USD ${entry.monthlyUsd.toFixed(2)}`).join('; ')}.`,
    ...(notMeasured.length ? ['', ...notMeasured] : []),
  ].join('\n');
}

function runBlock(report: DetectionReport, title: string): string {
  const missed = report.rules.filter((rule) => !rule.met);
  return [
    `### ${title}`,
    '',
    `Commit \`${report.commit}\`, ${report.date}, ${report.machine}; ${report.starts} burst start times; simulation ${report.totalRuns} job runs in ${Math.round(report.wallSeconds)} s, reads part ${Math.round(report.readsSeconds)} s. Command: \`${report.command}\`.`,
    '',
    coverageTable(report),
    '',
    ...report.rules
      .filter((rule) => rule.falseAlarms)
      .map(
        (rule) =>
          `\`${rule.ruleId}\` sent a message before its burst started (from the history alone) in ${rule.falseAlarms} of ${rule.bursts} simulations: a false alarm, counted as a missed target.\n`,
      ),
    missed.length
      ? `Targets missed by ${missed.length} of ${report.rules.length} rules: ${missed.map((rule) => `\`${rule.ruleId}\``).join(', ')}.`
      : `Every target met (${report.rules.length} rules).`,
    ...(report.failures.length
      ? ['', `Failed runs (${report.failures.length}): ${report.failures.slice(0, 5).join('; ')}${report.failures.length > 5 ? '; ...' : ''}`]
      : []),
    '',
    'Billed reads per day of all jobs together:',
    '',
    readsTable(report),
  ].join('\n');
}

function comparison(current: DetectionReport, baseline: DetectionReport): string {
  const lines = current.rules.map((rule) => {
    const before = baseline.rules.find((item) => item.ruleId === rule.ruleId);
    if (!before) return `- \`${rule.ruleId}\`: not in the baseline.`;
    return `- \`${rule.ruleId}\`: detected ${percent(before.detected, before.bursts)} -> ${percent(rule.detected, rule.bursts)}; p95 ${duration(before.p95)} -> ${duration(rule.p95)}; max ${duration(before.max)} -> ${duration(rule.max)}.`;
  });
  const reads = current.reads.map((entry) => {
    const before = baseline.reads.find((item) => item.n === entry.n && !item.error);
    if (entry.error) return `- N = ${entry.n}: not measured in this run.`;
    if (!before) return `- N = ${entry.n}: ${entry.readsPerDay} reads per day (no baseline at this N).`;
    const ratio = entry.readsPerDay / before.readsPerDay;
    return `- N = ${entry.n}: ${before.readsPerDay} -> ${entry.readsPerDay} reads per day (x${ratio.toFixed(2)}), USD ${before.monthlyUsd.toFixed(2)} -> ${entry.monthlyUsd.toFixed(2)} per month${entry.n === 10_000 ? ` (target <= 3x at N = 10,000: ${ratio <= 3 ? 'met' : '**missed**'})` : ''}.`;
  });
  return ['### This run against the baseline', '', ...lines, '', ...reads].join('\n');
}

/** `baseline`: the stored baseline to compare with; null when `current` is the baseline (or there is none). */
export function detectionSection(current: DetectionReport, baseline: DetectionReport | null, currentIsBaseline: boolean): string {
  const notInjected = Object.entries(current.notInjected).map(([ruleId, why]) => `- \`${ruleId}\`: ${why}`);
  return [
    SECTION_HEADING,
    '',
    `For each critical and emergency rule, a burst that breaches it (dev/bench/injectors.ts) starts at ${current.starts} instants spread over ${SIMULATED_DAY.label} (every ${duration(1440 / current.starts)}, each shifted by a different number of minutes: just after a run, between runs, just before one, in the evening so that the burst runs across midnight). Each simulation is a fresh Firestore project on the embedded emulator and the local vendor servers: the app's documents and the vendors' state change as simulated time reaches them, and every job that evaluates the rule runs at each instant of its cron schedule in its time zone (dev/bench/cron.ts), in time order, through \`runJob\` as Cloud Scheduler ticks (the CLI's \`--now <t> --scheduled\` path; one message per alert, no grouping or inhibition, so each rule's own first message is timed), from the burst start until the rule's first message or the horizon. Critical errors also go through the \`onErrorLogCreated\` trigger's handler, called on each new \`error_logs\` document at its write time.`,
    '',
    'Time to first message: from the burst start to the tick of the run that sent the first message about an alert of that rule (a `sent` delivery of `RunResult.deliveries`). "Condition holds after": when the breach first shows on the injected data with the default parameters (a count above its threshold, a minimum sample reached, an age limit passed); no design can page before it. A rule with no message within the horizon (1.5 periods of the most frequent job evaluating it, at least 6 h) counts as missed; p50 / p95 / max are over the detected bursts. Targets (issue 10): every burst detected, p95 at most 10 min for the Firestore-only rules and at most one schedule period (of the most frequent job evaluating it) for the vendor API checks.',
    '',
    'Before the burst, each job of a simulation runs once at its last scheduled instant before the start, on the history the burst needs (busy hours before an outage...), so that what a run keeps for the next one (open alerts, the previous evaluation) is in place; a message about the rule there would be a false alarm and is reported. Which jobs evaluate a rule comes from a calibration run of every job of the catalogue (`RunResult.evaluations`); rules evaluated by the same jobs share a simulation (their bursts touch different documents), and a simulation runs only those jobs: the first message about a rule comes from a run that evaluates it (the local channels never fail, so no retry carries it). The heartbeat alerts those runs raise about the jobs not run are ignored. Jobs due at the same instant run one after the other in catalogue order.',
    '',
    'Billed reads per day: every job of the catalogue on N documents per source collection (the seeding of section 1), measured on its second run at consecutive scheduled instants (the first one opens the alerts and records the previous evaluation), times its runs per day from its cron. Read price: USD 0.03 per 100,000 document reads, the list price of Firestore standard edition in europe-west1 and nam5 (' +
      PRICE_SOURCE +
      '; prices per location are in the table of that page).',
    '',
    'Critical and emergency rules not injected:',
    '',
    ...notInjected,
    '',
    `Regenerate this section alone with \`npm run bench -- detection\` (\`--starts N\`, \`--rules a,b\`, \`--sizes 1000,10000\`); \`npm run bench -- detection --baseline\` stores the run as the baseline in functions/dev/bench/detection-baseline.json. The full \`npm run bench\` includes it.`,
    '',
    ...(currentIsBaseline || baseline === null
      ? [runBlock(current, currentIsBaseline ? `Baseline: today's design (before issue 10)` : 'This run (no baseline stored)')]
      : [runBlock(current, 'This run'), '', comparison(current, baseline), '', runBlock(baseline, `Baseline: today's design (before issue 10)`)]),
    '',
  ].join('\n');
}

/** Replaces section 4 (to the end of the file or the next "## " heading) or appends it. */
export function replaceSection(document: string, section: string): string {
  const start = document.indexOf(SECTION_HEADING);
  if (start < 0) return `${document.trimEnd()}\n\n${section}`;
  const next = document.indexOf('\n## ', start + SECTION_HEADING.length);
  return `${document.slice(0, start)}${section}${next < 0 ? '' : `\n${document.slice(next + 1)}`}`;
}
