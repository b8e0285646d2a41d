/**
 * Documentation generated from the definitions (rules, params, defaults), so that it cannot drift.
 * Generated blocks live between `<!-- generated:NAME -->` and `<!-- /generated:NAME -->` markers in
 * hand-written files; `npm run docs` refreshes them and a test fails when they are stale.
 */
import { z } from 'zod';
import { ADMIN_CALLABLES } from '../src/admin';
import { COMMON_ERRORS } from '../src/admin/callable';
import { TIME_ZONE } from '../src/config/deployment';
import { PARAMS } from '../src/config/params';
import { CHANNELS } from '../src/notifications/channels/manifests';
import { BASELINE_NOTES } from '../src/rules/baselines';
import {
  DEFAULT_ESCALATION,
  DEFAULT_GROUPING,
  DEFAULT_METRICS,
  DEFAULT_NOTIFICATIONS,
  DEFAULT_PRESENTATION,
  DEFAULT_RETENTION,
  DEFAULT_ROUTING,
  DEFAULT_VENDORS,
} from '../src/config/schema';
import { JOBS } from '../src/jobs/catalog';
import { checksFor, FUNCTIONAL_CHECKS } from '../src/monitors/functional/checks';
import { FUNCTIONAL_CHECK_SETS } from '../src/monitors/functional/sets';
import { FAST_PATH_RULES } from '../src/monitors/fast';
import { detectionOf } from './detection';
import { SOURCE_MODEL, SOURCE_NAMES, type FieldModel, type SourceModel } from '../src/sources/model';
import { ALERT_COLLECTIONS, DEFAULT_INHIBITIONS, DOMAINS, getRule, isIntegerParam, LOCALES, RULES, type RuleDefinition } from '../src/rules';

const DOMAIN_TITLES = { payment: 'Payment rules', functional: 'Functional rules', system: 'System rules' } as const;

function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function unitSuffix(rule: RuleDefinition): string {
  return { count: '', percent: ' %', score: '/100', amount: '', hours: ' h', minutes: ' min' }[rule.unit];
}

export function conditionText(rule: RuleDefinition, threshold = rule.threshold): string {
  return `${rule.direction === 'above' ? '>' : '<'} ${threshold}${unitSuffix(rule)}`;
}

function defaultParams(rule: RuleDefinition): Record<string, number> {
  return Object.fromEntries(Object.entries(rule.params ?? {}).map(([name, spec]) => [name, spec.default]));
}

/** docs/alerts.md: the catalogue. */
export function alertCatalogue(): string {
  const lines: string[] = [];
  for (const domain of DOMAINS) {
    const rules = RULES.filter((rule) => rule.domain === domain);
    if (rules.length === 0) continue;
    lines.push(`## ${DOMAIN_TITLES[domain]}`, '', `Written to \`${ALERT_COLLECTIONS[domain]}\`.`, '');
    lines.push('| Rule id | Alert | Fires when | Default severity | Minimum sample | Window |', '|---|---|---|---|---|---|');
    for (const rule of rules) {
      const window = rule.window ? rule.window(defaultParams(rule)) : 'current state';
      lines.push(
        `| [\`${rule.id}\`](#${rule.id}) | ${escapeCell(rule.title)} | ${conditionText(rule)} | ${rule.severity} | ${rule.minSample ? `${rule.minSample.default} ${rule.minSample.label}` : '-'} | ${escapeCell(window)} |`,
      );
    }
    lines.push('');
    for (const rule of rules) {
      lines.push(`### ${rule.id}`, '', `**${rule.title}** (${rule.category}). ${rule.summary}`, '');
      lines.push(
        `- Fires when: value ${conditionText(rule)}${rule.keyLabel ? `, separately for each ${rule.keyLabel}` : ''} (equal to the threshold does not fire)`,
      );
      lines.push(`- Default severity: ${rule.severity}`);
      if (rule.minSample) lines.push(`- Evaluated only with at least ${rule.minSample.default} ${rule.minSample.label} (\`minSample\`)`);
      if (rule.consecutiveRuns && rule.consecutiveRuns > 1) lines.push(`- Opens after ${rule.consecutiveRuns} consecutive runs over the threshold`);
      if (rule.recoveryThreshold !== undefined) lines.push(`- Clears at ${rule.recoveryThreshold}${unitSuffix(rule)}`);
      for (const [name, spec] of Object.entries(rule.params ?? {})) {
        lines.push(
          `- \`params.${name}\`: ${spec.description} Default ${spec.default} ${spec.unit} (${spec.min}-${spec.max}${isIntegerParam(spec) ? ', whole number' : ''}).`,
        );
      }
      lines.push(`- Threshold overrides accepted: ${rule.thresholdRange.min} to ${rule.thresholdRange.max}`);
      if (BASELINE_NOTES[rule.id]) lines.push(`- Baseline (own history or ratio to volume) instead of the absolute threshold: ${BASELINE_NOTES[rule.id]}`);
      lines.push(
        `- Data: ${rule.source}`,
        `- Impact: ${rule.impact}`,
        `- What to do: ${rule.suggestedAction} See the [runbook](runbook.md#rule-${rule.id}).`,
        '',
      );
    }
  }
  return lines.join('\n').trimEnd();
}

