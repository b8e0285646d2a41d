/**
 * Functional analytics for the marketplace front end: funnel events (signup, booking, payment) and
 * form errors, written to Firestore for the functional monitoring (see docs/tracking.md and
 * docs/data-model.md). Copy this file into the app (for example src/utils/functionalAnalytics.ts).
 *
 * - Framework-agnostic; depends only on the modular Firebase Web SDK (`firebase/firestore`).
 * - Never blocks or breaks the page: every call returns immediately and never throws. Events wait in a
 *   bounded in-memory queue and are written in small batches; when Firestore is unreachable, slow or
 *   refuses a write, the batch is dropped after a timeout (counted in `stats`), never retried forever.
 * - No personal data beyond ids: no emails, names, phone numbers or user-typed text. Error messages
 *   are masked (emails, URLs, long numbers) and truncated; search filters keep only code-like values;
 *   pages are recorded without query string or fragment.
 *
 * Writes go through `runTransaction` with a single attempt: one Commit request per batch that
 * settles (success or error) instead of the SDK's offline write queue, which would hold analytics
 * events in memory and retry them indefinitely while offline.
 */
import { collection, doc, runTransaction, serverTimestamp, type FieldValue, type Firestore } from 'firebase/firestore';

export const ANALYTICS_COLLECTIONS = { events: 'analytics_events', formErrors: 'form_errors' } as const;

/** analytics_events.eventType vocabulary (docs/data-model.md). */
export const EVENT_TYPES = [
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
export type EventType = (typeof EVENT_TYPES)[number];

export type UserRole = 'client' | 'provider' | 'admin';
export type SignupRole = 'client' | 'provider';
export type MetadataValue = string | number | boolean | null;

/** A document of analytics_events, as written. */
export interface AnalyticsEventDoc {
  eventType: EventType;
  /** Server time of the write. */
  timestamp: FieldValue;
  sessionId: string;
  userId: string | null;
  userRole: UserRole | null;
  page: string;
  formName: string | null;
  metadata: Record<string, MetadataValue>;
}

/** A document of form_errors, as written: one per failed submit attempt. */
export interface FormErrorDoc {
  formName: string;
  /** First invalid field (dotted path for nested fields). */
  fieldName: string;
  errorType: string;
  /** Developer-defined message or code, masked and truncated. */
  errorMessage: string;
  timestamp: FieldValue;
  sessionId: string;
  /** Origin and path of the page, without query string or fragment. */
  url: string;
  /** Every invalid field of the attempt (at most 20). */
  invalidFields: string[];
}

export interface FunctionalAnalyticsOptions {
  /** The signed-in user, read at each event. Ids only: userId must be the Firebase Auth uid of the visitor (firestore.rules refuses any other). */
  getUser?: () => { userId: string | null; userRole?: UserRole | null } | null;
  /** Page recorded with each event. Default: location.pathname. Return a route pattern ('/providers/:id') to keep ids and slugs out. */
  getPage?: () => string;
  /** Session id; default: a random id kept in sessionStorage for the tab's lifetime. */
  sessionId?: string;
  /** Delay before queued events are written (default 1000 ms). */
  flushDelayMs?: number;
  /** Events per write (default 20). */
  batchSize?: number;
  /** Events kept while waiting; further events are dropped (default 100). */
  maxQueue?: number;
  /** A write that has not settled after this long is abandoned (default 10000 ms). */
  timeoutMs?: number;
  /** Called with write errors (default: ignored). Never called synchronously from a tracking call. */
  onError?: (error: unknown) => void;
}

export interface FunctionalAnalyticsStats {
  /** Events written. */
  sent: number;
  /** Events lost: queue full, write failed or timed out. */
  dropped: number;
  /** Events waiting. */
  queued: number;
}

/**
 * Field errors as react-hook-form passes them to `handleSubmit`'s onInvalid callback. Typed as any
 * object so that react-hook-form's `FieldErrors<T>` is accepted without depending on the library.
 */
export type FieldErrorsLike = object;

interface Pending {
  collection: string;
  data: Omit<AnalyticsEventDoc, 'timestamp'> | Omit<FormErrorDoc, 'timestamp'>;
}

// --- Sanitising: what may leave the browser -------------------------------------------------------

const ID = /^[A-Za-z0-9_-]{1,128}$/;
/** Form names and codes: the pattern firestore.rules requires of fields that become alert subjects (safeName). */
const CODE = /^[A-Za-z0-9][A-Za-z0-9_.:\/-]{0,63}$/;
/** Characters firestore.rules accepts in a page (safePage); anything else becomes `_`. */
const PAGE_UNSAFE = /[^A-Za-z0-9_.:\/~%+@,=-]/g;
const METADATA_KEY = /^[A-Za-z][A-Za-z0-9_]{0,39}$/;
const USER_ROLES: readonly string[] = ['client', 'provider', 'admin'];

/** An identifier (uid, document id), or null when it does not look like one. */
export function sanitizeId(value: unknown): string | null {
  return typeof value === 'string' && ID.test(value) ? value : null;
}

/** A code (error code, form or field name, method): letters, digits and _ . : / - only. */
export function sanitizeCode(value: unknown, fallback = 'unrecognized'): string {
  return typeof value === 'string' && CODE.test(value) ? value : fallback;
}

/** A developer-defined message: emails, URLs and long numbers masked, one line, at most 120 characters. */
export function sanitizeMessage(value: unknown): string {
  if (typeof value !== 'string') return '';
  return value
    .replace(/[^\s@]+@[^\s@]+/g, '[email]')
    .replace(/\b(?:https?:\/\/|www\.)\S+/gi, '[url]')
    .replace(/\+?\d(?:[\s.()-]?\d){3,}/g, '[number]')
    .replace(/[\u0000-\u001f\u007f]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 120);
}

function sanitizeAmount(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 && value < 1e9 ? value : null;
}

function sanitizeCurrency(value: unknown): string | null {
  return typeof value === 'string' && /^[A-Za-z]{3}$/.test(value) ? value.toUpperCase() : null;
}

/** Search filters: at most 10 code-like keys with code-like, numeric or boolean values; anything else (free text) is dropped. */
export function sanitizeFilters(filters: unknown): Record<string, MetadataValue> {
  const result: Record<string, MetadataValue> = {};
  if (!filters || typeof filters !== 'object') return result;
  for (const [key, value] of Object.entries(filters as Record<string, unknown>)) {
    if (Object.keys(result).length >= 10) break;
    if (!METADATA_KEY.test(key) || key === 'errorCode' || key === 'errorMessage') continue;
    if (typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value))) result[key] = value;
    else if (typeof value === 'string' && CODE.test(value)) result[key] = value;
  }
  return result;
}

