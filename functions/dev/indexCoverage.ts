/**
 * Index coverage: production Firestore rejects a query that needs a composite index nobody declared
 * ("The query requires an index"), and no emulator notices. The embedded emulator records the shape
 * of every structured query it serves (dev/emulator.ts); after the test suite, each shape is checked
 * against firestore.indexes.json with the rule below, and every query that would be rejected is
 * reported with the exact index entry to add.
 *
 * The rule (Firestore, Standard edition):
 * - Filters are classified as equality (`==`, `in`, is-null, is-nan), array membership
 *   (`array-contains`, `array-contains-any`) or range/inequality (`<`, `<=`, `>`, `>=`, `!=`,
 *   `not-in`, is-not-null, is-not-nan).
 * - The query's sort order is normalized as Firestore does: explicit orderBy clauses (minus fields
 *   that have an equality filter), then inequality fields not already ordered (by field path), in the
 *   direction of the last explicit orderBy (ascending by default), then the document name
 *   (`__name__`) in that same direction. A trailing `__name__` in the direction of the field before
 *   it is implicit in every index and dropped.
 * - No composite index is needed when the query has (a) only equality filters on any number of fields
 *   and no sort order (single-field indexes are merged), (b) no equality or array filter and one sort
 *   field (one automatic single-field index, ascending or descending; range filters must be on that
 *   field), or (c) one array-membership filter and nothing else.
 * - Otherwise one declared index must match exactly: same collection, scope COLLECTION (collection
 *   queries) or COLLECTION_GROUP (collection-group queries), first the equality and array fields in
 *   any order (array fields with arrayConfig CONTAINS), then exactly the normalized sort order.
 *   Firestore can sometimes merge several composite indexes that share a sort order; this check
 *   deliberately does not count on it (it is reported to fail for some shapes) and asks for one exact
 *   index, which always works.
 * - Collection-group queries have no automatic indexes: a single-field one needs a fieldOverrides
 *   entry with queryScope COLLECTION_GROUP. OR queries are not checked automatically (each
 *   disjunction needs its own index) and are reported for review.
 */

export type FilterOp =
  '<' | '<=' | '>' | '>=' | '==' | '!=' | 'array-contains' | 'in' | 'array-contains-any' | 'not-in' | 'is-nan' | 'is-null' | 'is-not-nan' | 'is-not-null';

export type Direction = 'ASCENDING' | 'DESCENDING';

export interface QueryShape {
  collection: string;
  collectionGroup: boolean;
  filters: Array<{ field: string; op: FilterOp }>;
  orderBy: Array<{ field: string; direction: Direction }>;
  /** The query has an OR composite filter somewhere. */
  or: boolean;
}

export interface IndexField {
  fieldPath: string;
  order?: Direction;
  arrayConfig?: 'CONTAINS';
}

export interface IndexDefinition {
  collectionGroup: string;
  queryScope: 'COLLECTION' | 'COLLECTION_GROUP';
  fields: IndexField[];
}

export interface FieldOverride {
  collectionGroup: string;
  fieldPath: string;
  indexes?: Array<{ order?: Direction; arrayConfig?: 'CONTAINS'; queryScope: 'COLLECTION' | 'COLLECTION_GROUP' }>;
}

export interface IndexFile {
  indexes: IndexDefinition[];
  fieldOverrides?: FieldOverride[];
}

const NAME = '__name__';
const FIELD_OPS: Record<number, FilterOp> = {
  1: '<',
  2: '<=',
  3: '>',
  4: '>=',
  5: '==',
  6: '!=',
  7: 'array-contains',
  8: 'in',
  9: 'array-contains-any',
  10: 'not-in',
};
const UNARY_OPS: Record<number, FilterOp> = { 2: 'is-nan', 3: 'is-null', 4: 'is-not-nan', 5: 'is-not-null' };
const EQUALITY: ReadonlySet<FilterOp> = new Set(['==', 'in', 'is-null', 'is-nan']);
const ARRAY: ReadonlySet<FilterOp> = new Set(['array-contains', 'array-contains-any']);

