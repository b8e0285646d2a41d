/**
 * What the functional checks mean by the app's events: the logical event types of analytics_events
 * (sources/model.ts; the app's own values come from the mapping) and the collection this job writes.
 * docs/data-model.md describes every field; the client module (client/functionalAnalytics.ts) writes
 * the analytics_events and form_errors documents, and a test checks both sides use this vocabulary.
 */
import { EVENT_TYPE_VALUES, SOURCE_MODEL } from '../../sources/model';

/** Written by the functional jobs, read by the dashboard. */
export const FUNCTIONAL_COLLECTIONS = { metrics: 'functional_metrics' } as const;

/** The logical event types (analytics_events.eventType meanings). */
export const EVENT_TYPES = EVENT_TYPE_VALUES;
export type EventType = (typeof EVENT_TYPES)[number];

/** Events that stand for one submit attempt of the form named in formName (valid or not). */
export const FORM_SUBMIT_EVENTS: readonly EventType[] = ['form_submit', 'signup_form_submit'];

/** The signup forms (meanings of analytics_events.formName), each evaluated separately. */
export const SIGNUP_FORMS = Object.keys(SOURCE_MODEL.analyticsEvents.vocabularies.formName) as Array<
  keyof typeof SOURCE_MODEL.analyticsEvents.vocabularies.formName
>;

/** Meanings of tracking_events.platform. */
export const TRACKING_PLATFORMS = { metaCapi: 'metaCapi', googleAds: 'googleAds' } as const;
