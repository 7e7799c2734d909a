// What several script folders share: option parsing, plurals, the project's paths and tools.
export { DATA_USAGE, datasetFlags, optionError, parseDatasetFlags, parseDevArgs, parseGenerateArgs, parseStartArgs, RUN_USAGE, type Parsed, type RunOptions } from './cli-args.js';
export { plural } from './plural.js';
export { ensureFakeGcsServer, projectRoot, toolsDir } from './tools.js';
