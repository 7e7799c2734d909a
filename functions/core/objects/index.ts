/** Stored objects: object names and filters, bounded object metadata, previews, provenance written into PNG chunks, and the image provider port. */
export * from './object-filter.js';
export * from './object-metadata.js';
export * from './png-chunks.js';
export * from './provenance.js';
export * from './previews.js';
export * from './image-provider.js';
