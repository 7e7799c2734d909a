/**
 * The OpenAPI 3.1 document of the api, built from the zod schemas: the request bodies the
 * handlers validate with, and the answers in api-schemas.ts. test/unit/openapi.test.ts fails when
 * a route of the router is missing here; test/integration/openapi.test.ts checks real answers.
 */
import { z } from 'zod';
import { bulkReviewSchema, cohortLabelsSchema, reviewInputSchema } from '../core/runs/index.js';
import { regenerateRequestSchema } from '../core/revisions/index.js';
import { runRequestSchema } from '../core/scenario/index.js';
import { scenarioSchema } from '../core/scenario/index.js';
import * as answers from './api-schemas.js';
import { batchSchema, newParticipantSchema, quotaSchema } from './cohort-routes.js';
import { sharedSchema } from './reference-routes.js';

type Json = Record<string, unknown>;
/** Binary answers: the media types one status may carry. */
type MediaTypes = ReadonlyArray<'image/png' | 'image/jpeg' | 'image/webp' | 'application/zip'>;
type Auth = 'token' | 'instructor' | 'public' | 'token-or-ticket';

interface Operation {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  path: string;
  summary: string;
  auth: Auth;
  body?: z.ZodType;
  /** A binary body instead of JSON (an image upload). */
  upload?: MediaTypes;
  /** status → a zod schema of the JSON answer, or a media type for binary answers. */
  ok: Record<number, z.ZodType | MediaTypes>;
  errors: number[];
}

/** Path parameters, with an example each: the coverage test fills templates with them. */
const PARAMETERS: Record<string, { description: string; pattern: string; example: string }> = {
  runId: { description: 'a run id', pattern: '^[A-Za-z0-9_-]{1,64}$', example: '20261130-001500-1a2b3c4d' },
  promptId: { description: 'a prompt id within the run', pattern: '^p[0-9]{1,6}$', example: 'p0001' },
  participantId: { description: 'a participant id', pattern: '^[A-Za-z0-9_-]{1,64}$', example: 'u-1a2b3c4d5e' },
  referenceId: { description: 'a reference photograph id', pattern: '^[A-Za-z0-9_-]{1,64}$', example: 'ref-1a2b3c4d5e6f' },
};

/** Lists that grow: cursor pages (functions/core/access/pages.ts). */
const PAGED = new Set(['/v1/runs', '/v1/runs/{runId}/prompts', '/v1/participants', '/v1/references']);

const runRequest = runRequestSchema.extend({ scenario: z.union([z.string().describe('a built-in scenario: "default"'), scenarioSchema]).optional() });

