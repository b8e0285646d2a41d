/** The index-coverage matcher (dev/indexCoverage.ts), on examples whose answer Firestore documents. */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  checkQuery,
  coverageReport,
  QueryRecorder,
  requirement,
  shapeOf,
  type FilterOp,
  type IndexDefinition,
  type IndexFile,
  type QueryShape,
} from '../dev/indexCoverage';

const query = (filters: Array<[string, FilterOp]>, orderBy: Array<[string, 'asc' | 'desc']> = [], extra: Partial<QueryShape> = {}): QueryShape => ({
  collection: 'items',
  collectionGroup: false,
  or: false,
  filters: filters.map(([field, op]) => ({ field, op })),
  orderBy: orderBy.map(([field, direction]) => ({ field, direction: direction === 'asc' ? 'ASCENDING' : 'DESCENDING' })),
  ...extra,
});

const index = (...fields: Array<[string, 'ASCENDING' | 'DESCENDING' | 'CONTAINS']>): IndexDefinition => ({
  collectionGroup: 'items',
  queryScope: 'COLLECTION',
  fields: fields.map(([fieldPath, mode]) => (mode === 'CONTAINS' ? { fieldPath, arrayConfig: 'CONTAINS' } : { fieldPath, order: mode })),
});

const none: IndexFile = { indexes: [] };

describe('queries served without a composite index', () => {
  it.each([
    ['no filter, no order', query([])],
    [
      'equality filters on several fields (index merging)',
      query([
        ['a', '=='],
        ['b', '=='],
        ['c', 'in'],
      ]),
    ],
    ['range filter on one field', query([['a', '>=']])],
    [
      'range and order on the same field',
      query(
        [
          ['a', '>'],
          ['a', '<='],
        ],
        [['a', 'desc']],
      ),
    ],
    ['order by one field, descending', query([], [['createdAt', 'desc']])],
    ['equality and order on the same field', query([['a', '==']], [['a', 'asc']])],
    [
      'equality filters ordered by document name, either direction',
      query(
        [
          ['a', '=='],
          ['b', '=='],
        ],
        [['__name__', 'desc']],
      ),
    ],
    ['one array-contains filter', query([['tags', 'array-contains']])],
    ['document-name range alone', query([['__name__', '<']])],
  ])('%s', (_label, shape) => {
    expect(requirement(shape).automatic).toBe(true);
    expect(checkQuery(shape, none)).toBeNull();
  });
});

