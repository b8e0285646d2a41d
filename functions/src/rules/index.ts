import { balanceRules } from './balances';
import { deliveryRules } from './delivery';
import { functionalRules } from './functional';
import { paymentRules } from './payment';
import { probeRules } from './probes';
import { sourceRules } from './sources';
import { systemRules } from './system';
import type { RuleDefinition } from './types';

/** The catalogue of every alert rule, in documentation order. */
export const RULES: readonly RuleDefinition[] = [
  ...paymentRules,
  ...functionalRules,
  ...systemRules,
  ...sourceRules,
  ...balanceRules,
  ...probeRules,
  ...deliveryRules,
];

const byId = new Map(RULES.map((rule) => [rule.id, rule]));
if (byId.size !== RULES.length) throw new Error('Duplicate alert rule id in the catalogue');

export function getRule(id: string): RuleDefinition {
  const rule = byId.get(id);
  if (!rule) throw new Error(`Unknown alert rule "${id}"`);
  return rule;
}

export function hasRule(id: string): boolean {
  return byId.has(id);
}

export * from './types';
export * from './locale';
export * from './inhibitions';
