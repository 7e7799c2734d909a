/** The content judge: its rubric and answer schema, the verdict record and judge-human agreement. */
export * from './judge.js';
export * from './judge-record.js';
export * from './judge-agreement.js';