/** One entry per invalid field of a react-hook-form errors object (nested objects and field arrays flattened). */
export function flattenFieldErrors(errors: unknown): Array<{ field: string; type: string; message: string }> {
  const out: Array<{ field: string; type: string; message: string }> = [];
  const visit = (node: unknown, path: string, depth: number) => {
    if (!node || typeof node !== 'object' || depth > 6 || out.length >= 20) return;
    const leaf = node as { type?: unknown; message?: unknown };
    if (path && typeof leaf.type === 'string') {
      out.push({ field: path, type: leaf.type, message: typeof leaf.message === 'string' ? leaf.message : '' });
      return;
    }
    for (const [name, child] of Object.entries(node as Record<string, unknown>)) {
      if (name === 'ref') continue;
      visit(child, path ? `${path}.${name}` : name, depth + 1);
    }
  };
  visit(errors, '', 0);
  return out;
}

// --- Environment (browser when present, nothing otherwise) ---------------------------------------

interface BrowserLike {
  location?: { pathname?: string; origin?: string };
  sessionStorage?: { getItem(key: string): string | null; setItem(key: string, value: string): void };
  document?: { visibilityState?: string; addEventListener?(type: string, listener: () => void): void };
  addEventListener?(type: string, listener: () => void): void;
  crypto?: { randomUUID?: () => string };
}
const browser = globalThis as unknown as BrowserLike;

