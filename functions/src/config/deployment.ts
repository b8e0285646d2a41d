/**
 * Where the monitoring runs and whose clock its schedules follow: the one place to change them.
 * Loaded by the entry point: constants only.
 *
 * - REGION: every function's region (setGlobalOptions in index.ts, the Firestore trigger included:
 *   a Firestore trigger must be in a region that suits the database's location). Two copies cannot
 *   import this file and are checked against it by test/deployment.test.ts: the `/ack` rewrite in
 *   firebase.json and the dashboard's `REGION` (dashboard/src/api.ts).
 * - TIME_ZONE: the time zone of every Cloud Scheduler schedule (jobs/catalog.ts) and the default
 *   time zone of message dates (`presentation.timeZone`, changeable at run time).
 */
export const REGION = 'europe-west1';
export const TIME_ZONE = 'Europe/Paris';
