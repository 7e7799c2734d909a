/** Revisions: regenerating a selection of a finished run's slots, amended prompts, and the lineage whose dataset they form. */
export * from './revision-model.js';
export * from './selection.js';
export * from './amendment.js';
export * from './lineage.js';
