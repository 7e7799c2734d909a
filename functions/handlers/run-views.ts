/**
 * What the read routes answer, at a cost that follows what changed:
 * - a completed run's status is computed once and stored on the run; afterwards it costs the run document alone;
 * - a running run's status costs aggregation queries, never a scan of its prompts;
 * - lists come a page at a time;
 * - images and previews carry an ETag from the image's generation, so a repeat view is a 304.
 */
import type { Request, Response } from '@google-cloud/functions-framework';
import { PAGE_LIMITS, pageToken, parsePageRequest, promptCursorSchema, runCursorSchema } from '../core/access/index.js';
import { etagMatches, imageEtag, PREVIEW_CONTENT_TYPE, previewObjectName } from '../core/objects/index.js';
import { ownQuality, thresholdsOf, type PromptQuality } from '../core/runs/index.js';
import type { RunReport } from '../core/quality/index.js';
import { decodeSummary, encodeSummary, FAILURES_LISTED_WHILE_RUNNING, flagsFromSummary, summariseRun, type RunSummary } from '../core/runs/index.js';
import type { PromptRecord, RunRecord, RunState } from '../core/runs/index.js';
import { currentRunState } from './run-state.js';
import type { ApiDependencies } from './api-dependencies.js';
import type { Principal } from './auth.js';
import { HttpError, sendJson } from './http.js';

type Deps = Pick<ApiDependencies, 'store' | 'bucket' | 'previews' | 'thumbnail' | 'log'> & { now?: () => number };

/** `verdictsOwed`: a judged run whose prompts have all ended is in its judging stage while this is above 0. */
type Progress = Pick<RunSummary, 'counts' | 'failures' | 'quality' | 'unknownOutcomes'> & { state: RunState; report: RunReport | null; verdictsOwed?: number };

/** `GET /v1/runs/{runId}`: the stored summary of a completed run, or its progress from aggregation queries. */
export async function runStatus(deps: Deps, run: RunRecord) {
  const { runId, provider, model, seed, createdAt, image, costEstimate, owner } = run;
  const progress = await runProgress(deps, run);
  const planned = Object.values(progress.counts).reduce((a, b) => a + b, 0);
  const { state, counts, failures, quality, report } = progress;
  const judge = run.judge ?? 'none';
  const judging = progress.verdictsOwed ? { verdictsOwed: progress.verdictsOwed } : {};
  const unknown = progress.unknownOutcomes ? { unknownOutcomes: progress.unknownOutcomes } : {};
  return { runId, state, scenario: run.scenario.name, provider, model, seed, createdAt, owner, image, costEstimate, judge, planned, counts, ...judging, failures, quality, report, ...unknown };
}

async function runProgress(deps: Deps, run: RunRecord): Promise<Progress> {
  const stored = decodeSummary(run.summary);
  if (stored) return { ...stored, state: 'completed' };
  const counts = await deps.store.countByStatus(run.runId);
  const { state, verdictsOwed } = await currentRunState(deps.store, run, counts);
  if (state === 'completed') {
    // Once, when the run completes: every prompt is read to build the report, and the result is kept.
    const summary = summariseRun(run, await deps.store.listPrompts(run.runId), (deps.now ?? Date.now)());
    await deps.store.saveRunSummary(run.runId, encodeSummary(summary));
    return { ...summary, state };
  }
  const [failures, quality] = await Promise.all([
    counts.failed > 0 ? deps.store.listFailures(run.runId, FAILURES_LISTED_WHILE_RUNNING) : Promise.resolve([]),
    deps.store.qualitySummary(run.runId),
  ]);
  return { state, counts, failures, quality, report: null, ...(verdictsOwed ? { verdictsOwed } : {}) };
}

export async function listRuns(deps: Deps & Pick<ApiDependencies, 'participants' | 'cursorKey'>, req: Request, res: Response, principal: Principal): Promise<void> {
  const page = parsePageRequest(req.query, PAGE_LIMITS.runs, runCursorSchema, { list: 'runs', key: deps.cursorKey });
  if (!page.ok) throw new HttpError(400, 'INVALID_ARGUMENT', page.message);
  const { runs, next } = await deps.store.listRunsPage({ ...(principal.role === 'instructor' ? {} : { owner: principal.id }), pageSize: page.pageSize, after: page.after });
  // Names for the page's owners only: one read per distinct owner, bounded by the page size.
  const names = new Map([[principal.id, principal.name]]);
  for (const owner of new Set(runs.map((run) => run.owner))) {
    if (!names.has(owner)) names.set(owner, (await deps.participants.get(owner))?.name ?? owner);
  }
  sendJson(res, 200, { runs: runs.map((run) => ({ ...run, ownerName: names.get(run.owner) ?? run.owner })), nextPageToken: pageToken(next, { list: 'runs', key: deps.cursorKey }) });
}

