import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { PAGE_LIMITS, pageToken, parsePageRequest, participantCursorSchema } from '../core/access/index.js';
import { publicParticipant, type Participant } from '../core/access/index.js';
import { formatIssues } from '../core/scenario/index.js';
import { cohortLabelsSchema } from '../core/runs/index.js';
import { hashToken, newToken } from '../core/access/index.js';
import type { ApiDependencies } from './api-dependencies.js';
import { cancelRunsOf } from './cancel-routes.js';
import { HttpError, readJsonBody, sendJson } from './http.js';
import { ID, type Route } from './route.js';
import { limitWrites } from './write-limit.js';

export const newParticipantSchema = z
  .object({
    name: z.string().trim().min(1, 'name must not be empty').max(100, 'name must be at most 100 characters'),
    imageQuota: z.number().int().min(0).max(1_000_000).optional(),
  })
  .strict();
export const batchSchema = z.object({ participants: z.array(newParticipantSchema).min(1).max(500) }).strict();
export const quotaSchema = z.object({ imageQuota: z.number().int().min(0).max(1_000_000) }).strict();

function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw new HttpError(400, 'INVALID_ARGUMENT', formatIssues(parsed.error));
  return parsed.data;
}

/** The instructor's operations on the cohort, and `GET /v1/me` for everyone. */
export function cohortRoutes(deps: ApiDependencies): Route[] {
  const now = deps.now ?? Date.now;
  const newId = deps.newParticipantId ?? (() => `u-${randomBytes(5).toString('hex')}`);

  /** Tokens are returned once, here; only their hashes are stored. */
  async function createParticipants(entries: Array<z.infer<typeof newParticipantSchema>>) {
    const created = entries.map((entry) => {
      const token = newToken();
      const participant: Participant = {
        id: newId(),
        name: entry.name,
        tokenHash: hashToken(token),
        revoked: false,
        imageQuota: entry.imageQuota ?? deps.quotas.defaultImageQuota,
        imagesUsed: 0,
        activeRuns: [],
        createdAt: new Date(now()).toISOString(),
      };
      return { participant, token };
    });
    await deps.participants.create(created.map(({ participant }) => participant));
    deps.log.info('participants created', { count: created.length });
    return created.map(({ participant, token }) => ({ id: participant.id, name: participant.name, token, imageQuota: participant.imageQuota }));
  }

  /**
   * Cancels first, so no worker starts a model call for these runs, then deletes objects before
   * records: a worker that stores an image after the objects went finds its prompt cancelled or
   * gone and removes the image itself.
   */
  async function purgeRuns(owner?: string): Promise<number> {
    await cancelRunsOf(deps, owner, now());
    const runs = await deps.store.listRuns(owner);
    for (const run of runs) {
      const prefix = `runs/${run.runId}/`;
      await Promise.all([deps.bucket.deletePrefix(prefix), deps.previews.deletePrefix(prefix)]);
      await deps.store.deleteRun(run.runId);
      // Once more after the records: an assessment that was mid-way may have stored an image's preview in between.
      await Promise.all([deps.bucket.deletePrefix(prefix), deps.previews.deletePrefix(prefix)]);
    }
    return runs.length;
  }

  const found = (participant: Participant | null, id: string): Participant => {
    if (!participant) throw new HttpError(404, 'NOT_FOUND', `participant ${id} does not exist`);
    return participant;
  };

  return [
    {
      method: 'GET',
      pattern: /^\/v1\/me$/,
      async handle({ res, principal }) {
        const participant = principal.role === 'participant' ? await deps.participants.get(principal.id) : null;
        sendJson(res, 200, { id: principal.id, name: principal.name, role: principal.role, imageQuota: participant?.imageQuota ?? null, imagesUsed: participant?.imagesUsed ?? 0 });
      },
    },
    {
      method: 'POST',
      pattern: /^\/v1\/participants$/,
      instructorOnly: true,
      async handle({ req, res, principal }) {
        const entry = parse(newParticipantSchema, readJsonBody(req));
        await limitWrites(deps, principal, 'participants');
        const [created] = await createParticipants([entry]);
        sendJson(res, 201, created);
      },
    },
    {
      method: 'POST',
      pattern: /^\/v1\/participants:batchCreate$/,
      instructorOnly: true,
      async handle({ req, res, principal }) {
        const { participants } = parse(batchSchema, readJsonBody(req));
        await limitWrites(deps, principal, 'participants');
        sendJson(res, 201, { participants: await createParticipants(participants) });
      },
    },
    {
      method: 'GET',
      pattern: /^\/v1\/participants$/,
      instructorOnly: true,
      async handle({ req, res }) {
        const page = parsePageRequest(req.query, PAGE_LIMITS.participants, participantCursorSchema, { list: 'participants', key: deps.cursorKey });
        if (!page.ok) throw new HttpError(400, 'INVALID_ARGUMENT', page.message);
        const { participants, next } = await deps.participants.listPage({ pageSize: page.pageSize, after: page.after });
        sendJson(res, 200, { participants: participants.map(publicParticipant), nextPageToken: pageToken(next, { list: 'participants', key: deps.cursorKey }) });
      },
    },
    {
      method: 'PATCH',
      pattern: new RegExp(`^/v1/participants/(${ID})$`),
      instructorOnly: true,
      async handle({ req, res, params, principal }) {
        const { imageQuota } = parse(quotaSchema, readJsonBody(req));
        await limitWrites(deps, principal, 'participants');
        sendJson(res, 200, publicParticipant(found(await deps.participants.setQuota(params[0] as string, imageQuota), params[0] as string)));
      },
    },
    {
      method: 'POST',
      pattern: new RegExp(`^/v1/participants/(${ID}):revoke$`),
      instructorOnly: true,
      async handle({ res, params }) {
        const participant = found(await deps.participants.revoke(params[0] as string), params[0] as string);
        // Revoked first, so no new run can start; then nothing queued for them is generated or billed.
        const cancelledPrompts = await cancelRunsOf(deps, participant.id, now());
        deps.log.info('token revoked', { participant: participant.id, cancelledPrompts });
        sendJson(res, 200, publicParticipant((await deps.participants.get(participant.id)) ?? participant));
      },
    },
    {
      method: 'DELETE',
      pattern: new RegExp(`^/v1/participants/(${ID})/runs$`),
      instructorOnly: true,
      async handle({ res, params }) {
        found(await deps.participants.get(params[0] as string), params[0] as string);
        sendJson(res, 200, { deletedRuns: await purgeRuns(params[0] as string) });
      },
    },
    {
      // Everyone signed in reads the declaration: the gallery's review pane shows the labels.
      method: 'GET',
      pattern: /^\/v1\/cohort\/labels$/,
      async handle({ res }) {
        sendJson(res, 200, { labels: await deps.cohortLabels.get() });
      },
    },
    {
      method: 'PUT',
      pattern: /^\/v1\/cohort\/labels$/,
      instructorOnly: true,
      async handle({ req, res, principal }) {
        const { labels } = parse(cohortLabelsSchema, readJsonBody(req));
        await limitWrites(deps, principal, 'participants');
        await deps.cohortLabels.set(labels);
        deps.log.info('cohort labels declared', { count: labels.length });
        sendJson(res, 200, { labels });
      },
    },
    {
      method: 'DELETE',
      pattern: /^\/v1\/cohort$/,
      instructorOnly: true,
      async handle({ res }) {
        const deletedRuns = await purgeRuns();
        const participants = await deps.participants.list();
        await deps.participants.remove(participants.map((participant) => participant.id));
        deps.log.info('cohort purged', { deletedRuns, deletedParticipants: participants.length });
        sendJson(res, 200, { deletedRuns, deletedParticipants: participants.length });
      },
    },
  ];
}
