/** Export and packaging: the one pure formatter of a dataset's files, splits, the Hugging Face and Croissant metadata, the dataset card and the generation log. */
export * from './croissant.js';
export * from './csv.js';
export * from './dataset-card.js';
export * from './dataset-options.js';
export * from './dataset-packaging.js';
export * from './dataset-paths.js';
export * from './export-format.js';
export * from './export-model.js';
export * from './export-splits.js';
export * from './generation-log.js';
export * from './generation-log-tables.js';
export * from './hf-metadata.js';
export * from './splits.js';
export * from './quality-scores-csv.js';
export * from './judge-export.js';
export * from './dataset-as-of.js';
export * from './missing-images.js';
