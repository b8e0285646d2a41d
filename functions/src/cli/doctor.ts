/**
 * npm run monitor -- doctor [--json] [--now <ISO time>]
 *
 * What the monitors can see of the app's data through the source mapping (sources/doctor.ts), against
 * the Firestore in use. Read-only. Exit code 0 when every rule can see its data (or is off by the
 * mapping, or has nothing to check yet), 1 when a rule is blind, 2 on bad usage or a bad mapping.
 */
import { parseArgs } from 'node:util';
import { getApps, initializeApp } from 'firebase-admin/app';
import { getFirestore } from 'firebase-admin/firestore';
import { RULES } from '../rules';
import { readSourcesFile, sourcesFilePath, SourceMappingError } from '../sources';
import { runDoctor, type DoctorReport } from '../sources/doctor';
import type { CliOutcome } from './monitor';

/** An app-written value shown in a terminal: control characters replaced, bounded. */
const shown = (value: string) => [...value.slice(0, 40)].map((char) => (/\p{Cc}/u.test(char) ? '?' : char)).join('');

const MARK: Record<string, string> = { ok: 'ok', partial: 'PARTLY', missing: 'MISSING', wrongType: 'WRONG TYPE', unverified: '-', notMapped: 'off' };

/** The doctor's report as a person reads it. */
export function formatDoctor(report: DoctorReport, origin: string): string {
  const lines = [`Source mapping: ${origin}`, `Checked at ${report.checkedAt}, ${report.billedReads} billed reads`, ''];
  for (const source of report.sources) {
    if (source.collection === null) {
      lines.push(`${source.name}: mapped to nothing (rules reading it are off)`, '');
      continue;
    }
    const count = source.documents === null ? '?' : `${source.documents}${source.countCapped ? '+' : ''}`;
    const age = source.newestWriteAt ? `newest write ${source.newestWriteAt} (${source.newestAgeHours} h ago)` : 'no dated write found';
    lines.push(`${source.name} → ${source.collection}: ${count} document(s), ${age}`);
    for (const [field, info] of Object.entries(source.fields)) {
      const share = info.presence && info.presence.sampled ? ` ${info.presence.typed}/${info.presence.sampled} with type ${info.type}` : '';
      lines.push(`  ${MARK[info.verdict].padEnd(10)} ${field.padEnd(22)} ${info.path ?? '(not mapped)'}${share}`);
    }
    for (const [field, values] of Object.entries(source.unknownValues)) {
      lines.push(
        `  UNKNOWN    ${field}: ${values.map(({ value, count }) => `"${shown(value)}" ×${count}`).join(', ')} (not in the mapping: add them to values or knownValues)`,
      );
    }
    lines.push('');
  }
  lines.push('Rules:');
  for (const rule of report.rules)
    lines.push(`  ${rule.visibility.toUpperCase().padEnd(10)} ${rule.id}${rule.reasons.length ? `: ${rule.reasons.join('; ')}` : ''}`);
  const blind = report.rules.filter((rule) => rule.visibility === 'blind');
  lines.push(
    '',
    blind.length ? `${blind.length} rule(s) cannot see their data: fix the mapping (docs/integration.md).` : 'Every rule that is on can see its data.',
  );
  return lines.join('\n');
}

export async function doctorMain(args: string[]): Promise<CliOutcome> {
  let values: { json?: boolean; now?: string };
  try {
    values = parseArgs({ args, strict: true, allowPositionals: false, options: { json: { type: 'boolean' }, now: { type: 'string' } } }).values;
  } catch (error) {
    return { code: 2, stdout: '', stderr: `${(error as Error).message}\n\nUsage: npm run monitor -- doctor [--json] [--now <ISO time>]` };
  }
  let mapping;
  try {
    mapping = readSourcesFile();
  } catch (error) {
    if (error instanceof SourceMappingError) return { code: 2, stdout: '', stderr: error.message };
    throw error;
  }
  const now = values.now ? new Date(values.now) : new Date();
  if (Number.isNaN(now.getTime())) return { code: 2, stdout: '', stderr: `--now: "${values.now}" is not a date-time` };
  if (!getApps().length) initializeApp({ projectId: process.env.GCLOUD_PROJECT });
  const report = await runDoctor(getFirestore(), mapping, RULES, now);
  const code = report.ok ? 0 : 1;
  return { code, stdout: values.json ? JSON.stringify(report, null, 2) : formatDoctor(report, sourcesFilePath()), stderr: '' };
}
