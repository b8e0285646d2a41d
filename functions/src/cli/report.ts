/** Human-readable rendering of a run result (CLI and demo). */
import type { RunResult } from '../pipeline/run';

const pad = (text: string, width: number) => (text.length >= width ? text : text + ' '.repeat(width - text.length));

export function formatRunReport(result: RunResult): string {
  const lines: string[] = [];
  const mode = result.dryRun ? ', dry run: nothing written or sent' : '';
  lines.push(
    `Run ${result.runId} (${result.job}${Object.keys(result.options).length ? ` ${JSON.stringify(result.options)}` : ''}${mode})`,
    `  evaluated at ${result.tick}, ${result.durationMs} ms, ~${result.reads.billedReads} billed reads (${result.reads.aggregations} aggregations, ${result.reads.documents} documents)`,
  );
  if (result.config.problems.length) {
    lines.push(`  configuration override rejected (${result.config.source} in force):`);
    for (const problem of result.config.problems) lines.push(`    - ${problem}`);
  }
  for (const skipped of result.skippedChecks) lines.push(`  skipped ${skipped.check}: ${skipped.reason}`);
  lines.push('  Evaluations:');
  for (const item of result.evaluations) {
    const status = item.status === 'breach' ? `FIRING ${item.severity?.toUpperCase()}` : item.status;
    const value = item.value === null ? '-' : String(Number.isInteger(item.value) ? item.value : item.value.toFixed(2));
    lines.push(
      `    ${pad(status, 18)} ${pad(item.key ? `${item.ruleId} [${item.key}]` : item.ruleId, 52)} value ${pad(value, 8)} threshold ${item.threshold}${item.reason ? `  (${item.reason})` : ''}`,
    );
  }
  const { opened, updated, resolved, pending } = result.alerts;
  if (!result.dryRun) {
    lines.push(`  Alerts: ${opened.length} opened, ${updated.length} updated, ${resolved.length} resolved, ${pending.length} pending`);
    for (const [label, items] of [
      ['opened', opened],
      ['updated', updated],
      ['resolved', resolved],
    ] as const) {
      for (const item of items) {
        lines.push(
          `    ${pad(label, 9)} ${pad(item.severity?.toUpperCase() ?? '', 10)} ${item.collection}/${item.alertId}${item.events.length ? `  notify: ${item.events.join(', ')}` : ''}${item.note ? `  (${item.note})` : ''}`,
        );
      }
    }
    for (const item of result.escalations ?? []) {
      lines.push(
        `    ${pad('re-sent', 9)} ${pad(item.severity.toUpperCase(), 10)} ${item.collection}/${item.alertId}  notify: ${item.event} -> ${item.channels.join(', ') || 'no channel'} (unacknowledged for ${item.unacknowledgedMinutes} min)`,
      );
    }
    if (result.deliveries.length) {
      lines.push('  Deliveries:');
      for (const delivery of result.deliveries) {
        lines.push(
          `    ${pad(delivery.channel, 6)} ${pad(delivery.status, 10)} ${delivery.alertId} (${delivery.event}, attempt ${delivery.attempt})${delivery.error ? `: ${delivery.error}` : ''}`,
        );
      }
    }
  } else if (result.candidates.length) {
    lines.push('  Would alert on:');
    for (const candidate of result.candidates) lines.push(`    ${pad(candidate.severity.toUpperCase(), 10)} ${candidate.title}: ${candidate.message}`);
  }
  if (result.error) lines.push(`  ERROR: ${result.error}`);
  return lines.join('\n');
}
