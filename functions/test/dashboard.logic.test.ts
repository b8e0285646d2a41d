/**
 * The dashboard's decisions, as tables (dashboard/src/state.ts and evidence.ts have no DOM): when a
 * page may say "nothing is wrong", what a failed call says, the alert page's details, vendor links
 * and timeline. The pages themselves are tested in a real browser (npm run test:browser).
 */
import { detailRows, DETAIL_LIMITS, linkIds, resolveNeedsConfirmation, timeline, type TimelineAlert } from '../../dashboard/src/evidence';
import { csvField, exportName, toCsv } from '../../dashboard/src/export';
import { checkSeries, perFormSeries, type FunctionalSnapshot } from '../../dashboard/src/series';
import { countLabel, errorText, freshness, mayShowAllClear, tabTitle, type LoadFacts } from '../../dashboard/src/state';

const NOW = 1_800_000_000_000;
const facts = (overrides: Partial<LoadFacts>): LoadFacts => ({ hasValue: true, failed: false, at: NOW - 1_000, now: NOW, maxAgeMs: 65_000, ...overrides });

describe('freshness: an empty list is an all-clear only when loaded, without error, recently', () => {
  it.each([
    ['nothing received, call pending', { hasValue: false, at: null }, 'loading', '…', false],
    ['nothing received, call failed', { hasValue: false, failed: true, at: null }, 'failed', '?', false],
    ['received, last refresh failed', { failed: true }, 'stale', '0', false],
    ['received long ago (refresh stopped, tab asleep)', { at: NOW - 66_000 }, 'stale', '0', false],
    ['received just now', {}, 'fresh', '0', true],
    ['received exactly at the age limit', { at: NOW - 65_000 }, 'fresh', '0', true],
  ] as const)('%s', (_case, overrides, state, label, allClear) => {
    const result = freshness(facts(overrides));
    expect(result).toBe(state);
    expect(countLabel(result, 0)).toBe(label);
    expect(mayShowAllClear(result, 0)).toBe(allClear);
  });

  it('never shows an all-clear for a list that has alerts', () => {
    expect(mayShowAllClear('fresh', 3)).toBe(false);
    expect(countLabel('stale', 3)).toBe('3');
  });
});

describe('errorText: a failed call says what happened, not "internal [0]"', () => {
  it.each([
    ['internal', 'internal [0]', 'The server could not be reached or failed (internal)'],
    ['internal', 'internal', 'The server could not be reached or failed (internal)'],
    ['unavailable', '', 'The server could not be reached or failed (unavailable)'],
    ['deadline-exceeded', 'deadline-exceeded [504]', 'The server could not be reached or failed (deadline-exceeded)'],
    [
      'internal',
      'Internal error (reference 0a1b2c). It has been reported; try again later. [500]',
      'Internal error (reference 0a1b2c). It has been reported; try again later.',
    ],
    ['invalid-argument', 'rules.capture_rate.threshold: Too big [400]', 'rules.capture_rate.threshold: Too big'],
    ['permission-denied', '', 'permission-denied'],
  ])('%s / %j', (code, message, expected) => {
    expect(errorText(code, message, 'The server could not be reached or failed')).toBe(expected);
  });
});

describe('tabTitle: a background tab tells open emergencies and criticals', () => {
  const labels = { emergency: 'Emergency', critical: 'Critical' };
  it.each([
    [null, 'Monitoring'],
    [{ emergency: 0, critical: 0 }, 'Monitoring'],
    [{ emergency: 2, critical: 0 }, '(2 Emergency) Monitoring'],
    [{ emergency: 1, critical: 3 }, '(1 Emergency, 3 Critical) Monitoring'],
    [{ emergency: 0, critical: 1 }, '(1 Critical) Monitoring'],
  ])('%j → %s', (counts, expected) => expect(tabTitle('Monitoring', counts, labels)).toBe(expected));
});