describe('queries that need a composite index', () => {
  it('equality + order on another field: the equality fields first, then the sort order', () => {
    const shape = query(
      [
        ['resolved', '=='],
        ['severity', '=='],
      ],
      [
        ['createdAt', 'desc'],
        ['id', 'desc'],
      ],
    );
    expect(checkQuery(shape, none)?.add).toEqual({
      indexes: index(['resolved', 'ASCENDING'], ['severity', 'ASCENDING'], ['createdAt', 'DESCENDING'], ['id', 'DESCENDING']),
    });
    // Equality fields in any order and direction; the sort part exactly.
    expect(
      checkQuery(shape, { indexes: [index(['severity', 'DESCENDING'], ['resolved', 'ASCENDING'], ['createdAt', 'DESCENDING'], ['id', 'DESCENDING'])] }),
    ).toBeNull();
    expect(
      checkQuery(shape, { indexes: [index(['resolved', 'ASCENDING'], ['severity', 'ASCENDING'], ['createdAt', 'ASCENDING'], ['id', 'DESCENDING'])] }),
    ).not.toBeNull();
    expect(
      checkQuery(shape, { indexes: [index(['resolved', 'ASCENDING'], ['severity', 'ASCENDING'], ['id', 'DESCENDING'], ['createdAt', 'DESCENDING'])] }),
    ).not.toBeNull();
  });

  it('does not count on merging several composite indexes', () => {
    const shape = query(
      [
        ['resolved', '=='],
        ['severity', '=='],
      ],
      [['createdAt', 'desc']],
    );
    const partial = { indexes: [index(['resolved', 'ASCENDING'], ['createdAt', 'DESCENDING']), index(['severity', 'ASCENDING'], ['createdAt', 'DESCENDING'])] };
    expect(checkQuery(shape, partial)).not.toBeNull();
  });

  it('an index with more fields than the query needs does not serve it', () => {
    const shape = query([['resolved', '==']], [['createdAt', 'desc']]);
    expect(checkQuery(shape, { indexes: [index(['resolved', 'ASCENDING'], ['createdAt', 'DESCENDING'], ['id', 'DESCENDING'])] })).not.toBeNull();
    expect(checkQuery(shape, { indexes: [index(['resolved', 'ASCENDING'], ['createdAt', 'DESCENDING'])] })).toBeNull();
  });

  it('equality + range on another field, no explicit order: the range field is ordered ascending', () => {
    const shape = query([
      ['status', 'in'],
      ['nextAttemptAt', '<='],
    ]);
    expect(checkQuery(shape, none)?.add).toEqual({ indexes: index(['status', 'ASCENDING'], ['nextAttemptAt', 'ASCENDING']) });
  });

  it('range on one field ordered by another: the explicit order first, then the range field in its direction', () => {
    const shape = query([['age', '>']], [['name', 'desc']]);
    expect(requirement(shape).order).toEqual([
      { field: 'name', direction: 'DESCENDING' },
      { field: 'age', direction: 'DESCENDING' },
    ]);
    expect(checkQuery(shape, none)?.add).toEqual({ indexes: index(['name', 'DESCENDING'], ['age', 'DESCENDING']) });
  });

  it('ranges on two fields: ordered by field path', () => {
    expect(
      requirement(
        query([
          ['b', '<'],
          ['a', '!='],
        ]),
      ).order.map((item) => item.field),
    ).toEqual(['a', 'b']);
  });

  it('array-contains with another filter', () => {
    const shape = query([
      ['tags', 'array-contains'],
      ['active', '=='],
    ]);
    expect(checkQuery(shape, none)?.add).toEqual({ indexes: index(['active', 'ASCENDING'], ['tags', 'CONTAINS']) });
    expect(checkQuery(shape, { indexes: [index(['tags', 'CONTAINS'], ['active', 'ASCENDING'])] })).toBeNull();
  });

  it('a document-name order against the direction of the last field must be in the index', () => {
    const shape = query(
      [],
      [
        ['createdAt', 'asc'],
        ['__name__', 'desc'],
      ],
    );
    expect(checkQuery(shape, none)?.add).toEqual({ indexes: index(['createdAt', 'ASCENDING'], ['__name__', 'DESCENDING']) });
    // A trailing __name__ in the same direction as the field before it is implicit.
    const same = query(
      [['a', '==']],
      [
        ['createdAt', 'desc'],
        ['__name__', 'desc'],
      ],
    );
    expect(checkQuery(same, { indexes: [index(['a', 'ASCENDING'], ['createdAt', 'DESCENDING'], ['__name__', 'DESCENDING'])] })).toBeNull();
    expect(checkQuery(same, { indexes: [index(['a', 'ASCENDING'], ['createdAt', 'DESCENDING'])] })).toBeNull();
  });

  it('collection-group queries: a field override for one field, a COLLECTION_GROUP index for more', () => {
    const single = query([['x', '==']], [], { collectionGroup: true });
    expect(checkQuery(single, none)?.add).toEqual({
      fieldOverrides: { collectionGroup: 'items', fieldPath: 'x', indexes: [{ order: 'ASCENDING', queryScope: 'COLLECTION_GROUP' }] },
    });
    expect(
      checkQuery(single, {
        indexes: [],
        fieldOverrides: [{ collectionGroup: 'items', fieldPath: 'x', indexes: [{ order: 'ASCENDING', queryScope: 'COLLECTION_GROUP' }] }],
      }),
    ).toBeNull();
    const composite = query([['x', '==']], [['t', 'desc']], { collectionGroup: true });
    expect(checkQuery(composite, { indexes: [index(['x', 'ASCENDING'], ['t', 'DESCENDING'])] })).not.toBeNull();
    expect(checkQuery(composite, { indexes: [{ ...index(['x', 'ASCENDING'], ['t', 'DESCENDING']), queryScope: 'COLLECTION_GROUP' }] })).toBeNull();
  });

  it('OR queries are reported for review', () => {
    expect(
      checkQuery(
        query(
          [
            ['a', '=='],
            ['b', '=='],
          ],
          [],
          { or: true },
        ),
        none,
      ),
    ).toMatchObject({ add: null, reason: expect.stringMatching(/OR query/) });
  });

  it('only an index of the same collection serves', () => {
    const shape = query([['a', '==']], [['b', 'asc']]);
    expect(checkQuery(shape, { indexes: [{ ...index(['a', 'ASCENDING'], ['b', 'ASCENDING']), collectionGroup: 'other' }] })).not.toBeNull();
  });
});

