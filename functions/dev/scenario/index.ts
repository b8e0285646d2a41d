import { configurationScenario } from './configuration';
import { functionalScenario } from './functional';
import { outsideScenario } from './outside';
import { paymentScenario } from './payment';
import { systemScenario } from './system';
import type { ScenarioPart } from './types';

/** The demo's incident scenario: every domain adds its part. */
export const SCENARIO: ScenarioPart[] = [configurationScenario, paymentScenario, functionalScenario, systemScenario, outsideScenario];

export type { ScenarioContext, ScenarioPart } from './types';
