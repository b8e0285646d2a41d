/**
 * The source mapping: validation (every error names its key, all of them at once), resolution over
 * the defaults, time conversions both ways, vocabulary queries counted on a real (embedded)
 * Firestore for each stored time type, and rules off when their data is not mapped.
 */
import { Timestamp } from 'firebase-admin/firestore';
import { RULES } from '../src/rules';
import { blindReason, millisOf, readable, resolveSources, SourceMappingError, SourceReader, Sources, timeBound, unmappedReads } from '../src/sources';
import { SOURCE_MODEL } from '../src/sources/model';
import { closeFirebase, freshProject } from './support/firebase';

afterAll(closeFirebase);

const problemsOf = (input: unknown): string[] => {
  try {
    resolveSources(input);
    return [];
  } catch (error) {
    expect(error).toBeInstanceOf(SourceMappingError);
    return [...(error as SourceMappingError).problems];
  }
};

describe('validation', () => {
  it.each<[string, unknown, string]>([
    ['root not an object', [], '(root): must be an object with a "sources" key'],
    ['unknown root key', { source: {} }, 'source: unknown key (expected sources)'],
    ['unknown source', { sources: { orderz: {} } }, 'sources.orderz: unknown source (known: payments, payouts'],
    ['source not an object', { sources: { payments: 'orders' } }, 'sources.payments: must be an object or null'],
    ['unknown key of a source', { sources: { payments: { colection: 'orders' } } }, 'sources.payments.colection: unknown key'],
    ['document path as collection', { sources: { payments: { collection: 'shops/a' } } }, 'sources.payments.collection: "shops/a" names a document'],
    ['bad collection characters', { sources: { payments: { collection: 'or ders' } } }, 'sources.payments.collection: "or ders" is not a collection path'],
    [
      'group with a slash',
      { sources: { payments: { group: true, collection: 'a/b/c' } } },
      'sources.payments.collection: a collection group is one collection id',
    ],
    ['unknown field', { sources: { payments: { fields: { colour: 'c' } } } }, 'sources.payments.fields.colour: unknown field (known: provider, status'],
    ['empty field path', { sources: { payments: { fields: { status: '' } } } }, 'sources.payments.fields.status: must be a field path'],
    ['bad field path', { sources: { payments: { fields: { status: 'a..b' } } } }, 'sources.payments.fields.status: must be a field path'],
    [
      'time field of a non-time type',
      { sources: { payments: { fields: { failedAt: { path: 'f', type: 'string' } } } } },
      'sources.payments.fields.failedAt.type: must be one of timestamp, isoString, epochMillis, epochSeconds',
    ],
    [
      'retyped string field',
      { sources: { payments: { fields: { status: { type: 'number' } } } } },
      'sources.payments.fields.status.type: must be one of string',
    ],
    [
      'unknown key of a field',
      { sources: { payments: { fields: { status: { name: 'x' } } } } },
      'sources.payments.fields.status.name: unknown key (expected path, type)',
    ],
    [
      'vocabulary of a field without one',
      { sources: { payments: { values: { currency: {} } } } },
      'sources.payments.values.currency: no vocabulary for this field',
    ],
    [
      'unknown meaning',
      { sources: { payments: { values: { status: { declined: ['declined'] } } } } },
      'sources.payments.values.status.declined: unknown meaning (known: failed, awaitingCapture, captured, refunded)',
    ],
    [
      'empty value list',
      { sources: { payments: { values: { status: { failed: [] } } } } },
      'sources.payments.values.status.failed: must be a list of 1 to 30 values',
    ],
    [
      'non-string value',
      { sources: { payments: { values: { status: { failed: ['ok', 3] } } } } },
      'sources.payments.values.status.failed[1]: must be a non-empty string',
    ],
    [
      'too many values',
      { sources: { payments: { values: { status: { failed: Array.from({ length: 31 }, (_, i) => `v${i}`) } } } } },
      'must be a list of 1 to 30 values',
    ],
    [
      'document of a collection source',
      { sources: { payments: { document: 'x' } } },
      'sources.payments.document: this source is a collection, not one document',
    ],
  ])('%s', (_name, input, expected) => {
    expect(problemsOf(input).join('\n')).toContain(expected);
  });

  it('reports every problem at once, each with its key', () => {
    const problems = problemsOf({ sources: { orderz: {}, payments: { collection: 'a/b', fields: { colour: 'x', status: '' } } } });
    expect(problems).toHaveLength(4);
    expect(new SourceMappingError(problems, 'functions/sources.json').message).toMatch(/^Invalid source mapping \(functions\/sources.json\):\n {2}- /);
  });

  it('reports each of 10,000 unknown fields (one pass over the input)', () => {
    const fields = Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`f${i}`, 'x']));
    expect(problemsOf({ sources: { payments: { fields } } })).toHaveLength(10_000);
  });
});

