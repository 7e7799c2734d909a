export * from './judge.js';
export * from './judge-record.js';
export * from './judge-agreement.js';