function randomId(): string {
  try {
    const uuid = browser.crypto?.randomUUID?.();
    if (uuid) return uuid;
  } catch {
    // fall through
  }
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 12)}`;
}

function tabSessionId(): string {
  const key = 'functionalAnalytics.sessionId';
  try {
    const existing = browser.sessionStorage?.getItem(key);
    if (existing && ID.test(existing)) return existing;
    const created = randomId();
    browser.sessionStorage?.setItem(key, created);
    return created;
  } catch {
    return randomId();
  }
}

function defaultPage(): string {
  return (browser.location?.pathname ?? '').slice(0, 200);
}

function pageUrl(): string {
  return `${browser.location?.origin ?? ''}${browser.location?.pathname ?? ''}`.slice(0, 300);
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`Firestore write did not settle within ${ms} ms`)), ms);
    (timer as { unref?: () => void }).unref?.();
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

// --- The tracker ----------------------------------------------------------------------------------

export class FunctionalAnalytics {
  private firestore: Firestore | null;
  private options: Required<Omit<FunctionalAnalyticsOptions, 'getUser' | 'getPage' | 'sessionId' | 'onError'>> &
    Pick<FunctionalAnalyticsOptions, 'getUser' | 'getPage' | 'onError'>;
  private sessionId: string;
  private queue: Pending[] = [];
  private timer: ReturnType<typeof setTimeout> | null = null;
  private flushing: Promise<void> | null = null;
  private readonly counters = { sent: 0, dropped: 0 };
  private listening = false;

  constructor(firestore: Firestore | null = null, options: FunctionalAnalyticsOptions = {}) {
    this.firestore = firestore;
    this.options = FunctionalAnalytics.withDefaults(options);
    this.sessionId = sanitizeId(options.sessionId) ?? tabSessionId();
    this.listenForPageHide();
  }

  private static withDefaults(options: FunctionalAnalyticsOptions) {
    const positive = (value: number | undefined, fallback: number) => (typeof value === 'number' && value > 0 ? value : fallback);
    return {
      flushDelayMs: positive(options.flushDelayMs, 1000),
      batchSize: Math.min(positive(options.batchSize, 20), 400),
      maxQueue: positive(options.maxQueue, 100),
      timeoutMs: positive(options.timeoutMs, 10_000),
      getUser: options.getUser,
      getPage: options.getPage,
      onError: options.onError,
    };
  }

  /** Sets the Firestore instance (and options). Events tracked before are written then. */
  configure(firestore: Firestore, options: FunctionalAnalyticsOptions = {}): this {
    this.safely(() => {
      this.firestore = firestore;
      this.options = FunctionalAnalytics.withDefaults(options);
      if (options.sessionId) this.sessionId = sanitizeId(options.sessionId) ?? this.sessionId;
      this.schedule();
    });
    return this;
  }

  get stats(): FunctionalAnalyticsStats {
    return { ...this.counters, queued: this.queue.length };
  }

  readonly signup = {
    pageView: (role: SignupRole) => this.signupEvent('signup_page_view', role),
    formStart: (role: SignupRole) => this.signupEvent('signup_form_start', role),
    /** A valid submit of the signup form (call it from react-hook-form's onValid). */
    formSubmit: (role: SignupRole) => this.signupEvent('signup_form_submit', role),
    success: (userId: string, role: SignupRole) => this.signupEvent('signup_success', role, {}, sanitizeId(userId)),
    /** A signup rejected after submit (for example `auth/email-already-in-use`). */
    error: (errorCode: string, errorMessage?: string, role?: SignupRole) =>
      this.safely(() =>
        this.event('signup_error', {
          formName: role ? `signup_${sanitizeCode(role)}` : null,
          userRole: role ?? null,
          metadata: { errorCode: sanitizeCode(errorCode), errorMessage: sanitizeMessage(errorMessage) },
        }),
      ),
  };

  readonly booking = {
    /** Provider search; filters keep only code-like values (never the user's free text). */
    search: (filters: Record<string, unknown> = {}) => this.safely(() => this.event('booking_search', { metadata: sanitizeFilters(filters) })),
    providerView: (providerId: string) =>
      this.safely(() => this.event('booking_provider_view', { metadata: { providerId: sanitizeId(providerId) } })),
    start: (providerId: string, amount: number, currency: string) =>
      this.safely(() =>
        this.event('booking_start', {
          metadata: { providerId: sanitizeId(providerId), amount: sanitizeAmount(amount), currency: sanitizeCurrency(currency) },
        }),
      ),
    complete: (bookingId: string, providerId: string, amount: number, currency: string) =>
      this.safely(() =>
        this.event('booking_complete', {
          metadata: {
            bookingId: sanitizeId(bookingId),
            providerId: sanitizeId(providerId),
            amount: sanitizeAmount(amount),
            currency: sanitizeCurrency(currency),
          },
        }),
      ),
    error: (errorCode: string, errorMessage?: string, providerId?: string) =>
      this.safely(() =>
        this.event('booking_error', {
          metadata: { errorCode: sanitizeCode(errorCode), errorMessage: sanitizeMessage(errorMessage), providerId: sanitizeId(providerId) },
        }),
      ),
  };

  readonly payment = {
    checkoutStart: (amount: number, currency: string) =>
      this.safely(() => this.event('checkout_start', { metadata: { amount: sanitizeAmount(amount), currency: sanitizeCurrency(currency) } })),
    methodSelected: (method: string) => this.safely(() => this.event('payment_method_selected', { metadata: { method: sanitizeCode(method) } })),
    attempt: (paymentId: string, amount: number, currency: string, method: string) => this.paymentEvent('payment_attempt', paymentId, amount, currency, method),
    success: (paymentId: string, amount: number, currency: string, method: string) => this.paymentEvent('payment_success', paymentId, amount, currency, method),
    error: (errorCode: string, errorMessage?: string, paymentId?: string, method?: string) =>
      this.safely(() =>
        this.event('payment_error', {
          metadata: {
            errorCode: sanitizeCode(errorCode),
            errorMessage: sanitizeMessage(errorMessage),
            paymentId: sanitizeId(paymentId),
            method: method === undefined ? null : sanitizeCode(method),
          },
        }),
      ),
  };

  /** One submit attempt of a form (call it on valid submits; createFormErrorHandler records the invalid ones). */
  trackFormSubmit(formName: string): void {
    this.safely(() => this.event('form_submit', { formName: sanitizeCode(formName, 'unnamed_form'), metadata: { valid: true } }));
  }

  /** One failed submit attempt of a form, for forms that do not use react-hook-form. */
  trackGenericFormError(formName: string, fieldName: string, errorType: string, errorMessage?: string): void {
    this.safely(() => {
      const field = sanitizeCode(fieldName, 'unnamed_field');
      this.formError(sanitizeCode(formName, 'unnamed_form'), field, sanitizeCode(errorType), sanitizeMessage(errorMessage), [field]);
    });
  }

  /**
   * react-hook-form adapter: `handleSubmit(onValid, createFormErrorHandler('my_form'))`. Each invalid
   * submit records one submit attempt (form_submit, valid false) and one form_errors document naming
   * the first invalid field and listing all of them.
   */
  createFormErrorHandler(formName: string): (errors: FieldErrorsLike, event?: unknown) => void {
    return (errors) =>
      this.safely(() => {
        const form = sanitizeCode(formName, 'unnamed_form');
        const fields = flattenFieldErrors(errors);
        const first = fields[0] ?? { field: 'unknown', type: 'unknown', message: '' };
        this.event('form_submit', { formName: form, metadata: { valid: false } });
        this.formError(
          form,
          sanitizeCode(first.field, 'unnamed_field'),
          sanitizeCode(first.type),
          sanitizeMessage(first.message),
          fields.map((item) => sanitizeCode(item.field, 'unnamed_field')),
        );
      });
  }

  /** Writes what is queued now. Resolves when done or given up; never rejects. */
  flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (!this.flushing) {
      this.flushing = this.drain().finally(() => {
        this.flushing = null;
      });
    }
    return this.flushing;
  }

  // --- internals ---

  private signupEvent(eventType: EventType, role: SignupRole, metadata: Record<string, MetadataValue> = {}, userId?: string | null): void {
    this.safely(() => {
      const safeRole = sanitizeCode(role, 'unknown');
      this.event(eventType, {
        formName: `signup_${safeRole}`,
        userRole: USER_ROLES.includes(safeRole) ? (safeRole as UserRole) : null,
        metadata,
        ...(userId !== undefined ? { userId } : {}),
      });
    });
  }

  private paymentEvent(eventType: EventType, paymentId: string, amount: number, currency: string, method: string): void {
    this.safely(() =>
      this.event(eventType, {
        metadata: { paymentId: sanitizeId(paymentId), amount: sanitizeAmount(amount), currency: sanitizeCurrency(currency), method: sanitizeCode(method) },
      }),
    );
  }

  private event(
    eventType: EventType,
    fields: { formName?: string | null; userRole?: UserRole | null; userId?: string | null; metadata?: Record<string, MetadataValue> },
  ): void {
    const user = this.currentUser();
    this.enqueue({
      collection: ANALYTICS_COLLECTIONS.events,
      data: {
        eventType,
        sessionId: this.sessionId,
        userId: fields.userId !== undefined ? fields.userId : user.userId,
        userRole: fields.userRole !== undefined ? fields.userRole : user.userRole,
        page: this.page(),
        formName: fields.formName ?? null,
        metadata: fields.metadata ?? {},
      },
    });
  }

  private formError(formName: string, fieldName: string, errorType: string, errorMessage: string, invalidFields: string[]): void {
    this.enqueue({
      collection: ANALYTICS_COLLECTIONS.formErrors,
      data: { formName, fieldName, errorType, errorMessage, sessionId: this.sessionId, url: pageUrl(), invalidFields: invalidFields.slice(0, 20) },
    });
  }

  private currentUser(): { userId: string | null; userRole: UserRole | null } {
    try {
      const user = this.options.getUser?.() ?? null;
      const role = user?.userRole;
      return { userId: sanitizeId(user?.userId), userRole: role && USER_ROLES.includes(role) ? role : null };
    } catch {
      return { userId: null, userRole: null };
    }
  }

  private page(): string {
    try {
      const page = this.options.getPage ? this.options.getPage() : defaultPage();
      if (typeof page !== 'string') return '';
      const path = page.split(/[?#]/)[0];
      return path === '' ? '' : `${path.startsWith('/') ? '' : '/'}${path}`.replace(PAGE_UNSAFE, '_').slice(0, 200);
    } catch {
      return '';
    }
  }

  private enqueue(item: Pending): void {
    if (this.queue.length >= this.options.maxQueue) {
      this.counters.dropped += 1;
      return;
    }
    this.queue.push(item);
    if (this.queue.length >= this.options.batchSize) void this.flush();
    else this.schedule();
  }

  private schedule(): void {
    if (this.timer || this.queue.length === 0 || !this.firestore) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.flush();
    }, this.options.flushDelayMs);
    (this.timer as { unref?: () => void }).unref?.();
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0 && this.firestore) {
      const batch = this.queue.splice(0, this.options.batchSize);
      try {
        await withTimeout(this.commit(this.firestore, batch), this.options.timeoutMs);
        this.counters.sent += batch.length;
      } catch (error) {
        this.counters.dropped += batch.length;
        this.report(error);
      }
    }
  }

  private commit(firestore: Firestore, batch: Pending[]): Promise<void> {
    const refs = batch.map((item) => doc(collection(firestore, item.collection)));
    return runTransaction(
      firestore,
      async (transaction) => {
        batch.forEach((item, index) => transaction.set(refs[index], { ...item.data, timestamp: serverTimestamp() }));
      },
      { maxAttempts: 1 },
    );
  }

  private report(error: unknown): void {
    try {
      this.options.onError?.(error);
    } catch {
      // The error hook must not break the page either.
    }
  }

  private safely(work: () => void): void {
    try {
      work();
    } catch (error) {
      this.report(error);
    }
  }

  /** Writes what is queued when the tab is hidden or closed (best effort). */
  private listenForPageHide(): void {
    if (this.listening) return;
    try {
      const flushIfHidden = () => {
        if (browser.document?.visibilityState === 'hidden') void this.flush();
      };
      browser.document?.addEventListener?.('visibilitychange', flushIfHidden);
      browser.addEventListener?.('pagehide', () => void this.flush());
      this.listening = true;
    } catch {
      // No browser events: the timer alone flushes.
    }
  }
}

// --- Module-level API (one tracker per page) -------------------------------------------------------

/** The page's tracker. Until initFunctionalAnalytics is called, events wait in its queue. */
export const functionalAnalytics = new FunctionalAnalytics();

/** Call once at start-up with the app's Firestore instance. */
export function initFunctionalAnalytics(firestore: Firestore, options: FunctionalAnalyticsOptions = {}): FunctionalAnalytics {
  return functionalAnalytics.configure(firestore, options);
}

export const signupFunnelTracking = functionalAnalytics.signup;
export const bookingFunnelTracking = functionalAnalytics.booking;
export const paymentFunnelTracking = functionalAnalytics.payment;

export function trackFormSubmit(formName: string): void {
  functionalAnalytics.trackFormSubmit(formName);
}

export function trackGenericFormError(formName: string, fieldName: string, errorType: string, errorMessage?: string): void {
  functionalAnalytics.trackGenericFormError(formName, fieldName, errorType, errorMessage);
}

export function createFormErrorHandler(formName: string): (errors: FieldErrorsLike, event?: unknown) => void {
  return functionalAnalytics.createFormErrorHandler(formName);
}