describe('resolution', () => {
  it('defaults to the data model, so an app that fits changes nothing', () => {
    const sources = resolveSources(undefined);
    expect(sources.payments.collection).toBe('payments');
    expect(sources.payments.fields.failedAt).toEqual({ path: 'failedAt', type: 'timestamp' });
    expect(sources.payments.vocabularies.status.failed).toEqual(['failed']);
    expect(sources.analyticsEvents.fields.errorCode).toEqual({ path: 'metadata.errorCode', type: 'string' });
  });

  it('overrides only what the mapping says; null switches a field or a source off', () => {
    const sources = resolveSources({
      sources: {
        payments: {
          collection: 'orders',
          fields: { status: 'state', failedAt: { path: 'failed_at', type: 'isoString' }, capturedAt: null },
          values: { status: { failed: ['declined', 'declined'] } },
        },
        commissions: null,
      },
    });
    expect(sources.payments.collection).toBe('orders');
    expect(sources.payments.fields.status).toEqual({ path: 'state', type: 'string' });
    expect(sources.payments.fields.failedAt).toEqual({ path: 'failed_at', type: 'isoString' });
    expect(sources.payments.fields.capturedAt).toBeNull();
    expect(sources.payments.vocabularies.status).toEqual({
      failed: ['declined'],
      awaitingCapture: ['requires_capture'],
      captured: ['captured'],
      refunded: ['refunded'],
    });
    expect(sources.commissions.collection).toBeNull();
  });

  it('a rule whose reads are not mapped is off, with the reason', () => {
    const sources = resolveSources({ sources: { payments: { fields: { failedAt: null } }, commissions: null } });
    const reads = (id: string) => RULES.find((rule) => rule.id === id)!.reads!;
    expect(unmappedReads(reads('stripe_payment_failures'), sources)).toEqual(['payments.failedAt']);
    expect(blindReason(reads('commissions_pending_overdue'), sources)).toBe('not mapped: source commissions (commissions by default) (functions/sources.json)');
    expect(blindReason(reads('capture_rate'), sources)).toBeNull();
  });

  it('every rule that reads the app declares its reads, and every read names a known field', () => {
    const appRules = RULES.filter((rule) => rule.reads);
    expect(appRules.length).toBeGreaterThanOrEqual(30);
    for (const rule of appRules) {
      for (const { source, fields } of rule.reads!) for (const field of fields) expect(Object.keys(SOURCE_MODEL[source].fields)).toContain(field);
    }
  });
});

describe('time conversions', () => {
  const at = Date.parse('2026-11-20T08:00:00.500Z');
  it.each([
    ['timestamp', Timestamp.fromMillis(at), at],
    ['isoString', '2026-11-20T08:00:00.500Z', at],
    ['epochMillis', at, at],
    ['epochSeconds', Math.floor(at / 1000), Math.floor(at / 1000) * 1000],
  ] as const)('%s values are read as instants', (type, stored, expected) => {
    expect(millisOf(type, stored)).toBe(expected);
  });

  it('refuses values of another type, and ISO strings that do not sort as instants', () => {
    expect(millisOf('timestamp', '2026-11-20T08:00:00.000Z')).toBeUndefined();
    expect(millisOf('isoString', '2026-11-20T09:00:00+01:00')).toBeUndefined();
    expect(millisOf('epochMillis', 'x')).toBeUndefined();
  });

  it('rounds epoch-second bounds so that > and >= keep their meaning', () => {
    expect(timeBound('epochSeconds', 1500, 'floor')).toBe(1);
    expect(timeBound('epochSeconds', 1500, 'ceil')).toBe(2);
    expect(timeBound('isoString', at)).toBe('2026-11-20T08:00:00.500Z');
  });

  it('reads nested paths of plain data like a snapshot', () => {
    const reader = new SourceReader(resolveSources(undefined).analyticsEvents);
    expect(reader.raw(readable({ metadata: { errorCode: 'card_declined' } }), 'errorCode')).toBe('card_declined');
    expect(reader.meaningOf('eventType', 'payment_error')).toBe('payment_error');
  });
});

describe('queries on each stored time type (embedded Firestore)', () => {
  const now = Date.parse('2026-11-20T08:00:00Z');
  it.each(['timestamp', 'isoString', 'epochMillis', 'epochSeconds'] as const)('%s: failures of the last hour, by the app vocabulary', async (type) => {
    const db = await freshProject();
    // The bazaar app's names (dev/apps/bazaar: its indexes are declared), with each time type in turn.
    const mapping = resolveSources({
      sources: {
        payments: {
          collection: 'orders',
          fields: { provider: 'gateway', status: 'state', failedAt: { path: 'failed_at', type } },
          values: { provider: { stripe: ['stripe_card'] }, status: { failed: ['declined', 'errored'] } },
        },
      },
    });
    const stored = (ms: number) =>
      type === 'timestamp' ? Timestamp.fromMillis(ms) : type === 'isoString' ? new Date(ms).toISOString() : type === 'epochMillis' ? ms : Math.floor(ms / 1000);
    const docs = [
      { state: 'declined', minutes: 10 },
      { state: 'errored', minutes: 50 },
      { state: 'declined', minutes: 61 },
      { state: 'captured', minutes: 5 },
      { state: 'failed', minutes: 5 },
    ];
    for (const doc of docs) await db.collection('orders').add({ state: doc.state, gateway: 'stripe_card', failed_at: stored(now - doc.minutes * 60_000) });
    const sources = new Sources(db, mapping);
    const query = sources
      .from('payments')
      .is('provider', 'stripe')
      .is('status', 'failed')
      .inSpan('failedAt', now - 3_600_000, now);
    expect((await query.query.count().get()).data().count).toBe(2);
  });
});
