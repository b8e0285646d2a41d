/**
 * The admin API: every callable the dashboard can call, by exported function name. Loaded by the
 * entry point on the first admin call only (each handler loads the pipeline or the dispatcher only if
 * it needs them).
 */
import type { CallableRequest } from 'firebase-functions/v2/https';
import { acknowledgeAlert, getActiveAlerts, getAlert, getFunctionalAlerts, getPaymentAlerts, resolveFunctionalAlert, resolvePaymentAlert } from './alerts';
import { runAdminCall, type AdminCallable, type AnyAdminCallable } from './callable';
import { getThresholds, updateThresholds } from './config';
import { triggerFunctionalCheck } from './functional';
import { getFunctionalHealthSummary, getSystemHealthSummary } from './health';
import { getFunctionalMetrics, getPaymentMetrics } from './metrics';
import { sendTestNotification } from './notify';
import { createSilence, endSilence, listSilences } from './silences';

export const ADMIN_CALLABLES = {
  getActiveAlerts,
  getAlert,
  acknowledgeAlert,
  getSystemHealthSummary,
  getPaymentAlerts,
  resolvePaymentAlert,
  getPaymentMetrics,
  getFunctionalMetrics,
  getFunctionalAlerts,
  resolveFunctionalAlert,
  getFunctionalHealthSummary,
  triggerFunctionalCheck,
  getThresholds,
  updateThresholds,
  createSilence,
  listSilences,
  endSilence,
  sendTestNotification,
} satisfies Record<string, AnyAdminCallable>;

export type AdminCallableName = keyof typeof ADMIN_CALLABLES;

export function handleAdminCall(name: AdminCallableName, request: CallableRequest<unknown>): Promise<unknown> {
  return runAdminCall(name, ADMIN_CALLABLES[name] as AdminCallable, request);
}
