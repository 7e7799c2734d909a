export * from './scenario.js';
export * from './scenario-rules.js';
export * from './planner.js';
export * from './random.js';
export * from './input-limits.js';
export * from './suggest.js';
export * from './run-request.js';