/** docs/runbook.md: one section per rule. */
export function runbookSections(): string {
  const lines: string[] = [];
  for (const domain of DOMAINS) {
    const rules = RULES.filter((rule) => rule.domain === domain);
    if (rules.length === 0) continue;
    lines.push(`## ${DOMAIN_TITLES[domain]}`, '');
    for (const rule of rules) {
      const { runbook } = rule;
      lines.push(`<a id="rule-${rule.id}"></a>`, `### ${rule.title} (\`${rule.id}\`, ${rule.severity})`, '', runbook.meaning, '');
      const list = (title: string, items: readonly string[]) => {
        if (items.length === 0) return;
        lines.push(`**${title}**`, '', ...items.map((item) => `- ${item}`), '');
      };
      list('Is it real?', runbook.confirm);
      list('Diagnose', runbook.diagnose);
      list('Act', runbook.fix);
      lines.push(`**Resolved when:** ${runbook.resolvedWhen}`, '');
    }
  }
  return lines.join('\n').trimEnd();
}

/** Params and secrets table (README and docs/configuration.md). */
export function paramsTable(): string {
  const defaultCell = (entry: (typeof PARAMS)[number]) => {
    if (entry.defaultValue) return `\`${escapeCell(entry.defaultValue)}\``;
    return entry.kind === 'secret' ? '- (Secret Manager)' : '- (asked at deploy)';
  };
  return [
    '| Name | Kind | Default | Needed for | Description |',
    '|---|---|---|---|---|',
    ...PARAMS.map(
      (entry) =>
        `| \`${entry.param.name}\` | ${entry.kind} | ${defaultCell(entry)} | ${entry.usedBy} | ${escapeCell(entry.description)} Example: \`${escapeCell(entry.example)}\` |`,
    ),
  ].join('\n');
}

