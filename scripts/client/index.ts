// The API client's public face: what the commands and benches use to drive a running api.
export { ApiClient, ApiError, type CreatedRun, type RunStatus } from './api-client.js';
export { explainApiError } from './cli-errors.js';
export { exportRun, type ExportResult } from './exporter.js';
export { followRun, RunStalledError } from './follow-run.js';
export { imagesPerSecond } from './progress.js';
export { checkOutputDir, LAYOUT, runAndExport, versions } from './run-session.js';