interface ProtoFilter {
  field_filter?: { field?: { field_path?: string }; op?: number };
  unary_filter?: { field?: { field_path?: string }; op?: number };
  composite_filter?: { op?: number; filters?: ProtoFilter[] };
}

/** A google.firestore.v1 StructuredQuery (as `toObject()` gives it) reduced to what decides indexes. */
export interface ProtoStructuredQuery {
  from?: Array<{ collection_id?: string; all_descendants?: boolean }>;
  where?: ProtoFilter;
  order_by?: Array<{ field?: { field_path?: string }; direction?: number }>;
}

export function shapeOf(query: ProtoStructuredQuery): QueryShape {
  const filters: QueryShape['filters'] = [];
  let or = false;
  const visit = (filter: ProtoFilter | undefined) => {
    if (!filter) return;
    if (filter.composite_filter) {
      if (filter.composite_filter.op === 2) or = true;
      for (const child of filter.composite_filter.filters ?? []) visit(child);
    } else if (filter.field_filter?.field?.field_path) {
      filters.push({ field: filter.field_filter.field.field_path, op: FIELD_OPS[filter.field_filter.op ?? 0] ?? '==' });
    } else if (filter.unary_filter?.field?.field_path) {
      filters.push({ field: filter.unary_filter.field.field_path, op: UNARY_OPS[filter.unary_filter.op ?? 0] ?? 'is-null' });
    }
  };
  visit(query.where);
  return {
    collection: query.from?.[0]?.collection_id ?? '',
    collectionGroup: query.from?.[0]?.all_descendants === true,
    filters,
    orderBy: (query.order_by ?? []).map((order) => ({
      field: order.field?.field_path ?? '',
      direction: order.direction === 2 ? 'DESCENDING' : 'ASCENDING',
    })),
    or,
  };
}

/** One line naming the query, for reports. */
export function describeQuery(shape: QueryShape): string {
  const where = shape.filters.map((filter) => `${filter.field} ${filter.op}`).join(' and ');
  const order = shape.orderBy.map((order) => `${order.field} ${order.direction === 'DESCENDING' ? 'desc' : 'asc'}`).join(', ');
  return `${shape.collectionGroup ? 'collection group ' : ''}${shape.collection}${where ? ` where ${where}` : ''}${order ? ` order by ${order}` : ''}`;
}

export function shapeKey(shape: QueryShape): string {
  return JSON.stringify([
    shape.collection,
    shape.collectionGroup,
    shape.or,
    [...shape.filters].sort((a, b) => `${a.field}${a.op}`.localeCompare(`${b.field}${b.op}`)),
    shape.orderBy,
  ]);
}

export interface Requirement {
  /** No composite index (or field override) is needed. */
  automatic: boolean;
  equality: string[];
  arrays: string[];
  order: Array<{ field: string; direction: Direction }>;
}

/** Which index the query needs, per the rule in this file's header. */
export function requirement(shape: QueryShape): Requirement {
  const equality = [...new Set(shape.filters.filter((filter) => EQUALITY.has(filter.op)).map((filter) => filter.field))].sort();
  const arrays = [...new Set(shape.filters.filter((filter) => ARRAY.has(filter.op)).map((filter) => filter.field))].sort();
  const ranges = [...new Set(shape.filters.filter((filter) => !EQUALITY.has(filter.op) && !ARRAY.has(filter.op)).map((filter) => filter.field))];

  const order: Requirement['order'] = [];
  for (const item of shape.orderBy) {
    if (equality.includes(item.field) || order.some((existing) => existing.field === item.field)) continue;
    order.push(item);
  }
  const lastDirection: Direction = shape.orderBy.length ? shape.orderBy[shape.orderBy.length - 1].direction : 'ASCENDING';
  for (const field of ranges.filter((name) => name !== NAME && !order.some((item) => item.field === name)).sort()) {
    order.push({ field, direction: lastDirection });
  }
  if (!order.some((item) => item.field === NAME)) order.push({ field: NAME, direction: lastDirection });
  const last = order[order.length - 1];
  const before = order[order.length - 2];
  if (last.field === NAME && (!before || before.direction === last.direction)) order.pop();

  const automatic = shape.collectionGroup
    ? false
    : (arrays.length === 0 && order.length === 0) ||
      (equality.length === 0 && arrays.length === 0 && order.length === 1) ||
      (equality.length === 0 && arrays.length === 1 && order.length === 0);
  return { automatic, equality, arrays, order };
}

