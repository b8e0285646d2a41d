import { configurationScenario } from './configuration';
import type { ScenarioPart } from './types';

/** The demo's incident scenario: every domain adds its part. */
export const SCENARIO: ScenarioPart[] = [configurationScenario];

export type { ScenarioContext, ScenarioPart } from './types';
