import { randomBytes } from 'node:crypto';
import type { Request, Response } from '@google-cloud/functions-framework';
import { planPrompts } from '../core/planner.js';
import { estimateCost } from '../core/pricing.js';
import type { ImageBucket, Logger, PromptPublisher, RunStore } from '../core/ports.js';
import { parseRunRequest } from '../core/run-request.js';
import { deriveRunState, newPromptRecord, type PromptRecord, type RunRecord } from '../core/run-model.js';
import { runQuality, type PromptQuality } from '../core/run-quality.js';
import type { Scenario } from '../core/scenario.js';
import { HttpError, readJsonBody, sendError, sendJson } from './http.js';

/** Who is calling. The cohort issue replaces `allowEveryone` with token checks. */
export interface Principal {
  id: string;
  role: 'instructor' | 'participant';
}

export type Authorize = (req: Request) => Promise<Principal>;

export const allowEveryone: Authorize = async () => ({ id: 'local', role: 'instructor' });

export interface ApiDependencies {
  store: RunStore;
  publisher: PromptPublisher;
  bucket: ImageBucket;
  log: Logger;
  builtins: () => ReadonlyMap<string, Scenario>;
  defaultScenario: string;
  provider: { name: string; model: string };
  authorize?: Authorize;
  newRunId?: () => string;
  now?: () => number;
}

const RUN_ID = '[A-Za-z0-9_-]{1,64}';
const ROUTES: Array<{ pattern: RegExp; methods: string[]; name: 'health' | 'runs' | 'run' | 'prompts' | 'image' }> = [
  { pattern: /^\/healthz$/, methods: ['GET'], name: 'health' },
  { pattern: /^\/v1\/runs$/, methods: ['POST'], name: 'runs' },
  { pattern: new RegExp(`^/v1/runs/(${RUN_ID})$`), methods: ['GET'], name: 'run' },
  { pattern: new RegExp(`^/v1/runs/(${RUN_ID})/prompts$`), methods: ['GET'], name: 'prompts' },
  { pattern: new RegExp(`^/v1/runs/(${RUN_ID})/images/(p[0-9]{1,6})$`), methods: ['GET'], name: 'image' },
];

