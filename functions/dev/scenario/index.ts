import { configurationScenario } from './configuration';
import { systemScenario } from './system';
import type { ScenarioPart } from './types';

/** The demo's incident scenario: every domain adds its part. */
export const SCENARIO: ScenarioPart[] = [configurationScenario, systemScenario];

export type { ScenarioContext, ScenarioPart } from './types';
