/**
 * The data the functional checks read: collection names, field names and the event vocabulary.
 * docs/data-model.md describes every field; the client module (client/functionalAnalytics.ts) writes
 * the analytics_events and form_errors documents, and a test checks both sides use this vocabulary.
 */

export const FUNCTIONAL_COLLECTIONS = {
  events: 'analytics_events',
  formErrors: 'form_errors',
  trackingEvents: 'tracking_events',
  trackingStatus: 'tracking_status',
  providers: 'providers',
  bookings: 'bookings',
  commissions: 'commissions',
  metrics: 'functional_metrics',
} as const;

/** analytics_events.eventType values. */
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

/** Events that stand for one submit attempt of the form named in formName (valid or not). */
export const FORM_SUBMIT_EVENTS: readonly EventType[] = ['form_submit', 'signup_form_submit'];

/** Signup forms are named signup_<role>; each is evaluated separately. */
export const SIGNUP_ROLES = ['client', 'provider'] as const;
export const signupFormName = (role: (typeof SIGNUP_ROLES)[number]) => `signup_${role}`;

/** tracking_events.platform values (written by the app's server-side senders). */
export const TRACKING_PLATFORMS = { metaCapi: 'meta_capi', googleAds: 'google_ads' } as const;
/** Document of tracking_status holding the Meta event match quality score. */
export const META_STATUS_DOC = 'meta_capi';
