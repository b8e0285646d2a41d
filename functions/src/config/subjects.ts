/**
 * Subjects taken from client-written data (form names, pages, payment error codes): the safe form
 * they must have to become an alert key. firestore.rules enforces the same patterns on create; the
 * monitors check again and never rely on the rules alone (documents written by the Admin SDK, an
 * older rules version or a rules mistake bypass them). Values that fail are counted under a
 * placeholder subject, which no valid name can equal (it has spaces and parentheses).
 */

/** Form names and error codes: ASCII letter or digit first, then letters, digits and `_ . : / -`, at most 64 characters. */
export const SAFE_SUBJECT = /^[A-Za-z0-9][A-Za-z0-9_.:/-]{0,63}$/;
/** The same pattern, as firestore.rules writes it (RE2, whole-string match). */
export const SAFE_SUBJECT_RULES = '[A-Za-z0-9][A-Za-z0-9_.:/-]{0,63}';
/** Pages: empty, or a path starting with `/`, then letters, digits and `_ . : / ~ % + @ , = -`, at most 200 characters. */
export const SAFE_PAGE_RULES = '(/[A-Za-z0-9_.:/~%+@,=-]{0,199})?';
export const SAFE_PAGE = new RegExp(`^${SAFE_PAGE_RULES}$`);

export const INVALID_FORM_SUBJECT = '(invalid form name)';
export const INVALID_CODE_SUBJECT = '(invalid error code)';

/** A name that reads as a link (`https://...`, `www....`): no form name or error code needs one. */
const LINK_SHAPED = /:\/\/|^www\./i;

export function isSafeSubject(value: unknown): value is string {
  return typeof value === 'string' && SAFE_SUBJECT.test(value) && !LINK_SHAPED.test(value);
}