export const OPERATIONS: Operation[] = [
  { method: 'get', path: '/healthz', summary: 'Liveness', auth: 'public', ok: { 200: answers.healthSchema }, errors: [] },
  { method: 'get', path: '/v1/openapi.json', summary: 'This document', auth: 'public', ok: { 200: z.looseObject({ openapi: z.string() }) }, errors: [] },
  { method: 'post', path: '/v1/runs', summary: 'Start a run: validate, plan, book the quota, record, publish', auth: 'token', body: runRequest, ok: { 202: answers.createdRunSchema }, errors: [400, 401, 413, 415, 429, 503] },
  { method: 'post', path: '/v1/runs:preview', summary: 'What POST /v1/runs would plan, cost and book; writes and books nothing', auth: 'token', body: runRequest, ok: { 200: answers.previewSchema }, errors: [400, 401, 413, 415, 429] },
  { method: 'get', path: '/v1/runs', summary: "A page of the caller's runs, newest first (the instructor's: everyone's)", auth: 'token', ok: { 200: answers.runListSchema }, errors: [400, 401] },
  { method: 'post', path: '/v1/runs/{runId}:cancel', summary: 'Cancel a run: queued prompts end failed with reason cancelled, and their images go back to the quota', auth: 'token', ok: { 200: answers.cancelledRunSchema }, errors: [401, 404] },
  { method: 'post', path: '/v1/runs/{runId}:regenerate', summary: "Regenerate a finished run's selected slots as a revision, with the same values and optionally amended prompts; books only those", auth: 'token', body: regenerateRequestSchema, ok: { 202: answers.createdRevisionSchema }, errors: [400, 401, 404, 409, 413, 415, 429, 503] },
  { method: 'post', path: '/v1/runs/{runId}:regenerate:preview', summary: 'What :regenerate would select, prompt and cost; writes and books nothing', auth: 'token', body: regenerateRequestSchema, ok: { 200: answers.revisionPreviewSchema }, errors: [400, 401, 404, 409, 413, 415, 429] },
  { method: 'get', path: '/v1/runs/{runId}/revisions', summary: "The run's lineage: its first run and every revision, oldest first", auth: 'token', ok: { 200: answers.revisionsSchema }, errors: [401, 404] },
  { method: 'get', path: '/v1/runs/{runId}', summary: 'Progress, failures, quality and, once completed, the run report', auth: 'token', ok: { 200: answers.runStatusSchema }, errors: [401, 404] },
  { method: 'get', path: '/v1/runs/{runId}/prompts', summary: 'The thresholds in force and a page of prompts in plan order; the first page carries the run record', auth: 'token', ok: { 200: answers.promptsSchema }, errors: [400, 401, 404] },
  { method: 'get', path: '/v1/runs/{runId}/images/{promptId}', summary: 'The PNG, or with ?size=thumb its stored 256-pixel JPEG preview; ETag and If-None-Match (304)', auth: 'token', ok: { 200: ['image/png', 'image/jpeg'], 304: [] }, errors: [400, 401, 404] },
  { method: 'get', path: '/v1/runs/{runId}/spot-check', summary: 'A seeded sample of 12 images stratified by category, and the share of it a reviewer rejected with a 95 % Wilson interval', auth: 'token', ok: { 200: answers.spotCheckSchema }, errors: [400, 401, 404] },
  { method: 'put', path: '/v1/runs/{runId}/prompts/{promptId}/review', summary: 'Review an image: relevance, inappropriate, cultural sensitivity, scenario alignment, a note and the cohort labels (checked against their declaration)', auth: 'token', body: reviewInputSchema, ok: { 200: answers.reviewAnswerSchema }, errors: [400, 401, 404, 413, 415] },
  { method: 'post', path: '/v1/runs/{runId}/reviews', summary: 'Review up to 100 images at once, or clear their reviews (review: null), all or nothing; answers the reviews replaced, for an undo', auth: 'token', body: bulkReviewSchema, ok: { 200: answers.bulkReviewAnswerSchema }, errors: [400, 401, 404, 413, 415, 429] },
  { method: 'post', path: '/v1/runs/{runId}/dataset:ticket', summary: 'A single-use link to dataset.zip, valid for 60 s, for browsers', auth: 'token', ok: { 201: answers.ticketSchema }, errors: [401, 404] },
  { method: 'get', path: '/v1/runs/{runId}/dataset.zip', summary: 'The dataset, streamed, with the reviews as they stand now', auth: 'token-or-ticket', ok: { 200: ['application/zip'] }, errors: [401, 404] },
  { method: 'get', path: '/v1/me', summary: 'Who you are, your quota and your usage', auth: 'token', ok: { 200: answers.meSchema }, errors: [401] },
  { method: 'post', path: '/v1/participants', summary: 'Add a participant; the token is shown once', auth: 'instructor', body: newParticipantSchema, ok: { 201: answers.createdParticipantSchema }, errors: [400, 401, 403, 413, 415] },
  { method: 'post', path: '/v1/participants:batchCreate', summary: 'Add several participants', auth: 'instructor', body: batchSchema, ok: { 201: answers.createdParticipantsSchema }, errors: [400, 401, 403, 413, 415] },
  { method: 'get', path: '/v1/participants', summary: 'A page of participants with their usage, oldest first', auth: 'instructor', ok: { 200: answers.participantsSchema }, errors: [400, 401, 403] },
  { method: 'patch', path: '/v1/participants/{participantId}', summary: "Change a participant's quota", auth: 'instructor', body: quotaSchema, ok: { 200: answers.participantSchema }, errors: [400, 401, 403, 404] },
  { method: 'post', path: '/v1/participants/{participantId}:revoke', summary: "Revoke a participant's token", auth: 'instructor', ok: { 200: answers.participantSchema }, errors: [401, 403, 404] },
  { method: 'delete', path: '/v1/participants/{participantId}/runs', summary: "Delete a participant's runs and images", auth: 'instructor', ok: { 200: answers.deletedRunsSchema }, errors: [401, 403, 404] },
  { method: 'post', path: '/v1/references', summary: 'Upload a reference photograph (PNG, JPEG or WebP, sniffed from the bytes; ?name=); stored downscaled without metadata', auth: 'token', upload: ['image/png', 'image/jpeg', 'image/webp'], ok: { 201: answers.createdReferenceSchema }, errors: [400, 401, 413, 415, 429] },
  { method: 'get', path: '/v1/references', summary: "A page of the caller's references and the shared ones, newest first (the instructor's: everyone's)", auth: 'token', ok: { 200: answers.referenceListSchema }, errors: [400, 401] },
  { method: 'get', path: '/v1/references/{referenceId}/image', summary: 'The stored copy of a reference (JPEG), for its owner, the instructor, or anyone when shared; never cached', auth: 'token', ok: { 200: ['image/jpeg'] }, errors: [401, 404] },
  { method: 'delete', path: '/v1/references/{referenceId}', summary: 'Delete one of your references', auth: 'token', ok: { 200: answers.deletedReferenceSchema }, errors: [401, 403, 404] },
  { method: 'patch', path: '/v1/references/{referenceId}', summary: 'Share a reference with the whole cohort, or stop sharing it', auth: 'instructor', body: sharedSchema, ok: { 200: answers.referenceSchema }, errors: [400, 401, 403, 404, 413, 415] },
  { method: 'get', path: '/v1/cohort/labels', summary: "The cohort's own review labels, as the instructor declared them", auth: 'token', ok: { 200: answers.cohortLabelsAnswerSchema }, errors: [401] },
  { method: 'put', path: '/v1/cohort/labels', summary: "Declare the cohort's review labels (yes/no or a choice); replaces the previous declaration", auth: 'instructor', body: cohortLabelsSchema, ok: { 200: answers.cohortLabelsAnswerSchema }, errors: [400, 401, 403, 413, 415, 429] },
  { method: 'delete', path: '/v1/cohort', summary: 'Delete every run, image and participant', auth: 'instructor', ok: { 200: answers.purgedCohortSchema }, errors: [401, 403] },
];

