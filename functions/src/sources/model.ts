/**
 * The app's data as the monitors mean it: every source (collection) a rule reads, each field it uses
 * with the type it expects, and each status vocabulary by what its values mean. Monitors name only
 * these logical names; the app's own collection, field and value names come from the declared mapping
 * (functions/sources.json, validated by sources/schema.ts) and default to the data model below
 * (docs/data-model.md).
 */

/** How a time field is stored: queries convert their bounds, readers convert values. */
export const TIME_TYPES = ['timestamp', 'isoString', 'epochMillis', 'epochSeconds'] as const;
export type TimeType = (typeof TIME_TYPES)[number];
export const FIELD_TYPES = [...TIME_TYPES, 'string', 'number', 'boolean'] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

export interface FieldModel {
  /** Default path in the app's documents (dots for nested maps). */
  path: string;
  type: FieldType;
  description: string;
  /**
   * Which documents must carry it: all (default), only those whose vocabulary field has one of the
   * meanings (failedAt when status is failed), or none (`optional`: present on some documents only).
   * The doctor and the production check judge a field's presence on those documents only.
   */
  when?: { field: string; meanings: readonly string[] };
  optional?: true;
}

export interface SourceModel {
  /** Default collection path (a collection group when `group` is set in the mapping). */
  collection: string;
  description: string;
  /** For a source read as one document (tracking_status/meta_capi): its id. */
  document?: string;
  fields: Record<string, FieldModel>;
  /** Vocabularies by field: meaning → the values that mean it. */
  vocabularies: Record<string, Record<string, readonly string[]>>;
  /** Values of a vocabulary field that are expected but mean nothing to a rule (pending payments): no "unknown value". */
  knownValues?: Record<string, readonly string[]>;
  /** A source that is legitimately empty for long periods (no error, no form error): never "stale". */
  mayBeQuiet?: boolean;
  /** Vocabulary fields that also take values of the app's own choosing (form names): no "unknown value" warning. */
  open?: readonly string[];
  /** The time field that says when documents are written: how the doctor and the check see a source stop. */
  freshness?: string;
  /**
   * Composite indexes the monitors' queries need, by logical field ("timestamp desc" for descending):
   * firestore.indexes.json is generated from them through the mapping (npm run docs).
   */
  indexes?: readonly (readonly string[])[];
  /** A TTL policy the app should have on this field (error_logs expire after 30 days). */
  ttl?: string;
}

const ts = (path: string, description: string, extra: Partial<FieldModel> = {}): FieldModel => ({ path, type: 'timestamp', description, ...extra });
const str = (path: string, description: string, extra: Partial<FieldModel> = {}): FieldModel => ({ path, type: 'string', description, ...extra });
const when = (field: string, ...meanings: string[]) => ({ when: { field, meanings } });
const optional = { optional: true } as const;
const same = (...values: string[]) => Object.fromEntries(values.map((value) => [value, [value]]));

export const EVENT_TYPE_VALUES = [
  'signup_page_view',
  'signup_form_start',
  'signup_form_submit',
  'signup_success',
  'signup_error',
  'booking_search',
  'booking_provider_view',
  'booking_start',
  'booking_complete',
  'booking_error',
  'checkout_start',
  'payment_method_selected',
  'payment_attempt',
  'payment_success',
  'payment_error',
  'form_submit',
] as const;

