/**
 * Entry point: registers the functions and nothing else. Each handler is built on
 * its first invocation from loadConfig(process.env), so importing this file does no work.
 */
import * as functions from '@google-cloud/functions-framework';
import { loadConfig } from './config.js';
import { apiDependencies, assessDependencies, generateDependencies, reconcileDependencies } from './dependencies.js';
import { makeApiHandler } from './handlers/api.js';
import { makeAssessHandler, type StorageObjectData } from './handlers/assess.js';
import type { MessagePublishedData } from '@google/events/cloud/pubsub/v1/MessagePublishedData.js';
import { makeGenerateHandler } from './handlers/generate.js';
import { makeReconcileHandler, makeReconcileHttpHandler } from './handlers/reconcile.js';
import { createJsonLogger } from './adapters/log.js';

function lazy<T>(build: () => T): () => T {
  let built: T | undefined;
  return () => (built ??= build());
}

const api = lazy(() => makeApiHandler(apiDependencies(loadConfig(process.env))));
const generate = lazy(() => makeGenerateHandler(generateDependencies(loadConfig(process.env), process.env)));
const assess = lazy(() => makeAssessHandler(assessDependencies(loadConfig(process.env))));
const reconcile = lazy(() => makeReconcileHttpHandler(makeReconcileHandler(reconcileDependencies(loadConfig(process.env))), createJsonLogger('reconcile')));

functions.http('api', (req, res) => api()(req, res));
functions.cloudEvent('generateImage', async (event: functions.CloudEvent<MessagePublishedData>) => {
  await generate()(event);
});
functions.cloudEvent('assessImage', async (event: functions.CloudEvent<StorageObjectData>) => {
  await assess()(event);
});
// Called by Cloud Scheduler when deployed, and by the local stack's timer on the same cadence.
functions.http('reconcile', (req, res) => reconcile()(req, res));