/** functions/.env.example: every non-secret param, for deploys that cannot answer prompts (CI). */
export function envExample(): string {
  const quote = (value: string) => (/[\s<>#"'$]/.test(value) ? `"${value.replace(/(["\\$])/g, '\\$1')}"` : value);
  const lines: string[] = [];
  for (const entry of PARAMS) {
    if (entry.kind === 'secret') continue;
    const plain = entry.description.replace(/`/g, '');
    lines.push(`# ${entry.param.name} (${entry.kind}${entry.defaultValue ? `, default ${entry.defaultValue}` : ', required'}; ${entry.usedBy}): ${plain}`);
    lines.push(`${entry.param.name}=${quote(entry.defaultValue ?? entry.example)}`);
  }
  const secrets = PARAMS.filter((entry) => entry.kind === 'secret').map((entry) => entry.param.name);
  lines.push(
    `# Secrets are not set here but in Secret Manager (npm run firebase -- functions:secrets:set NAME; the value none goes without): ${secrets.join(', ')}`,
  );
  return lines.join('\n');
}

/** Rule defaults as they appear in the override document. */
export function ruleDefaultsTable(): string {
  return [
    '| Rule id | Threshold | Severity | Range | minSample | params (default, range; int = whole numbers only) |',
    '|---|---|---|---|---|---|',
    ...RULES.map((rule) => {
      const params = Object.entries(rule.params ?? {})
        .map(([name, spec]) => `\`${name}\`=${spec.default} (${spec.min}-${spec.max}${isIntegerParam(spec) ? ', int' : ''})`)
        .join(', ');
      return `| \`${rule.id}\` | ${conditionText(rule)} | ${rule.severity} | ${rule.thresholdRange.min}-${rule.thresholdRange.max} | ${rule.minSample ? rule.minSample.default : '-'} | ${params || '-'} |`;
    }),
  ].join('\n');
}

export function notificationDefaults(): string {
  return [
    '| Setting | Default |',
    '|---|---|',
    ...Object.entries(DEFAULT_ROUTING).map(([severity, channels]) => `| \`routing.${severity}\` | ${channels.join(', ')} |`),
    ...Object.entries(DEFAULT_NOTIFICATIONS.repeatIntervalMinutes).map(
      ([severity, minutes]) => `| \`notifications.repeatIntervalMinutes.${severity}\` | ${minutes} |`,
    ),
    `| \`notifications.channelTimeoutMs\` | ${DEFAULT_NOTIFICATIONS.channelTimeoutMs} |`,
    `| \`notifications.maxAttempts\` | ${DEFAULT_NOTIFICATIONS.maxAttempts} |`,
    `| \`notifications.retryBackoffMinutes\` | ${DEFAULT_NOTIFICATIONS.retryBackoffMinutes} |`,
    `| \`vendors.timeoutMs\` | ${DEFAULT_VENDORS.timeoutMs} |`,
    `| \`metrics.currencies\` | ${DEFAULT_METRICS.currencies.join(', ')} |`,
  ].join('\n');
}

export function escalationDefaults(): string {
  return [
    '| Setting | Default | Accepted |',
    '|---|---|---|',
    `| \`escalation.enabled\` | ${DEFAULT_ESCALATION.enabled} | true, false |`,
    ...Object.entries(DEFAULT_ESCALATION.afterMinutes).map(([severity, minutes]) => `| \`escalation.afterMinutes.${severity}\` | ${minutes} | 5-10080 |`),
  ].join('\n');
}

export function retentionDefaults(): string {
  const accepted: Record<keyof typeof DEFAULT_RETENTION, string> = {
    resolvedAlertsDays: '1-3650',
    metricsDays: '1-3650',
    runRecordsDays: '1-3650',
    batchSize: '1-500',
    timeBudgetSeconds: '0-480',
  };
  return [
    '| Setting | Default | Accepted |',
    '|---|---|---|',
    ...Object.entries(DEFAULT_RETENTION).map(([name, value]) => `| \`retention.${name}\` | ${value} | ${accepted[name as keyof typeof DEFAULT_RETENTION]} |`),
  ].join('\n');
}

export function presentationDefaults(): string {
  return [
    '| Setting | Default | Accepted |',
    '|---|---|---|',
    `| \`presentation.locale\` | ${DEFAULT_PRESENTATION.locale} | ${LOCALES.join(', ')} |`,
    `| \`presentation.timeZone\` | ${DEFAULT_PRESENTATION.timeZone} | an IANA time zone (Europe/Paris, UTC, America/New_York...) |`,
  ].join('\n');
}

/** The built-in inhibitions (rules/inhibitions.ts), one row each. */
export function inhibitionsTable(): string {
  const rule = (id: string) => `[\`${id}\`](#${id}) (${getRule(id).severity})`;
  const keys = (list: string[] | undefined) => (list ? ` with key ${list.map((key) => `\`${key}\``).join(', ')}` : '');
  return [
    '| While this is open | these are recorded but not notified | Equal fields | Why |',
    '|---|---|---|---|',
    ...DEFAULT_INHIBITIONS.map(
      (item) =>
        `| ${rule(item.source)}${keys(item.sourceKeys)} | ${item.targets.map(rule).join(', ')}${keys(item.targetKeys)} | ${item.equal.map((field) => `\`${field}\``).join(', ') || 'none'} | ${escapeCell(item.reason ?? '')} |`,
    ),
  ].join('\n');
}

export function groupingDefaults(): string {
  return [
    '| Setting | Default | Accepted |',
    '|---|---|---|',
    `| \`grouping.by\` | ${DEFAULT_GROUPING.by} | all, domain, category, none |`,
    `| \`grouping.waitSeconds\` | ${DEFAULT_GROUPING.waitSeconds} | 0 to 3600 |`,
  ].join('\n');
}

export function jobsTable(): string {
  const fastRules = FAST_PATH_RULES.map((rule) => `\`${rule.id}\``).join(', ');
  return [
    `| Job (CLI) | Cloud Function | Schedule (${TIME_ZONE}) | Heartbeat period | What it does |`,
    '|---|---|---|---|---|',
    ...JOBS.map(
      (job) =>
        `| \`${job.name}\` | \`${job.exportName}\` | \`${job.schedule}\` | ${job.periodMinutes} min | ${escapeCell(job.description)}${job.name === 'fast' ? ` Rules: ${fastRules}.` : ''} |`,
    ),
  ].join('\n');
}

/** docs/alerts.md: for every rule, who evaluates it, over what, and how soon it can page. */
export function detectionTable(): string {
  return [
    "| Rule | Severity | Evaluated by | Window and coverage | Worst case from the start of the condition to the first message | Spec's maximum delay |",
    '|---|---|---|---|---|---|',
    ...RULES.map((rule) => {
      const detection = detectionOf(rule, JOBS);
      return `| [\`${rule.id}\`](#${rule.id}) | ${rule.severity} | ${detection.jobs.map((name) => `\`${name}\``).join(', ') || '-'} | ${escapeCell(detection.coverage)} | ${escapeCell(detection.worstCase)} | ${detection.promise ?? '-'} |`;
    }),
  ].join('\n');
}

/** Which functional checks each `check` set runs (docs/alerts.md). */
export function functionalChecksTable(): string {
  const selected = FUNCTIONAL_CHECK_SETS.map((set) => new Set(checksFor(set)));
  return [
    `| Check | Rules | ${FUNCTIONAL_CHECK_SETS.map((set) => `\`${set}\``).join(' | ')} |`,
    `|---|---|${FUNCTIONAL_CHECK_SETS.map(() => '---').join('|')}|`,
    ...FUNCTIONAL_CHECKS.map(
      (check) =>
        `| \`${check.name}\` | ${check.rules.map((id) => `[\`${id}\`](#${id})`).join(', ')} | ${selected.map((checks) => (checks.has(check) ? 'yes' : '')).join(' | ')} |`,
    ),
  ].join('\n');
}

interface JsonSchema {
  type?: string;
  enum?: unknown[];
  const?: unknown;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  format?: string;
  pattern?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
}

/** One input field, compactly: `'a' \| 'b'`, `integer 1-90`, `string ≤ 500 chars`, `id`, `ISO date-time`. */
function describeField(schema: JsonSchema): string {
  if (schema.const !== undefined) return `\`${JSON.stringify(schema.const)}\``;
  if (schema.enum) return schema.enum.map((value) => `\`${String(value)}\``).join(' \\| ');
  if (schema.type === 'integer' || schema.type === 'number') return `${schema.type} ${schema.minimum ?? ''}-${schema.maximum ?? ''}`;
  if (schema.type === 'string') {
    if (schema.format === 'date-time') return 'ISO date-time';
    const size = schema.maxLength !== undefined ? ` ≤ ${schema.maxLength} chars` : '';
    return schema.pattern ? `document id${size}` : `string${size}`;
  }
  return schema.type ?? 'any';
}

/** docs/admin-api.md: every callable's input (from its schema), whether it writes, its error codes. */
export function adminCallablesTable(): string {
  return [
    '| Callable | Input (all fields optional unless marked *) | Writes | Error codes besides ' + COMMON_ERRORS.map((code) => `\`${code}\``).join(', ') + ' |',
    '|---|---|---|---|',
    ...Object.entries(ADMIN_CALLABLES).map(([name, definition]) => {
      const schema = z.toJSONSchema(definition.input, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
      const fields = Object.entries(schema.properties ?? {}).map(
        ([field, property]) => `\`${field}\`${schema.required?.includes(field) ? '*' : ''}: ${describeField(property)}`,
      );
      const errors = definition.errors.map((code) => `\`${code}\``).join(', ');
      return `| [\`${name}\`](#${name.toLowerCase()}) | ${fields.join('; ') || '(none)'} | ${definition.mutates ? 'yes' : 'no'} | ${errors || '-'} |`;
    }),
  ].join('\n');
}

/** Every generated block: file (relative to the repository root) -> block name -> content. */
/** The logical sources the rules read, with their defaults (docs/integration.md). */
export function sourcesReference(): string {
  const out: string[] = [];
  for (const name of SOURCE_NAMES) {
    const model: SourceModel = SOURCE_MODEL[name];
    const readers = RULES.filter((rule) => rule.reads?.some((read) => read.source === name)).map((rule) => `\`${rule.id}\``);
    out.push(`### \`${name}\` (default \`${model.collection}${model.document ? `/${model.document}` : ''}\`)`, '', model.description, '');
    out.push('| Field | Default path | Type | Judged on | Meaning |', '|---|---|---|---|---|');
    for (const [field, spec] of Object.entries(model.fields) as Array<[string, FieldModel]>) {
      const judged = spec.optional ? 'not judged' : spec.when ? `${spec.when.field} ${spec.when.meanings.join(' or ')}` : 'every document';
      out.push(`| \`${field}\` | \`${spec.path}\` | ${spec.type} | ${judged} | ${spec.description} |`);
    }
    const vocabularies = Object.entries(model.vocabularies as Record<string, Record<string, readonly string[]>>);
    if (vocabularies.length) {
      out.push('', 'Vocabularies (meaning: default values):', '');
      for (const [field, meanings] of vocabularies) {
        const known = model.knownValues?.[field];
        out.push(
          `- \`${field}\`: ${Object.entries(meanings)
            .map(([meaning, values]) => `${meaning}: ${values.map((value) => `\`${value}\``).join(', ')}`)
            .join(
              '; ',
            )}${known ? `; known, ignored: ${known.map((value) => `\`${value}\``).join(', ')}` : ''}${model.open?.includes(field) ? ' (also any value of the app: form names)' : ''}`,
        );
      }
    }
    out.push(
      '',
      `Read by: ${readers.join(', ') || 'no rule'}.${model.freshness ? ` Freshness field (source_stale): \`${model.freshness}\`.` : ''}${model.mayBeQuiet ? ' May be empty for long: never stale.' : ''}`,
      '',
    );
  }
  return out.join('\n').trimEnd();
}

/** What each rule reads of the app: with a field or source mapped to null, the rule is off. */
export function ruleReadsTable(): string {
  const rows = RULES.filter((rule) => rule.reads?.length).map(
    (rule) => `| \`${rule.id}\` | ${rule.reads!.map((read) => `${read.source}: ${read.fields.join(', ')}`).join('; ')} |`,
  );
  return ['| Rule | Reads (source: fields) |', '|---|---|', ...rows].join('\n');
}

export function generatedBlocks(): Record<string, Record<string, string>> {
  return {
    'README.md': { params: paramsTable(), jobs: jobsTable() },
    'docs/alerts.md': {
      catalogue: alertCatalogue(),
      'functional-checks': functionalChecksTable(),
      detection: detectionTable(),
      inhibitions: inhibitionsTable(),
    },
    'docs/runbook.md': { rules: runbookSections() },
    'docs/configuration.md': {
      params: paramsTable(),
      rules: ruleDefaultsTable(),
      notifications: notificationDefaults(),
      escalation: escalationDefaults(),
      retention: retentionDefaults(),
      presentation: presentationDefaults(),
      grouping: groupingDefaults(),
    },
    'docs/admin-api.md': { callables: adminCallablesTable() },
    'docs/integration.md': { sources: sourcesReference(), reads: ruleReadsTable() },
    'functions/.env.example': { params: envExample() },
    'dashboard/src/channels.ts': { channels: `export const CHANNELS: readonly string[] = [${CHANNELS.map((name) => `'${name}'`).join(', ')}];` },
  };
}

export function replaceBlock(document: string, name: string, content: string): string {
  const start = `<!-- generated:${name} -->`;
  const end = `<!-- /generated:${name} -->`;
  const from = document.indexOf(start);
  const to = document.indexOf(end);
  if (from === -1 || to === -1 || to < from) throw new Error(`Missing markers ${start} ... ${end}`);
  // The end marker's line keeps what precedes the marker (`# ` in .env files).
  const endLine = document.lastIndexOf('\n', to) + 1;
  return `${document.slice(0, from + start.length)}\n${content}\n${document.slice(Math.max(endLine, from + start.length))}`;
}