export const SOURCE_MODEL = {
  payments: {
    collection: 'payments',
    indexes: [
      ['provider', 'status', 'failedAt'],
      ['status', 'authorizedAt'],
      ['provider', 'createdAt'],
      ['status', 'currency', 'capturedAt'],
    ],
    description: 'One document per payment attempt (Stripe or PayPal), written by the app backend.',
    fields: {
      provider: str('provider', 'Payment provider.'),
      status: str('status', 'Payment status.'),
      createdAt: ts('createdAt', 'When the payment was created.'),
      authorizedAt: ts('authorizedAt', 'When the card was authorised (Stripe).', when('status', 'awaitingCapture', 'captured')),
      capturedAt: ts('capturedAt', 'When the money was captured.', when('status', 'captured')),
      failedAt: ts('failedAt', 'When the payment failed.', when('status', 'failed')),
      failureCode: str('failureCode', "The provider's failure code (card_declined...).", when('status', 'failed')),
      currency: str('currency', 'ISO currency code.'),
      amount: { path: 'amount', type: 'number', description: 'Amount in minor units.' },
      stripePaymentIntentId: str('stripePaymentIntentId', 'The Stripe PaymentIntent id (pi_...).', optional),
    },
    freshness: 'createdAt',
    vocabularies: {
      provider: same('stripe', 'paypal'),
      status: { failed: ['failed'], awaitingCapture: ['requires_capture'], captured: ['captured'], refunded: ['refunded'] },
    },
    knownValues: { status: ['pending', 'canceled'] },
  },
  payouts: {
    collection: 'payouts',
    indexes: [
      ['status', 'createdAt'],
      ['status', 'paidAt'],
    ],
    description: 'One document per payout to a provider.',
    fields: {
      status: str('status', 'Payout status.'),
      method: str('method', 'Payout method.'),
      createdAt: ts('createdAt', 'When the payout was requested.'),
      paidAt: ts('paidAt', 'When the payout was paid.', when('status', 'paid')),
      paypalBatchId: str('paypalBatchId', 'PayPal payout batch id.', when('method', 'paypal')),
      paypalItemId: str('paypalItemId', 'PayPal payout item id.', when('method', 'paypal')),
    },
    freshness: 'createdAt',
    vocabularies: {
      status: same('pending', 'processing', 'paid', 'failed'),
      method: same('paypal'),
    },
    knownValues: { status: ['canceled'], method: ['stripe'] },
  },
  callSessions: {
    collection: 'call_sessions',
    indexes: [
      ['status', 'failedAt'],
      ['status', 'expectedEndAt'],
      ['status', 'endedAt'],
    ],
    description: 'One document per paid call session.',
    fields: {
      status: str('status', 'Session status.'),
      endedAt: ts('endedAt', 'When the call ended.', when('status', 'completed')),
      failedAt: ts('failedAt', 'When the session failed.', when('status', 'failed')),
      expectedEndAt: ts('expectedEndAt', 'When a scheduled or running session should have ended.', when('status', 'pending', 'scheduled')),
      failureReason: str('failureReason', 'Why the session failed.', when('status', 'failed')),
    },
    freshness: 'endedAt',
    vocabularies: { status: same('pending', 'scheduled', 'completed', 'failed') },
    knownValues: { status: ['in_progress', 'canceled'] },
  },
  analyticsEvents: {
    collection: 'analytics_events',
    indexes: [
      ['eventType', 'timestamp'],
      ['formName', 'eventType', 'timestamp'],
      ['eventType', 'timestamp desc'],
      ['formName', 'eventType', 'timestamp desc'],
    ],
    description: 'Funnel events written by the web client (client/functionalAnalytics.ts).',
    fields: {
      eventType: str('eventType', 'What happened (signup_page_view...).'),
      formName: str(
        'formName',
        'The form or funnel subject (signup_client...).',
        when('eventType', 'form_submit', 'signup_page_view', 'signup_form_start', 'signup_form_submit', 'signup_success'),
      ),
      timestamp: ts('timestamp', 'When it happened.'),
      sessionId: str('sessionId', 'Browser session id.', optional),
      errorCode: str('metadata.errorCode', 'Error code of an error event.', when('eventType', 'payment_error')),
    },
    freshness: 'timestamp',
    vocabularies: {
      eventType: same(...EVENT_TYPE_VALUES),
      /** The signup forms, evaluated one by one; any other form name is a subject of form_error_rate. */
      formName: { signupClient: ['signup_client'], signupProvider: ['signup_provider'] },
    },
    open: ['formName'],
  },
  formErrors: {
    collection: 'form_errors',
    indexes: [['formName', 'timestamp']],
    description: 'Validation errors of forms, written by the web client.',
    mayBeQuiet: true,
    fields: { formName: str('formName', 'The form.'), timestamp: ts('timestamp', 'When it happened.') },
    freshness: 'timestamp',
    vocabularies: {},
  },
  trackingEvents: {
    collection: 'tracking_events',
    indexes: [['platform', 'status', 'timestamp']],
    description: 'Server-side ad tracking sends (Meta Conversions API, Google Ads).',
    fields: { platform: str('platform', 'Ad platform.'), status: str('status', 'Send result.'), timestamp: ts('timestamp', 'When it was sent.') },
    freshness: 'timestamp',
    vocabularies: { platform: { metaCapi: ['meta_capi'], googleAds: ['google_ads'] }, status: same('sent', 'failed') },
  },
  trackingStatus: {
    collection: 'tracking_status',
    document: 'meta_capi',
    description: 'One document holding the Meta event match quality score.',
    fields: {
      qualityScore: { path: 'qualityScore', type: 'number', description: 'Event match quality (0-10).' },
      qualityScoreUpdatedAt: ts('qualityScoreUpdatedAt', 'When the score was last refreshed.'),
    },
    vocabularies: {},
  },
  providers: {
    collection: 'providers',
    indexes: [['status', 'rating desc']],
    description: 'Service providers of the marketplace.',
    fields: {
      status: str('status', 'Account status.'),
      isAvailable: { path: 'isAvailable', type: 'boolean', description: 'Available for booking now.' },
      rating: { path: 'rating', type: 'number', description: 'Average rating.' },
    },
    vocabularies: { status: same('active') },
    knownValues: { status: ['pending', 'suspended'] },
  },
  bookings: {
    collection: 'bookings',
    description: 'One document per booking.',
    fields: { createdAt: ts('createdAt', 'When the booking was made.') },
    freshness: 'createdAt',
    vocabularies: {},
  },
  commissions: {
    collection: 'commissions',
    indexes: [['status', 'createdAt']],
    description: "The marketplace's commission on each payment.",
    fields: {
      status: str('status', 'Commission status.'),
      createdAt: ts('createdAt', 'When it was created.'),
      amount: { path: 'amount', type: 'number', description: 'Amount in minor units.' },
    },
    freshness: 'createdAt',
    vocabularies: { status: same('pending') },
    knownValues: { status: ['paid', 'cancelled'] },
  },
  errorLogs: {
    collection: 'error_logs',
    indexes: [
      ['severity', 'timestamp'],
      ['severity', 'source', 'timestamp'],
      ['severity', 'source', 'timestamp desc'],
    ],
    description: 'Errors logged by the app backend and frontend (TTL on expireAt).',
    mayBeQuiet: true,
    fields: {
      severity: str('severity', 'info, low, medium, high or critical.'),
      timestamp: ts('timestamp', 'When it was logged.'),
      source: str('source', 'Function, service or page that logged it.'),
      message: str('message', 'The error message.'),
      correlationId: str('correlationId', 'Request or trace id.', optional),
      expireAt: ts('expireAt', 'When Firestore deletes the entry (TTL policy; timestamp + 30 days).', optional),
    },
    ttl: 'expireAt',
    freshness: 'timestamp',
    vocabularies: { severity: same('info', 'low', 'medium', 'high', 'critical') },
  },
  backupLogs: {
    collection: 'backup_logs',
    indexes: [['status', 'finishedAt desc']],
    description: 'One document per backup attempt, written by the backup job.',
    fields: {
      status: str('status', 'Backup result.'),
      finishedAt: ts('finishedAt', 'When the attempt ended.'),
      kind: str('kind', 'What was backed up (firestore-export...).', optional),
      destination: str('destination', 'Where the backup went (gs:// URI, no credentials).', optional),
      error: str('error', 'Why the attempt failed.', when('status', 'failed')),
    },
    freshness: 'finishedAt',
    vocabularies: { status: same('success', 'failed') },
  },
  emailLogs: {
    collection: 'email_logs',
    indexes: [['status', 'timestamp']],
    description: "Delivery events of the app's transactional emails.",
    fields: { status: str('status', 'Delivery event.'), timestamp: ts('timestamp', 'When it happened.') },
    freshness: 'timestamp',
    vocabularies: { status: same('sent', 'delivered', 'bounced', 'complained') },
  },
} as const satisfies Record<string, SourceModel>;

export type SourceName = keyof typeof SOURCE_MODEL;
export type FieldOf<S extends SourceName> = keyof (typeof SOURCE_MODEL)[S]['fields'] & string;
export type VocabularyField<S extends SourceName> = keyof (typeof SOURCE_MODEL)[S]['vocabularies'] & string;
export type MeaningOf<S extends SourceName, F extends VocabularyField<S>> = keyof (typeof SOURCE_MODEL)[S]['vocabularies'][F] & string;

export const SOURCE_NAMES = Object.keys(SOURCE_MODEL) as SourceName[];

/** What a rule reads: one source and the fields it needs there (declared on the rule definition). */
export interface SourceRead {
  source: SourceName;
  fields: readonly string[];
}

export function read<S extends SourceName>(source: S, ...fields: FieldOf<S>[]): SourceRead {
  return { source, fields };
}
