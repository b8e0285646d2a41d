import { paymentWorkload } from './payment';
import type { Workload } from './types';

/** The jobs measured by the benchmark, with their data. */
export const WORKLOADS: Workload[] = [paymentWorkload];