describe('detailRows: metadata.details as label/value rows', () => {
  it.each([
    [{}, []],
    [null, []],
    [
      { captured: 180, authorized: 200 },
      [
        { label: 'captured', value: '180' },
        { label: 'authorized', value: '200' },
      ],
    ],
    [
      { topCodes: { card_declined: 12, expired_card: 3 } },
      [
        { label: 'topCodes.card_declined', value: '12' },
        { label: 'topCodes.expired_card', value: '3' },
      ],
    ],
    [
      { unavailableIds: ['p1', 'p2'], truncated: false },
      [
        { label: 'unavailableIds', value: 'p1, p2' },
        { label: 'truncated', value: 'false' },
      ],
    ],
    [
      { empty: [], none: null },
      [
        { label: 'empty', value: '—' },
        { label: 'none', value: '—' },
      ],
    ],
    [
      { forms: [{ name: 'signup', errors: 4 }] },
      [
        { label: 'forms.0.name', value: 'signup' },
        { label: 'forms.0.errors', value: '4' },
      ],
    ],
  ])('%j', (details, rows) => expect(detailRows(details)).toEqual(rows));

  it('bounds rows, depth and value length (the details are outside data)', () => {
    const many = Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`k${i}`, i]));
    expect(detailRows(many)).toHaveLength(DETAIL_LIMITS.rows);
    expect(detailRows({ long: 'x'.repeat(5_000) })[0].value).toHaveLength(DETAIL_LIMITS.valueChars);
    expect(detailRows({ a: { b: { c: { d: { e: 1 } } } } })).toEqual([{ label: 'a.b.c.d', value: '{"e":1}' }]);
  });
});

describe('linkIds: vendor ids link to the vendor console', () => {
  const sid = 'CA' + '0123456789abcdef'.repeat(2);
  it.each([
    [
      'pi_3Nabcdefgh (missing), ch_1Xyz12345678',
      'stripe_paid_not_recorded',
      [
        { id: 'pi_3Nabcdefgh', vendor: 'Stripe', url: 'https://dashboard.stripe.com/payments/pi_3Nabcdefgh' },
        ' (missing), ',
        { id: 'ch_1Xyz12345678', vendor: 'Stripe', url: 'https://dashboard.stripe.com/payments/ch_1Xyz12345678' },
      ],
    ],
    ['po_1Abcdefghij', 'failed_payouts', [{ id: 'po_1Abcdefghij', vendor: 'Stripe', url: 'https://dashboard.stripe.com/payouts/po_1Abcdefghij' }]],
    [
      `call ${sid} failed`,
      'twilio_failed_calls',
      ['call ', { id: sid, vendor: 'Twilio', url: `https://console.twilio.com/us1/monitor/logs/calls/${sid}` }, ' failed'],
    ],
    [
      'batches: 5UY2BQ7ZHL3QW, ABCDEFGHIJKLM',
      'paypal_payouts_failed',
      [
        'batches: ',
        { id: '5UY2BQ7ZHL3QW', vendor: 'PayPal', url: 'https://www.paypal.com/myaccount/activities/?free_text_search=5UY2BQ7ZHL3QW' },
        ', ABCDEFGHIJKLM',
      ],
    ],
    // PayPal-looking ids are links only in a PayPal rule; a word in capitals or a plain prefix is not an id.
    ['5UY2BQ7ZHL3QW', 'form_error_rate', ['5UY2BQ7ZHL3QW']],
    ['xx_1234567890, pi_short, re_try_again', 'stripe_payment_failures', ['xx_1234567890, pi_short, re_try_again']],
    [
      'pi_lost_1 (missing)',
      'stripe_paid_not_recorded',
      [{ id: 'pi_lost_1', vendor: 'Stripe', url: 'https://dashboard.stripe.com/payments/pi_lost_1' }, ' (missing)'],
    ],
    ['', 'capture_rate', []],
  ])('%s (%s)', (text, ruleId, pieces) => expect(linkIds(text, { ruleId })).toEqual(pieces));
});

describe('timeline: opened, messages, acknowledged, last seen, resolved, oldest first', () => {
  const base: TimelineAlert = {
    createdAt: '2026-11-20T08:00:00.000Z',
    lastSeenAt: '2026-11-20T12:00:00.000Z',
    occurrences: 3,
    acknowledged: true,
    acknowledgedBy: 'link:email',
    acknowledgedAt: '2026-11-20T08:20:00.000Z',
    acknowledgedVia: 'link',
    acknowledgedChannel: 'email',
    resolved: true,
    resolvedAt: '2026-11-20T13:00:00.000Z',
    resolvedBy: 'system',
    notifications: [
      { channel: 'slack', event: 'opened', attempt: 1, at: '2026-11-20T08:00:00.000Z', status: 'sent', error: null },
      { channel: 'sms', event: 'escalated', attempt: 2, at: '2026-11-20T08:15:00.000Z', status: 'failed', error: 'HTTP 500' },
      { channel: 'email', event: 'opened', attempt: 1, at: null, status: 'pending', error: null },
    ],
  };
  it('orders every event, the opening before its first message at the same instant', () => {
    expect(timeline(base).map((entry) => [entry.kind, entry.at])).toEqual([
      ['opened', '2026-11-20T08:00:00.000Z'],
      ['notification', '2026-11-20T08:00:00.000Z'],
      ['notification', '2026-11-20T08:15:00.000Z'],
      ['acknowledged', '2026-11-20T08:20:00.000Z'],
      ['lastSeen', '2026-11-20T12:00:00.000Z'],
      ['resolved', '2026-11-20T13:00:00.000Z'],
    ]);
    expect(timeline(base)[2]).toMatchObject({ channel: 'sms', event: 'escalated', status: 'failed', error: 'HTTP 500' });
    expect(timeline(base)[3]).toMatchObject({ who: 'link:email', via: 'link', channel: 'email' });
  });
  it('an open alert seen once has only its opening', () => {
    expect(
      timeline({ ...base, lastSeenAt: base.createdAt, acknowledged: false, acknowledgedAt: null, resolved: false, resolvedAt: null, notifications: [] }).map(
        (e) => e.kind,
      ),
    ).toEqual(['opened']);
  });
});

