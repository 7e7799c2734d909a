/** Runs and their lifecycle: the run and prompt records, state transitions, review, the usable verdict, cost, reconciliation and the run report. */
export * from './run-model.js';
export * from './prompt-transitions.js';
export * from './prompt-claims.js';
export * from './reconcile.js';
export * from './review.js';
export * from './bulk-review.js';
export * from './usable.js';
export * from './run-summary.js';
export * from './run-preview.js';
export * from './pricing.js';
export * from './run-quality.js';
export * from './quality-summary.js';
export * from './revision-record.js';
export * from './verdicts-owed.js';
export * from './spot-check.js';
export * from './review-labels.js';
