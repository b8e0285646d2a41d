/**
 * Languages of the texts an on-call person reads, and the Intl formatters for numbers and dates in
 * them. At the bottom of the import graph with the rules: rule messages, the configuration schema
 * and the notification renderers all use it.
 */
import { TIME_ZONE } from '../config/deployment';
import type { Unit } from './types';

export const LOCALES = ['en', 'fr'] as const;
export type Locale = (typeof LOCALES)[number];

export const DEFAULT_LOCALE: Locale = 'en';
/** The schedules' time zone (config/deployment.ts). */
export const DEFAULT_TIME_ZONE = TIME_ZONE;

/** BCP 47 tags given to Intl: British English writes dates day-first like the team does. */
const TAGS: Record<Locale, string> = { en: 'en-GB', fr: 'fr-FR' };

/** Narrow no-break space: French puts it before %, between thousands, and before units. */
const NNBSP = '\u202f';

export function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (LOCALES as readonly string[]).includes(value);
}

/** Whether Intl knows this IANA time zone (Europe/Paris, UTC...). */
export function isTimeZone(value: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

const numberFormats = new Map<string, Intl.NumberFormat>();
const dateFormats = new Map<string, Intl.DateTimeFormat>();

function numberFormat(locale: Locale, fractionDigits: number): Intl.NumberFormat {
  const id = `${locale}|${fractionDigits}`;
  let format = numberFormats.get(id);
  if (!format) {
    format = new Intl.NumberFormat(TAGS[locale], { minimumFractionDigits: fractionDigits, maximumFractionDigits: fractionDigits });
    numberFormats.set(id, format);
  }
  return format;
}

/** A number in the locale: integers as they are, others with `digits` decimals ("1,234.5" / "1 234,5"). */
export function formatNumber(value: number, locale: Locale, digits = 2): string {
  if (!Number.isFinite(value)) return String(value);
  return numberFormat(locale, Number.isInteger(value) ? 0 : digits).format(value);
}

/** A number with exactly `digits` decimals ("12.50" / "12,50"). */
export function formatFixed(value: number, locale: Locale, digits: number): string {
  if (!Number.isFinite(value)) return String(value);
  return numberFormat(locale, digits).format(value);
}

/** A measured value with its unit: "12.5 %" / "12,5 %", "72/100", "4 h", "30 min". */
export function formatValue(value: number, unit: Unit, locale: Locale = 'en'): string {
  const rounded = formatNumber(value, locale, unit === 'percent' ? 1 : 2);
  const space = locale === 'fr' ? NNBSP : ' ';
  switch (unit) {
    case 'percent':
      return `${rounded}${space}%`;
    case 'score':
      return `${rounded}/100`;
    case 'hours':
      return `${rounded}${space}h`;
    case 'minutes':
      return `${rounded}${space}min`;
    default:
      return rounded;
  }
}

/** A Date, an ISO 8601 string, epoch milliseconds or a Firestore Timestamp (anything with toDate()). */
export type DateInput = Date | string | number | { toDate(): Date };

function toDate(value: DateInput): Date | null {
  const date = value instanceof Date ? value : typeof value === 'object' && value !== null && 'toDate' in value ? value.toDate() : new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}

/**
 * A date and time in `timeZone`, with the offset: "1 Dec 2026, 15:30 GMT+1" / "1 déc. 2026, 15:30 UTC+1".
 * Text that is not a date is returned unchanged (details come from outside and may hold anything).
 */
export function formatDateTime(value: DateInput, locale: Locale, timeZone: string): string {
  const date = toDate(value);
  if (!date) return String(value);
  const id = `${locale}|${timeZone}`;
  let format = dateFormats.get(id);
  if (!format) {
    format = new Intl.DateTimeFormat(TAGS[locale], {
      day: 'numeric',
      month: 'short',
      year: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
      timeZone,
      timeZoneName: 'shortOffset',
    });
    dateFormats.set(id, format);
  }
  return format.format(date);
}

/** What a rule's message function gets to write numbers and dates the way its reader expects. */
export interface Formatter {
  locale: Locale;
  timeZone: string;
  /** Integers as they are, others with `digits` decimals (default 2). */
  number(value: number, digits?: number): string;
  /** Exactly `digits` decimals. */
  fixed(value: number, digits: number): string;
  /** A value already in percent: "12.5 %" / "12,5 %". */
  percent(value: number): string;
  /** A date-time in the configured time zone with its offset; non-dates are returned unchanged. */
  dateTime(value: DateInput): string;
}

export function formatterFor(locale: Locale = DEFAULT_LOCALE, timeZone: string = DEFAULT_TIME_ZONE): Formatter {
  return {
    locale,
    timeZone,
    number: (value, digits = 2) => formatNumber(value, locale, digits),
    fixed: (value, digits) => formatFixed(value, locale, digits),
    percent: (value) => formatValue(value, 'percent', locale),
    dateTime: (value) => formatDateTime(value, locale, timeZone),
  };
}

/** "1 paiement", "0 paiement", "3 paiements": French takes the singular below 2. */
export function countFr(format: Formatter, count: number, one: string, many: string): string {
  return `${format.number(count)} ${Math.abs(count) >= 2 ? many : one}`;
}

/** A count taken from an observation's details: formatted when it is a number, `fallback` when absent. */
export function countText(format: Formatter, value: unknown, fallback = '?'): string {
  if (typeof value === 'number') return format.number(value);
  return typeof value === 'string' && value.length > 0 ? value : fallback;
}
