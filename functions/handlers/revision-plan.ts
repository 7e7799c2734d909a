/**
 * Planning a revision: every check of `POST /v1/runs/{runId}:regenerate`, shared with its preview.
 * It reads and never writes: the request's schema, the run and its lineage (404, 409), the selection
 * (400, 404) and the amendment (400 naming the field), then the revision's prompts and cost.
 */
import { amendScenario, imageId, MAX_REVISIONS, nextVersions, regenerateRequestSchema, revisionPrompt, revisionSeed, selectSlots, type RegenerateRequest, type Slot } from '../core/revisions/index.js';
import { deriveRunState, newPromptRecord, referenceInputOf, runQuality, type PromptRecord, type RunRecord } from '../core/runs/index.js';
import { fieldIssues, formatIssues, type Scenario } from '../core/scenario/index.js';
import type { ApiDependencies } from './api-dependencies.js';
import type { Principal } from './auth.js';
import { HttpError } from './http.js';
import { runCost, storedReferenceTokens } from './run-create.js';

export interface RevisionPlan {
  request: RegenerateRequest;
  parent: RunRecord;
  root: RunRecord;
  number: number;
  seed: number;
  scenario: Scenario;
  /** The revision's prompt records, for `runId` to be filled in when it is created. */
  prompts: Array<PromptRecord & { previousPrompt: string }>;
  costEstimate: ReturnType<typeof runCost>;
}

type Deps = Pick<ApiDependencies, 'store' | 'judge' | 'provider' | 'references'>;

/** Schema first: nothing is read for a body that cannot be a request. */
export function parseRegenerateRequest(body: unknown): RegenerateRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new HttpError(400, 'INVALID_ARGUMENT', 'the request body must be a JSON object such as {"select": "rejected"}');
  const parsed = regenerateRequestSchema.safeParse(body);
  if (!parsed.success) throw new HttpError(400, 'INVALID_ARGUMENT', formatIssues(parsed.error), {}, fieldIssues(parsed.error));
  return parsed.data;
}

/** Another participant's run answers 404, exactly as a run that does not exist. */
export async function loadOwnRun(deps: Deps, runId: string, principal: Principal): Promise<RunRecord> {
  const run = await deps.store.getRun(runId);
  if (!run || (principal.role !== 'instructor' && run.owner !== principal.id)) throw new HttpError(404, 'NOT_FOUND', `run ${runId} does not exist`);
  return run;
}

async function isCompleted(deps: Deps, run: RunRecord): Promise<boolean> {
  if (run.summary) return true;
  return deriveRunState(run, await deps.store.countByStatus(run.runId)) === 'completed';
}

/** The lineage's first run and its revisions, oldest first. */
export async function loadLineage(deps: Deps, run: RunRecord): Promise<{ root: RunRecord; revisions: RunRecord[] }> {
  const root = run.revision ? await deps.store.getRun(run.revision.rootRunId) : run;
  if (!root) throw new HttpError(404, 'NOT_FOUND', `the first run of ${run.runId}'s lineage, ${run.revision?.rootRunId}, no longer exists`);
  const revisions = (await deps.store.listRevisions(root.runId)).sort((a, b) => (a.revision?.number ?? 0) - (b.revision?.number ?? 0));
  return { root, revisions };
}

export async function planRevision(deps: Deps, parent: RunRecord, request: RegenerateRequest): Promise<RevisionPlan> {
  const { root, revisions } = await loadLineage(deps, parent);
  if (revisions.length >= MAX_REVISIONS) throw new HttpError(409, 'FAILED_PRECONDITION', `run ${root.runId} already has ${revisions.length} revisions, the most a lineage may have; start a new run`);
  // Every run of the lineage must have finished: a slot's versions are numbered from what exists.
  for (const run of [root, ...revisions]) {
    if (!(await isCompleted(deps, run))) {
      throw new HttpError(409, 'FAILED_PRECONDITION', run.runId === parent.runId ? `run ${run.runId} is still running; regenerate once it has finished` : `run ${run.runId} of the same lineage is still running; regenerate once it has finished`);
    }
  }
  const records = await deps.store.listPrompts(parent.runId);
  const { byPrompt } = runQuality(parent, records);
  const selectable = records.map((p) => ({ promptId: p.promptId, status: p.status, issues: byPrompt.get(p.promptId)?.issues ?? [], review: p.review ?? null }));
  const selected = selectSlots(parent.runId, selectable, request.select);
  if (!selected.ok) throw new HttpError(selected.status, selected.status === 404 ? 'NOT_FOUND' : 'INVALID_ARGUMENT', selected.message);
  const byId = new Map(records.map((p) => [p.promptId, p]));
  const slots: Slot[] = selected.promptIds.map((id) => {
    const { promptId, index, category, variables } = byId.get(id) as PromptRecord;
    return { promptId, index, category, variables };
  });
  const amended = amendScenario(parent.scenario, request.amend, slots);
  if (!amended.ok) throw new HttpError(400, 'INVALID_ARGUMENT', amended.message, {}, amended.fields);

  // Versions count across the lineage: a slot regenerated twice from the first run gets 2, then 3.
  // The first run's prompts are all version 1, so only the revisions' are read.
  const lineagePrompts: PromptRecord[] = [];
  for (const revision of revisions) if (revision.runId !== parent.runId) lineagePrompts.push(...(await deps.store.listPrompts(revision.runId)));
  const next = nextVersions([...records, ...lineagePrompts]);
  const number = revisions.length + 1;
  const seed = revisionSeed(parent.seed, number);
  const prompts = slots.map((slot) => {
    const previous = byId.get(slot.promptId) as PromptRecord;
    const record = newPromptRecord('', revisionPrompt(amended.scenario, slot, seed), parent.image);
    // The slot keeps the references that guided it, so the new version is guided (and screened) the same way.
    const guided = previous.referenceIds?.length ? { referenceIds: previous.referenceIds } : {};
    return { ...record, ...guided, version: next.get(slot.promptId) ?? 2, replaces: imageId(parent.runId, slot.promptId), previousPrompt: previous.prompt };
  });
  const referenceTokens = await storedReferenceTokens(deps, prompts.flatMap((prompt) => prompt.referenceIds ?? []));
  const costEstimate = runCost(deps, { judge: parent.judge ?? 'none' }, prompts.length, referenceInputOf(prompts, referenceTokens));
  return { request, parent, root, number, seed, scenario: amended.scenario, prompts, costEstimate };
}
