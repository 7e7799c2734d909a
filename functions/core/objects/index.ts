export * from './object-filter.js';
export * from './object-metadata.js';
export * from './png-chunks.js';
export * from './provenance.js';
export * from './previews.js';
export * from './image-provider.js';