const ERROR_TEXT: Record<number, string> = {
  400: 'invalid request: the message (and for run requests, `fields`) says what to fix',
  401: 'no token, an unknown or revoked one, or a used or expired download ticket',
  403: 'an instructor-only operation',
  404: "no such run, prompt or participant (another participant's run is not found either)",
  409: 'the run, or another run of its lineage, is still running (or the lineage has its most revisions)',
  413: 'the body is over 1 MiB (8 MiB for a reference photograph)',
  415: 'the body is not application/json (for a reference photograph: not a still PNG, JPEG or WebP)',
  429: 'a quota or rate limit is reached; the message says which',
  503: 'the run was recorded but some prompts could not be queued',
};

/** zod → JSON Schema 2020-12, which OpenAPI 3.1 uses as is. */
function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): Json {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' }) as Json;
  return rest;
}

const SECURITY: Record<Auth, Json[]> = {
  token: [{ bearer: [] }],
  instructor: [{ bearer: [] }],
  public: [],
  'token-or-ticket': [{ bearer: [] }, { downloadTicket: [] }],
};

function operation(op: Operation): Json {
  const parameters = [...op.path.matchAll(/\{(\w+)\}/g)].map(([, name]) => {
    const parameter = PARAMETERS[name as string];
    if (!parameter) throw new Error(`no description of path parameter ${name}`);
    return { name, in: 'path', required: true, description: parameter.description, schema: { type: 'string', pattern: parameter.pattern }, example: parameter.example };
  });
  if (op.path.endsWith('/images/{promptId}')) parameters.push({ name: 'size', in: 'query', required: false, description: '"thumb" for a 256-pixel thumbnail', schema: { type: 'string', enum: ['thumb', 'full'] } } as never);
  if (PAGED.has(op.path) && op.method === 'get') {
    parameters.push({ name: 'pageSize', in: 'query', required: false, description: 'items per page, up to the route\'s maximum', schema: { type: 'string', pattern: '^[0-9]{1,6}$' } } as never);
    parameters.push({ name: 'pageToken', in: 'query', required: false, description: 'the nextPageToken of the previous page', schema: { type: 'string' } } as never);
  }
  if (op.auth === 'token-or-ticket') parameters.push({ name: 'ticket', in: 'query', required: false, description: 'from POST …/dataset:ticket, instead of a token', schema: { type: 'string' } } as never);
  const responses: Json = {};
  for (const [status, answer] of Object.entries(op.ok)) {
    responses[status] = Array.isArray(answer)
      ? answer.length === 0
        ? { description: 'Not modified: the If-None-Match ETag is current; no body' }
        : { description: 'OK', content: Object.fromEntries(answer.map((type) => [type, { schema: { type: 'string', contentMediaType: type } }])) }
      : { description: 'OK', content: { 'application/json': { schema: jsonSchema(answer as z.ZodType, 'output') } } };
  }
  for (const status of op.errors) responses[status] = { $ref: `#/components/responses/E${status}` };
  responses.default = { $ref: '#/components/responses/Error' };
  return {
    operationId: `${op.method}${op.path.replace(/[^A-Za-z0-9]+(\w)?/g, (_, c: string | undefined) => (c ?? '').toUpperCase())}`,
    summary: op.summary,
    ...(op.auth === 'instructor' ? { description: 'Instructor only: a participant gets 403.' } : {}),
    security: SECURITY[op.auth],
    ...(parameters.length ? { parameters } : {}),
    ...(op.upload ? { requestBody: { required: true, content: Object.fromEntries(op.upload.map((type) => [type, { schema: { type: 'string', contentMediaType: type } }])) } } : {}),
    ...(op.body ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(op.body, 'input') } } } } : {}),
    responses,
  };
}

export function openApiDocument(): Json {
  const paths: Record<string, Json> = {};
  for (const op of OPERATIONS) (paths[op.path] ??= {})[op.method] = operation(op);
  const error = { content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } };
  return {
    openapi: '3.1.0',
    info: { title: 'Synthetic image datasets', version: '1', description: 'Runs, reviews and datasets of the synthetic image dataset service. Every error has the shape of components.schemas.Error.' },
    security: [{ bearer: [] }],
    paths,
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: "a participant's token from the instructor, or the instructor's token" },
        downloadTicket: { type: 'apiKey', in: 'query', name: 'ticket', description: 'single use, 60 s, for GET …/dataset.zip only' },
      },
      schemas: { Error: jsonSchema(answers.errorSchema, 'output') },
      responses: {
        Error: { description: 'any other error', ...error },
        ...Object.fromEntries(Object.entries(ERROR_TEXT).map(([status, description]) => [`E${status}`, { description, ...error }])),
      },
    },
  };
}
