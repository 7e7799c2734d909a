/** Scenarios and planning: the scenario schema and its rules, the run request, and the planner that turns them into prompts. */
export * from './scenario.js';
export * from './scenario-rules.js';
export * from './planner.js';
export * from './random.js';
export * from './input-limits.js';
export * from './suggest.js';
export * from './run-request.js';
