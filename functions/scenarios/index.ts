import { scenarioSchema, type Scenario } from '../core/scenario/index.js';
import defaultScenarioJson from './default-scenario.json' with { type: 'json' };

export const DEFAULT_SCENARIO = 'default';

/** Built-in scenarios by the name a run request uses. Parsed on first use, not at import. */
export function builtinScenarios(): ReadonlyMap<string, Scenario> {
  const scenario = scenarioSchema.parse(defaultScenarioJson);
  return new Map([[DEFAULT_SCENARIO, scenario]]);
}
