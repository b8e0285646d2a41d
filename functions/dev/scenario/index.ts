import { configurationScenario } from './configuration';
import { functionalScenario } from './functional';
import type { ScenarioPart } from './types';

/** The demo's incident scenario: every domain adds its part. */
export const SCENARIO: ScenarioPart[] = [configurationScenario, functionalScenario];

export type { ScenarioContext, ScenarioPart } from './types';