describe('recording and reporting', () => {
  // A StructuredQuery as the embedded emulator hands it over (toObject(), values omitted).
  const proto = {
    from: [{ collection_id: 'monitoring_deliveries', all_descendants: false }],
    where: {
      composite_filter: {
        op: 1,
        filters: [{ field_filter: { field: { field_path: 'status' }, op: 8 } }, { field_filter: { field: { field_path: 'nextAttemptAt' }, op: 2 } }],
      },
    },
    order_by: [{ field: { field_path: 'nextAttemptAt' }, direction: 1 }],
  };

  it('reads the query shape from the wire format', () => {
    expect(shapeOf(proto)).toEqual({
      collection: 'monitoring_deliveries',
      collectionGroup: false,
      or: false,
      filters: [
        { field: 'status', op: 'in' },
        { field: 'nextAttemptAt', op: '<=' },
      ],
      orderBy: [{ field: 'nextAttemptAt', direction: 'ASCENDING' }],
    });
  });

  it("the dispatcher's sweep is served by the repository's index file", () => {
    const file = JSON.parse(readFileSync(resolve(__dirname, '..', '..', 'firestore.indexes.json'), 'utf8')) as IndexFile;
    expect(checkQuery(shapeOf(proto), file)).toBeNull();
  });

  it('deduplicates shapes and names the query and the index to add', () => {
    const recorder = new QueryRecorder();
    const parent = 'projects/demo-engine-1/databases/(default)/documents';
    recorder.record(parent, proto);
    recorder.record(parent, proto);
    recorder.record('projects/demo-admin-2/databases/(default)/documents', { ...proto, order_by: [{ field: { field_path: 'nextAttemptAt' }, direction: 2 }] });
    expect(recorder.queries.map((item) => item.count)).toEqual([2, 1]);
    const report = coverageReport(recorder.queries, none);
    expect(report.problems).toHaveLength(2);
    expect(report.text).toContain('monitoring_deliveries where status in and nextAttemptAt <= order by nextAttemptAt desc');
    expect(report.text).toContain('e.g. by demo-admin-2');
    expect(report.text).toContain(
      '- add to "indexes": {"collectionGroup":"monitoring_deliveries","queryScope":"COLLECTION","fields":[{"fieldPath":"status","order":"ASCENDING"},{"fieldPath":"nextAttemptAt","order":"DESCENDING"}]}',
    );
  });

  it('lists an index once for all the queries it serves', () => {
    const recorder = new QueryRecorder();
    const parent = 'projects/demo-x/databases/(default)/documents';
    const filter = (field: string, op: number) => ({ field_filter: { field: { field_path: field }, op } });
    const orderBy = (...fields: string[]) => fields.map((field) => ({ field: { field_path: field }, direction: 2 }));
    // First page, then "same time, smaller id" and "older time" (the admin API's keyed paging).
    recorder.record(parent, { from: [{ collection_id: 'payment_alerts' }], where: filter('resolved', 5), order_by: orderBy('createdAt', 'id') });
    recorder.record(parent, {
      from: [{ collection_id: 'payment_alerts' }],
      where: { composite_filter: { op: 1, filters: [filter('resolved', 5), filter('createdAt', 5), filter('id', 1)] } },
      order_by: orderBy('id'),
    });
    recorder.record(parent, {
      from: [{ collection_id: 'payment_alerts' }],
      where: { composite_filter: { op: 1, filters: [filter('resolved', 5), filter('createdAt', 1)] } },
      order_by: orderBy('createdAt', 'id'),
    });
    const report = coverageReport(recorder.queries, none);
    expect(report.problems).toHaveLength(3);
    expect(report.text.match(/- add to/g)).toHaveLength(1);
    expect(report.text).toContain(
      '- add to "indexes": {"collectionGroup":"payment_alerts","queryScope":"COLLECTION","fields":[{"fieldPath":"resolved","order":"ASCENDING"},{"fieldPath":"createdAt","order":"DESCENDING"},{"fieldPath":"id","order":"DESCENDING"}]}',
    );
  });
});