/**
 * A page of prompts with their flags. A completed run's flags come from its stored summary;
 * while a run is running only each image's own flags are known, since duplicates and odd
 * sizes are judged across the whole run. The run itself comes with the first page only.
 */
export async function listPrompts(deps: Deps & Pick<ApiDependencies, 'cursorKey'>, req: Request, res: Response, run: RunRecord): Promise<void> {
  const page = parsePageRequest(req.query, PAGE_LIMITS.prompts, promptCursorSchema, { list: 'prompts', key: deps.cursorKey });
  if (!page.ok) throw new HttpError(400, 'INVALID_ARGUMENT', page.message);
  const { prompts, next } = await deps.store.listPromptsPage(run.runId, { pageSize: page.pageSize, after: page.after });
  const thresholds = thresholdsOf(run);
  const summary = decodeSummary(run.summary);
  const flags = summary ? flagsFromSummary(summary) : null;
  const qualityOf = (prompt: PromptRecord): PromptQuality | undefined => {
    if (flags) return flags.get(prompt.promptId);
    return ownQuality(run, prompt, thresholds);
  };
  const { summary: _summary, ...visibleRun } = run;
  sendJson(res, 200, {
    ...(page.after === null ? { run: visibleRun } : {}),
    thresholds,
    prompts: prompts.map((prompt) => publicPrompt(prompt, qualityOf(prompt))),
    nextPageToken: pageToken(next, { list: 'prompts', key: deps.cursorKey }),
  });
}

/** The prompt as clients see it, with its quality flags; lease bookkeeping stays internal. */
export function publicPrompt(prompt: PromptRecord, quality: PromptQuality | undefined) {
  const { leaseOwner: _owner, leaseExpiresAt: _expires, assessedGeneration: _generation, ...visible } = prompt;
  return { ...visible, review: prompt.review ?? null, issues: quality?.issues ?? [], expected: quality?.expected ?? [], duplicateOf: quality?.duplicateOf ?? null };
}

/**
 * An image or its preview, after the caller's auth and ownership checks. `Cache-Control:
 * private, no-cache` lets a browser keep a copy but revalidate it on every view, so a revoked
 * token meets a 401, never a cached 200; `Vary: Authorization` keeps one token's copy from another.
 */
export async function serveImage(deps: Deps, req: Request, res: Response, run: RunRecord, promptId: string, size: 'thumb' | 'full'): Promise<void> {
  // A completed run's summary says where its images are; otherwise the prompt does.
  const stored = decodeSummary(run.summary)?.images?.find((entry) => entry.promptId === promptId);
  const prompt = stored ?? (await deps.store.getPrompt(run.runId, promptId));
  if (!prompt?.objectName) throw new HttpError(404, 'NOT_FOUND', `run ${run.runId} has no image for prompt ${promptId}`);
  const preview = size === 'thumb';
  const generation = prompt.objectGeneration ?? undefined;
  res.set('Cache-Control', 'private, no-cache').set('Vary', 'Authorization').set('X-Content-Type-Options', 'nosniff');
  if (generation) {
    const etag = imageEtag(generation, preview);
    res.set('ETag', etag);
    if (etagMatches(req.get('if-none-match'), etag)) {
      res.status(304).end();
      return;
    }
  }
  const body = preview ? await previewOf(deps, prompt.objectName, generation) : await deps.bucket.read(prompt.objectName, generation);
  if (!body) throw new HttpError(404, 'NOT_FOUND', `run ${run.runId} has no image for prompt ${promptId}`);
  res.status(200).set('Content-Type', preview ? PREVIEW_CONTENT_TYPE : 'image/png').send(body);
}

/** The stored preview; an image from before previews existed gets one made now and stored, once. */
async function previewOf(deps: Deps, imageName: string, generation: string | undefined): Promise<Buffer | null> {
  const name = previewObjectName(imageName);
  const stored = await deps.previews.read(name);
  if (stored) return stored;
  const image = await deps.bucket.read(imageName, generation);
  if (!image) return null;
  const made = await deps.thumbnail(image);
  // Create-only: if another request stored one first, both are the same image.
  await deps.previews.writeDerivedIfAbsent(name, made, PREVIEW_CONTENT_TYPE);
  deps.log.info('preview made for an image stored without one', { name });
  return made;
}