/** The index entry that serves the query (what to add to firestore.indexes.json). */
export function suggestedIndex(shape: QueryShape, needed = requirement(shape)): IndexDefinition {
  return {
    collectionGroup: shape.collection,
    queryScope: shape.collectionGroup ? 'COLLECTION_GROUP' : 'COLLECTION',
    fields: [
      ...needed.equality.map((fieldPath) => ({ fieldPath, order: 'ASCENDING' as const })),
      ...needed.arrays.map((fieldPath) => ({ fieldPath, arrayConfig: 'CONTAINS' as const })),
      ...needed.order.map((item) => ({ fieldPath: item.field, order: item.direction })),
    ],
  };
}

function withoutImplicitName(fields: IndexField[]): IndexField[] {
  const last = fields[fields.length - 1];
  const before = fields[fields.length - 2];
  return last?.fieldPath === NAME && before && before.order === last.order ? fields.slice(0, -1) : fields;
}

function indexServes(index: IndexDefinition, shape: QueryShape, needed: Requirement): boolean {
  if (index.collectionGroup !== shape.collection) return false;
  if (index.queryScope !== (shape.collectionGroup ? 'COLLECTION_GROUP' : 'COLLECTION')) return false;
  const fields = withoutImplicitName(index.fields);
  const prefixLength = needed.equality.length + needed.arrays.length;
  if (fields.length !== prefixLength + needed.order.length) return false;
  const prefix = fields.slice(0, prefixLength);
  const prefixOk =
    needed.equality.every((name) => prefix.some((field) => field.fieldPath === name && field.order !== undefined)) &&
    needed.arrays.every((name) => prefix.some((field) => field.fieldPath === name && field.arrayConfig === 'CONTAINS'));
  return (
    prefixOk &&
    needed.order.every((item, index) => fields[prefixLength + index].fieldPath === item.field && fields[prefixLength + index].order === item.direction)
  );
}

function overrideServes(overrides: FieldOverride[], shape: QueryShape, wanted: IndexField): boolean {
  return overrides.some(
    (override) =>
      override.collectionGroup === shape.collection &&
      override.fieldPath === wanted.fieldPath &&
      (override.indexes ?? []).some(
        (index) => index.queryScope === 'COLLECTION_GROUP' && (wanted.arrayConfig ? index.arrayConfig === wanted.arrayConfig : index.order === wanted.order),
      ),
  );
}

export interface CoverageProblem {
  query: string;
  /** What to add: an `indexes` entry, or a `fieldOverrides` entry for a single-field collection-group query. */
  add: { indexes: IndexDefinition } | { fieldOverrides: FieldOverride } | null;
  reason: string;
}