describe('resolveNeedsConfirmation: resolving a condition the last check still saw', () => {
  it.each([
    [{ resolved: false, lastSeenAt: '2026-11-20T12:00:00.000Z' }, true],
    [{ resolved: false, lastSeenAt: null }, false],
    [{ resolved: true, lastSeenAt: '2026-11-20T12:00:00.000Z' }, false],
  ])('%j → %s', (alert, expected) => expect(resolveNeedsConfirmation(alert)).toBe(expected));
});

describe('exports: CSV fields are quoted and defused, file names are safe', () => {
  it.each([
    ['plain', 'plain'],
    [12.5, '12.5'],
    [-3, '-3'],
    [null, ''],
    [true, 'true'],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['two\nlines', '"two\nlines"'],
    ['=HYPERLINK("x")', '"\'=HYPERLINK(""x"")"'],
    ['+33 6', "'+33 6"],
    ['@sum', "'@sum"],
    [{ a: 1 }, '"{""a"":1}"'],
  ])('%j → %s', (value, field) => expect(csvField(value)).toBe(field));

  it('builds rows with CRLF line ends and names files by date', () => {
    expect(
      toCsv(
        ['id', 'value'],
        [
          ['a-n1', 3],
          ['b,c', null],
        ],
      ),
    ).toBe('id,value\r\na-n1,3\r\n"b,c",\r\n');
    expect(exportName('capture rate', new Date('2026-11-20T08:05:09Z'), 'csv')).toBe('capture-rate-2026-11-20T08-05.csv');
  });
});

describe('functional chart series: each chart takes the runs that have its check; a failed check is a gap', () => {
  const points: FunctionalSnapshot[] = [
    {
      timestamp: '2026-11-20T09:00:00.000Z',
      type: 'all',
      metrics: { booking_failures: { failureRatePercent: 4.44 }, signup_dropoff: { forms: { a: { dropoffPercent: 50 }, b: { dropoffPercent: 20 } } } },
    },
    { timestamp: '2026-11-20T12:00:00.000Z', type: 'signup', metrics: { signup_dropoff: { forms: { a: { dropoffPercent: 60 } } } } },
    { timestamp: '2026-11-20T18:00:00.000Z', type: 'all', metrics: { booking_failures: null, signup_dropoff: { forms: { c: { dropoffPercent: 'x' } } } } },
  ];
  const at = (iso: string) => Date.parse(iso) / 1000;

  it('one figure of one check', () => {
    expect(checkSeries(points, 'booking_failures', [{ path: 'failureRatePercent', label: 'Bookings' }])).toEqual({
      x: [at('2026-11-20T09:00:00.000Z'), at('2026-11-20T18:00:00.000Z')],
      series: [{ label: 'Bookings', values: [4.4, null] }],
    });
    expect(checkSeries(points, 'meta_capi', [{ path: 'sent', label: 'Meta' }])).toEqual({ x: [], series: [{ label: 'Meta', values: [] }] });
  });

  it('one series per form, the most frequent forms first, bounded', () => {
    expect(perFormSeries(points, 'signup_dropoff', 'dropoffPercent')).toEqual({
      x: [at('2026-11-20T09:00:00.000Z'), at('2026-11-20T12:00:00.000Z'), at('2026-11-20T18:00:00.000Z')],
      series: [
        { label: 'a', values: [50, 60, null] },
        { label: 'b', values: [20, null, null] },
        { label: 'c', values: [null, null, null] },
      ],
    });
    expect(perFormSeries(points, 'signup_dropoff', 'dropoffPercent', 1).series.map((s) => s.label)).toEqual(['a']);
  });
});
