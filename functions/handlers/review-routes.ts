/**
 * `POST /v1/runs/{runId}/reviews`: the reviews of up to a page of images in one request, as the
 * gallery's bulk review and its undo send them. The whole body is validated before anything is
 * read or written; the write is one transaction, counted once against the write limit.
 */
import { bulkReviewSchema, reviewDiffers, validateReviewLabels, type Review, type ReviewChange } from '../core/runs/index.js';
import { formatIssues } from '../core/scenario/index.js';
import type { ApiDependencies } from './api-dependencies.js';
import { HttpError, readJsonBody, sendJson } from './http.js';
import { loadOwnRun } from './revision-plan.js';
import { ID, type Route } from './route.js';
import { limitWrites } from './write-limit.js';

export function reviewRoutes(deps: ApiDependencies): Route[] {
  const now = deps.now ?? Date.now;
  return [
    {
      method: 'POST',
      pattern: new RegExp(`^/v1/runs/(${ID})/reviews$`),
      async handle({ req, res, params, principal }) {
        const parsed = bulkReviewSchema.safeParse(readJsonBody(req));
        if (!parsed.success) throw new HttpError(400, 'INVALID_ARGUMENT', formatIssues(parsed.error));
        // Labels are checked against the cohort's declaration, as the single review route does, before anything is counted.
        const labelled = parsed.data.items.filter((item) => item.review?.labels);
        if (labelled.length) {
          const declaration = await deps.cohortLabels.get();
          const problems = labelled.flatMap(({ promptId, review }) => validateReviewLabels(review!, declaration).map((problem) => `${promptId}: ${problem}`));
          if (problems.length) throw new HttpError(400, 'INVALID_ARGUMENT', problems.slice(0, 5).join('; '));
        }
        const run = await loadOwnRun(deps, params[0] as string, principal);
        await limitWrites(deps, principal, 'reviews');
        const reviewedAt = new Date(now()).toISOString();
        const changes: ReviewChange[] = parsed.data.items.map(({ promptId, review }) => ({
          promptId,
          review: review === null ? null : ({ ...review, reviewedBy: principal.name, reviewedAt } satisfies Review),
        }));
        const written = await deps.store.setReviews(run.runId, changes);
        if (!written.ok) {
          const { missing } = written;
          throw new HttpError(404, 'NOT_FOUND', `run ${run.runId} has no prompt ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ` (and ${missing.length - 5} more)` : ''}; nothing was saved`);
        }
        const { previous } = written;
        const changed = previous.filter((before, i) => reviewDiffers(before.review, changes[i]!.review)).length;
        deps.log.info('reviews saved', { runId: run.runId, by: principal.id, items: changes.length, changed });
        sendJson(res, 200, { changed, previous });
      },
    },
  ];
}
