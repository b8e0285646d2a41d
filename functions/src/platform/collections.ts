/**
 * Names on the floor every stage can see: the monitoring's own collections and the label of a tick
 * (run ids, alert ids). Alert collections are in rules/types.ts.
 */

/** Internal collections of the monitoring system (alert collections are in rules/types.ts). */
export const COLLECTIONS = {
  config: 'monitoring_config',
  state: 'monitoring_alert_state',
  deliveries: 'monitoring_deliveries',
  silences: 'monitoring_silences',
  runs: 'monitoring_runs',
  jobs: 'monitoring_jobs',
  /** One document per (error source, minute) claimed by the error_logs trigger: see triggers/errorTrigger.ts. */
  triggerClaims: 'monitoring_trigger_claims',
  /** Create-if-absent leases that keep two runs of the same manual check from overlapping. */
  locks: 'monitoring_locks',
  /** One document per admin acknowledgement or resolution: makes both idempotent (created if absent). */
  adminActions: 'monitoring_admin_actions',
  /** The alert-shaped documents behind test notifications sent from the admin API. */
  testNotifications: 'monitoring_test_notifications',
} as const;

export function tickLabel(tickMs: number): string {
  return new Date(tickMs).toISOString().replace(/[-:]/g, '').replace('.', '');
}