export function defaultRunId(now: number): string {
  const stamp = new Date(now).toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${stamp}-${randomBytes(4).toString('hex')}`;
}

export function makeApiHandler(deps: ApiDependencies) {
  const now = deps.now ?? Date.now;
  const authorize = deps.authorize ?? allowEveryone;
  const newRunId = deps.newRunId ?? (() => defaultRunId(now()));

  async function route(req: Request, res: Response): Promise<void> {
    const path = req.path.length > 1 ? req.path.replace(/\/+$/, '') : req.path;
    const match = ROUTES.map((candidate) => ({ candidate, groups: candidate.pattern.exec(path) })).find((m) => m.groups);
    if (!match?.groups) throw new HttpError(404, 'NOT_FOUND', `no route for ${req.method} ${path}; see README for the API`);
    const { candidate, groups } = match;
    if (!candidate.methods.includes(req.method)) {
      throw new HttpError(405, 'METHOD_NOT_ALLOWED', `${req.method} is not allowed on ${path}; use ${candidate.methods.join(', ')}`, { Allow: candidate.methods.join(', ') });
    }
    if (candidate.name === 'health') return sendJson(res, 200, { status: 'ok' });
    const principal = await authorize(req);
    switch (candidate.name) {
      case 'runs':
        return createRun(req, res, principal);
      case 'run':
        return runStatus(res, await loadRun(groups[1] as string, principal));
      case 'prompts':
        return listPrompts(res, await loadRun(groups[1] as string, principal));
      case 'image':
        return sendImage(res, await loadRun(groups[1] as string, principal), groups[2] as string);
    }
  }

  async function createRun(req: Request, res: Response, principal: Principal): Promise<void> {
    const parsed = parseRunRequest(readJsonBody(req), deps.builtins(), deps.defaultScenario);
    if (!parsed.ok) throw new HttpError(400, 'INVALID_ARGUMENT', parsed.message);
    const { scenario, count, categories, image } = parsed.value;
    const seed = parsed.value.seed ?? randomBytes(4).readUInt32BE(0);
    const runId = newRunId();
    const planned = planPrompts(scenario, { count, seed, ...(categories ? { categories } : {}) });
    const run: RunRecord = {
      runId,
      scenario,
      count,
      seed,
      categories: categories ?? Object.keys(scenario.categories),
      provider: deps.provider.name,
      model: deps.provider.model,
      createdAt: new Date(now()).toISOString(),
      state: 'accepted',
      owner: principal.id,
      image,
      costEstimate: estimateCost(deps.provider.model, planned.length),
    };
    await deps.store.createRun(run, planned.map((prompt) => newPromptRecord(runId, prompt, image)));
    const { failed, error } = await deps.publisher.publish(planned.map((prompt) => ({ runId, promptId: prompt.promptId })));
    if (failed.length > 0) {
      // Nothing is lost: the unpublished prompts end `failed` with the reason, and the caller learns of it.
      await deps.store.markPublishFailed(runId, failed, `publish_failed: ${error ?? 'unknown error'}`);
      deps.log.error('publishing failed', { runId, failed: failed.length, error });
      throw new HttpError(503, 'UNAVAILABLE', `run ${runId} was recorded but ${failed.length} of ${planned.length} prompts could not be queued (${error}); they are marked failed — retry the request`);
    }
    deps.log.info('run accepted', { runId, planned: planned.length, scenario: scenario.name, seed });
    sendJson(res, 202, { runId, planned: planned.length, seed, statusUrl: `/v1/runs/${runId}` });
  }

  async function loadRun(runId: string, principal: Principal): Promise<RunRecord> {
    const run = await deps.store.getRun(runId);
    const visible = run && (principal.role === 'instructor' || run.owner === principal.id);
    if (!run || !visible) throw new HttpError(404, 'NOT_FOUND', `run ${runId} does not exist`);
    return run;
  }

  async function runStatus(res: Response, run: RunRecord): Promise<void> {
    const [counts, failures, quality] = await Promise.all([
      deps.store.countByStatus(run.runId),
      deps.store.listFailures(run.runId, 100),
      deps.store.qualitySummary(run.runId),
    ]);
    const state = deriveRunState(run, counts);
    // The run-level report reads every prompt, so it is built once the run is done, not on every poll.
    const report = state === 'completed' ? runQuality(run, await deps.store.listPrompts(run.runId)).report : null;
    sendJson(res, 200, {
      runId: run.runId,
      state,
      scenario: run.scenario.name,
      provider: run.provider,
      model: run.model,
      seed: run.seed,
      createdAt: run.createdAt,
      image: run.image,
      costEstimate: run.costEstimate,
      planned: Object.values(counts).reduce((a, b) => a + b, 0),
      counts,
      failures,
      quality,
      report,
    });
  }

  async function listPrompts(res: Response, run: RunRecord): Promise<void> {
    const prompts = await deps.store.listPrompts(run.runId);
    const { byPrompt, thresholds } = runQuality(run, prompts);
    sendJson(res, 200, { run, thresholds, prompts: prompts.map((prompt) => publicPrompt(prompt, byPrompt.get(prompt.promptId))) });
  }

  async function sendImage(res: Response, run: RunRecord, promptId: string): Promise<void> {
    const prompt = await deps.store.getPrompt(run.runId, promptId);
    const bytes = prompt?.objectName ? await deps.bucket.read(prompt.objectName) : null;
    if (!bytes) throw new HttpError(404, 'NOT_FOUND', `run ${run.runId} has no image for prompt ${promptId}`);
    res.status(200).set('Content-Type', 'image/png').set('Cache-Control', 'private, max-age=300').set('X-Content-Type-Options', 'nosniff').send(bytes);
  }

  return async function api(req: Request, res: Response): Promise<void> {
    try {
      await route(req, res);
    } catch (error) {
      if (error instanceof HttpError) return sendError(res, error);
      deps.log.error('request failed', { method: req.method, path: req.path, error: error instanceof Error ? error.stack : String(error) });
      sendError(res, new HttpError(500, 'INTERNAL', 'the server failed to handle the request; it has been logged'));
    }
  };
}

/** The prompt as clients see it, with its quality flags; lease bookkeeping stays internal. */
function publicPrompt(prompt: PromptRecord, quality: PromptQuality | undefined) {
  const { leaseOwner: _owner, leaseExpiresAt: _expires, assessedGeneration: _generation, ...visible } = prompt;
  return { ...visible, issues: quality?.issues ?? [], duplicateOf: quality?.duplicateOf ?? null };
}
