import { functionalCriticalWorkload, functionalWorkload } from './functional';
import { paymentWorkload } from './payment';
import { systemWorkload } from './system';
import type { Workload } from './types';

/** The jobs measured by the benchmark, with their data. */
export const WORKLOADS: Workload[] = [paymentWorkload, functionalWorkload, functionalCriticalWorkload, systemWorkload];
