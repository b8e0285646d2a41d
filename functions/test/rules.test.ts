/**
 * What can be checked of firestore.rules without the official emulator (the embedded one does not
 * evaluate rules; behaviour is tested by rules-test/ under `npm run test:rules`): structure, the only
 * allowed operations, field lists and limits against the documentation, unrolled checks complete.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { checkBalanced, outline } from '../dev/rules';
import { SAFE_PAGE, SAFE_PAGE_RULES, SAFE_SUBJECT, SAFE_SUBJECT_RULES } from '../src/config/subjects';

const root = resolve(__dirname, '..', '..');
const rules = readFileSync(resolve(root, 'firestore.rules'), 'utf8');
const dataModel = readFileSync(resolve(root, 'docs', 'data-model.md'), 'utf8');
const security = readFileSync(resolve(root, 'docs', 'security.md'), 'utf8');

const DOCUMENTS = '/databases/{database}/documents';
const BUILT_INS = new Set([
  'request',
  'string',
  'int',
  'float',
  'get',
  'exists',
  'getAfter',
  'existsAfter',
  'debug',
  'path',
  'timestamp',
  'duration',
  'math',
  'hashing',
  'latlng',
]);

/** Rows of the first markdown table after `heading`, as [first cell without backticks, other cells]. */
function tableAfter(text: string, heading: string): Array<[string, string[]]> {
  const start = text.indexOf(heading);
  if (start === -1) throw new Error(`No "${heading}" in the document`);
  const lines = text.slice(start).split('\n');
  const first = lines.findIndex((line) => line.startsWith('|'));
  const rows: Array<[string, string[]]> = [];
  for (const line of lines.slice(first + 2)) {
    if (!line.startsWith('|')) break;
    const cells = line
      .split('|')
      .slice(1, -1)
      .map((cell) => cell.trim());
    rows.push([cells[0].replace(/`/g, ''), cells.slice(1)]);
  }
  return rows;
}

/** The block between <!-- rules-limits:NAME --> markers of docs/security.md. */
function limitsTable(name: string): Map<string, string> {
  const block = new RegExp(`<!-- rules-limits:${name} -->([\\s\\S]*?)<!-- /rules-limits:${name} -->`).exec(security)?.[1];
  if (!block) throw new Error(`No rules-limits:${name} block in docs/security.md`);
  return new Map(tableAfter(block, '| Field').map(([field, cells]) => [field, cells[1]]));
}

function functionBody(name: string): string {
  const start = rules.indexOf(`function ${name}(`);
  if (start === -1) throw new Error(`No function ${name} in firestore.rules`);
  return rules.slice(start, rules.indexOf('\n    }\n', start));
}

/** Limits of `shortString(data.X, N)` / `optionalString(data.X, N)` in a validation function. */
function stringLimits(validator: string): Map<string, number> {
  return new Map([...functionBody(validator).matchAll(/(?:shortString|optionalString)\(data\.(\w+), (\d+)\)/g)].map((match) => [match[1], Number(match[2])]));
}

function hasOnly(validator: string): string[] {
  const lists = [...functionBody(validator).matchAll(/data\.keys\(\)\.has(Only|All)\(\[([^\]]*)\]\)/g)];
  const [only, all] = [lists.find((item) => item[1] === 'Only'), lists.find((item) => item[1] === 'All')].map((item) =>
    [...(item?.[2] ?? '').matchAll(/'(\w+)'/g)].map((match) => match[1]).sort(),
  );
  expect(all).toEqual(only);
  return only;
}

const atMost = (text: string) => Number(/at most (\d+)/.exec(text)?.[1] ?? Number.NaN);

describe('structure', () => {
  it('is well formed: version 2, balanced blocks, every called function defined and every function used', () => {
    expect(() => checkBalanced(rules)).not.toThrow();
    const shape = outline(rules);
    expect(shape.version).toBe('2');
    expect(shape.service).toBe('cloud.firestore');
    const defined = new Set(shape.functions);
    expect(defined.size).toBe(shape.functions.length);
    for (const call of shape.calls) {
      if (!BUILT_INS.has(call)) expect({ call, defined: defined.has(call) }).toEqual({ call, defined: true });
    }
    for (const name of shape.functions) expect({ name, used: shape.calls.includes(name) }).toEqual({ name, used: true });
  });

  it('the checker notices unbalanced blocks', () => {
    expect(() => checkBalanced('service cloud.firestore { match /a/{b} { allow read: if (true; } }')).toThrow(/Unbalanced "\)"|Unbalanced "\}"/);
    expect(() => checkBalanced("service x { // } \n allow read: if '}' == '{'; ")).toThrow(/Unclosed "\{"/);
  });

  it('denies by default and allows only the creation of analytics_events and form_errors', () => {
    expect(outline(rules).allows.map(({ path, operations, condition }) => ({ path, operations, condition }))).toEqual([
      { path: `${DOCUMENTS}/{document=**}`, operations: ['read', 'write'], condition: 'false' },
      { path: `${DOCUMENTS}/analytics_events/{eventId}`, operations: ['create'], condition: 'validAnalyticsEvent(request.resource.data)' },
      { path: `${DOCUMENTS}/form_errors/{errorId}`, operations: ['create'], condition: 'validFormError(request.resource.data)' },
    ]);
  });

  it('requires the server time as timestamp in both documents', () => {
    for (const validator of ['validAnalyticsEvent', 'validFormError']) expect(functionBody(validator)).toContain('data.timestamp == request.time');
  });
});

describe('analytics_events against the documentation', () => {
  const documented = tableAfter(dataModel, '### analytics_events');
  const limits = limitsTable('analytics_events');

  it('has exactly the fields of docs/data-model.md and docs/security.md', () => {
    const fields = hasOnly('validAnalyticsEvent');
    expect(documented.map(([field]) => field).sort()).toEqual(fields);
    expect([...limits.keys()].sort()).toEqual(fields);
  });

  it('accepts exactly the documented event types', () => {
    const inRules = [...(/data\.eventType in \[([^\]]*)\]/.exec(rules)?.[1] ?? '').matchAll(/'(\w+)'/g)].map((match) => match[1]).sort();
    const vocabulary = tableAfter(dataModel, '| eventType |')
      .map(([type]) => type)
      .sort();
    expect(inRules).toEqual(vocabulary);
    expect(inRules).toHaveLength(16);
  });

  it('bounds every string with the documented limit', () => {
    const inRules = stringLimits('validAnalyticsEvent');
    for (const [field, limit] of limits) {
      if (!/^at most \d+ characters$/.test(limit)) continue;
      expect({ field, limit: inRules.get(field) }).toEqual({ field, limit: atMost(limit) });
    }
    // Where docs/data-model.md states a limit, it is the same.
    for (const [field, cells] of documented) {
      const stated = atMost(cells.join(' '));
      if (!Number.isNaN(stated) && field !== 'metadata') expect({ field, limit: inRules.get(field) }).toEqual({ field, limit: stated });
    }
    expect(functionBody('validAnalyticsEvent')).toMatch(/data\.userId\.matches\('\[A-Za-z0-9_-\]\{1,128\}'\)/);
    expect(limits.get('userId')).toMatch(/at most 128 characters/);
  });

  it('bounds metadata as documented, with one unrolled check per possible entry', () => {
    const documentedEntries = atMost(documented.find(([field]) => field === 'metadata')![1].join(' '));
    const body = functionBody('validMetadata');
    const entries = Number(/metadata\.size\(\) <= (\d+)/.exec(body)?.[1]);
    expect(entries).toBe(documentedEntries);
    expect(limits.get('metadata')).toBe(
      `at most ${entries} entries; keys are identifiers of at most 40 characters; values are null, booleans, numbers or strings of at most 128 characters`,
    );
    const indexes = [...body.matchAll(/metadataEntry\(keys, values, (\d+)\)/g)].map((match) => Number(match[1]));
    expect(indexes).toEqual(Array.from({ length: entries }, (_, index) => index));
    const entry = functionBody('metadataEntry');
    expect(entry).toContain("matches('[A-Za-z][A-Za-z0-9_]{0,39}')");
    expect(entry).toContain('shortString(values[i], 128)');
  });
});

describe('form_errors against the documentation', () => {
  const documented = tableAfter(dataModel, '### form_errors');
  const limits = limitsTable('form_errors');

  it('has exactly the fields of docs/data-model.md and docs/security.md', () => {
    const fields = hasOnly('validFormError');
    expect(documented.map(([field]) => field).sort()).toEqual(fields);
    expect([...limits.keys()].sort()).toEqual(fields);
  });

  it('bounds every string with the documented limit', () => {
    const inRules = stringLimits('validFormError');
    for (const [field, limit] of limits) {
      if (!/^at most \d+ characters$/.test(limit)) continue;
      expect({ field, limit: inRules.get(field) }).toEqual({ field, limit: atMost(limit) });
    }
    for (const [field, cells] of documented) {
      const stated = atMost(cells.join(' '));
      if (!Number.isNaN(stated) && field !== 'invalidFields') expect({ field, limit: inRules.get(field) }).toEqual({ field, limit: stated });
    }
  });

  it('bounds invalidFields as documented, with one unrolled check per possible entry', () => {
    const documentedCount = atMost(documented.find(([field]) => field === 'invalidFields')![1].join(' '));
    const body = functionBody('validInvalidFields');
    const count = Number(/fields\.size\(\) <= (\d+)/.exec(body)?.[1]);
    expect(count).toBe(documentedCount);
    expect(limits.get('invalidFields')).toBe(`at most ${count} strings of at most 64 characters`);
    const indexes = [...body.matchAll(/fieldName\(fields, (\d+)\)/g)].map((match) => Number(match[1]));
    expect(indexes).toEqual(Array.from({ length: count }, (_, index) => index));
    expect(functionBody('fieldName')).toContain('shortString(fields[i], 64)');
  });
});

describe('fields that become alert subjects (same patterns as the monitors)', () => {
  /** A rules pattern as JavaScript sees it (rules match the whole string, RE2 syntax within this subset). */
  const whole = (pattern: string) => new RegExp(`^${pattern}$`);

  it('safeName is SAFE_SUBJECT and guards formName in both documents and metadata.errorCode', () => {
    expect(functionBody('safeName')).toContain(`value.matches('${SAFE_SUBJECT_RULES}')`);
    expect(whole(SAFE_SUBJECT_RULES).source).toBe(SAFE_SUBJECT.source);
    expect(functionBody('validAnalyticsEvent')).toContain('(data.formName == null || safeName(data.formName))');
    expect(functionBody('validFormError')).toContain('safeName(data.formName)');
    expect(functionBody('validMetadata')).toContain("(!('errorCode' in metadata) || metadata.errorCode == null || safeName(metadata.errorCode))");
  });

  it('safePage is SAFE_PAGE and guards page', () => {
    expect(functionBody('safePage')).toContain(`value.matches('${SAFE_PAGE_RULES}')`);
    expect(whole(SAFE_PAGE_RULES).source).toBe(SAFE_PAGE.source);
    expect(functionBody('validAnalyticsEvent')).toContain('safePage(data.page)');
  });

  it.each([
    ['contact_form', true, false],
    ['signup/step-2.v1:a', true, false],
    ['auth/email-already-in-use', true, false],
    ['<!channel>', false, false],
    ['<https://evil.example|Open runbook>', false, false],
    ['a b', false, false],
    ['a\nb', false, false],
    ['-x', false, false],
    ['', false, true],
    ['x'.repeat(64), true, false],
    ['x'.repeat(65), false, false],
    ['/providers/:id', false, true],
    ['/a%20b+c@d,e=f~g', false, true],
    ['/<script>', false, false],
    ['javascript:alert(1)', false, false],
  ])('%j: name %s, page %s', (value, name, page) => {
    expect(SAFE_SUBJECT.test(value)).toBe(name);
    expect(SAFE_PAGE.test(value)).toBe(page);
  });

  it('metadata numbers must be finite: NaN and infinities refused', () => {
    expect(functionBody('finiteNumber')).toContain('value is int || (value is float && !math.isNaN(value) && !math.isInfinite(value))');
    expect(functionBody('metadataEntry')).toContain('finiteNumber(values[i])');
    expect(functionBody('metadataEntry')).not.toContain('is number');
  });

  it("a userId is the signed-in visitor's own uid", () => {
    expect(functionBody('validAnalyticsEvent')).toContain('request.auth != null && data.userId == request.auth.uid');
  });
});
