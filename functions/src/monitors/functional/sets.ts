/**
 * Check sets of the functional jobs: the values of the `check` job option, which are also the
 * `checkType` values of the dashboard's triggerFunctionalCheck. The job catalogue loads this module
 * at cold start: no imports here.
 */
export const FUNCTIONAL_CHECK_SETS = ['all', 'critical', 'signup', 'booking', 'tracking', 'payment'] as const;
export type FunctionalCheckSet = (typeof FUNCTIONAL_CHECK_SETS)[number];

/** Every functional check belongs to one group; the named sets select a group. */
export type FunctionalCheckGroup = 'signup' | 'booking' | 'forms' | 'tracking' | 'payment';