/** Null when the declared indexes serve the query, else what is missing. */
export function checkQuery(shape: QueryShape, file: IndexFile): CoverageProblem | null {
  const query = describeQuery(shape);
  if (shape.or) return { query, add: null, reason: 'OR query: each disjunction needs its own index; check it by hand' };
  const needed = requirement(shape);
  if (needed.automatic) return null;
  const suggestion = suggestedIndex(shape, needed);
  if (shape.collectionGroup && suggestion.fields.length <= 1) {
    const wanted: IndexField = suggestion.fields[0] ?? { fieldPath: NAME, order: 'ASCENDING' };
    if (overrideServes(file.fieldOverrides ?? [], shape, wanted)) return null;
    const { fieldPath, ...mode } = wanted;
    return {
      query,
      add: { fieldOverrides: { collectionGroup: shape.collection, fieldPath, indexes: [{ ...mode, queryScope: 'COLLECTION_GROUP' }] } },
      reason: 'collection-group queries have no automatic single-field index',
    };
  }
  if (file.indexes.some((index) => indexServes(index, shape, needed))) return null;
  return { query, add: { indexes: suggestion }, reason: 'needs a composite index' };
}

export interface RecordedQuery {
  shape: QueryShape;
  count: number;
  /** Project ids that sent it (tests name theirs after their file). */
  projects: string[];
}

/** Records query shapes (deduplicated), fed by the embedded emulator. */
export class QueryRecorder {
  private readonly byKey = new Map<string, RecordedQuery>();

  record(parent: string, query: ProtoStructuredQuery): void {
    const shape = shapeOf(query);
    const key = shapeKey(shape);
    const project = /^projects\/([^/]+)/.exec(parent)?.[1] ?? '?';
    const existing = this.byKey.get(key);
    if (existing) {
      existing.count += 1;
      if (existing.projects.length < 3 && !existing.projects.includes(project)) existing.projects.push(project);
    } else {
      this.byKey.set(key, { shape, count: 1, projects: [project] });
    }
  }

  get queries(): RecordedQuery[] {
    return [...this.byKey.values()];
  }
}

/**
 * The report printed after the tests; `problems` empty means every query is served. Missing indexes
 * are grouped: when one suggested index serves several queries, it is listed once with all of them.
 */
export function coverageReport(
  recorded: RecordedQuery[],
  file: IndexFile,
): { problems: Array<CoverageProblem & { count: number; projects: string[] }>; text: string } {
  const problems = recorded.flatMap((item) => {
    const problem = checkQuery(item.shape, file);
    return problem ? [{ ...problem, count: item.count, projects: item.projects, shape: item.shape }] : [];
  });
  const composite = recorded.filter((item) => !requirement(item.shape).automatic).length;
  if (problems.length === 0) {
    return {
      problems,
      text: `Index coverage: ${recorded.length} distinct queries sent by the tests, ${composite} needing a composite index, all declared in firestore.indexes.json.`,
    };
  }
  // Prefer the longest suggestions: they often serve shorter queries too.
  const candidates = problems
    .flatMap((problem) => (problem.add && 'indexes' in problem.add ? [problem.add.indexes] : []))
    .sort((a, b) => b.fields.length - a.fields.length);
  const groups = new Map<string, { add: CoverageProblem['add']; lines: string[] }>();
  for (const problem of problems) {
    const shared = candidates.find((candidate) => checkQuery(problem.shape, { indexes: [candidate] }) === null);
    const add = shared ? { indexes: shared } : problem.add;
    const key = JSON.stringify(add);
    const group = groups.get(key) ?? { add, lines: [] };
    group.lines.push(`    ${problem.query}  (${problem.reason}; sent ${problem.count}x, e.g. by ${problem.projects.join(', ')})`);
    groups.set(key, group);
  }
  const lines = [
    `Index coverage: ${problems.length} of ${recorded.length} distinct queries sent by the tests would be rejected by production Firestore (no matching index in firestore.indexes.json).`,
  ];
  for (const { add, lines: queries } of groups.values()) {
    lines.push(
      add ? `- add to "${'indexes' in add ? 'indexes' : 'fieldOverrides'}": ${JSON.stringify(Object.values(add)[0])}` : '- review by hand:',
      '  for:',
      ...queries,
    );
  }
  return { problems: problems.map(({ shape: _shape, ...rest }) => rest), text: lines.join('\n') };
}
