import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import yazl from 'yazl';
import { datasetAsOf } from '../core/export/index.js';
import { datasetFiles, succeeded, withoutMissingImages, type ExportInput } from '../core/export/index.js';
import { deriveRunState, runIsJudged, verdictOwed, type RunRecord } from '../core/runs/index.js';
import { runQuality } from '../core/runs/index.js';
import { hashToken } from '../core/access/index.js';
import type { ApiDependencies } from './api-dependencies.js';
import type { Principal } from './auth.js';
import { HttpError, sendJson } from './http.js';
import { ID, type Route } from './route.js';
import { loadLineage } from './revision-plan.js';
import { publicPrompt } from './run-views.js';

/** Stats in flight at once while checking which images are still stored. */
const STAT_CONCURRENCY = 16;

/** Long enough to start a download after asking for it, short enough that a leaked URL is useless. */
export const TICKET_SECONDS = 60;
const ZIP_PATH = new RegExp(`^/v1/runs/(${ID})/dataset\\.zip$`);

/**
 * The dataset of one run as a zip, streamed: the files `datasetFiles` lists, with the reviews as
 * they stand now. Images are read from the bucket one at a time as the zip reaches them, and the
 * response's backpressure paces the reading, so memory holds about one image whatever the run's size.
 * Scripts send their bearer token; a browser first takes a single-use ticket, so no token goes into a URL.
 */
export function datasetRoutes(deps: ApiDependencies): Route[] {
  const now = deps.now ?? Date.now;
  const { tickets } = deps;

  async function loadRun(runId: string, principal: Principal): Promise<RunRecord> {
    const run = await deps.store.getRun(runId);
    if (!run || (principal.role !== 'instructor' && run.owner !== principal.id)) throw new HttpError(404, 'NOT_FOUND', `run ${runId} does not exist`);
    return run;
  }

  /** A bearer token as on every route, or `?ticket=` from POST …/dataset:ticket for this very run. */
  async function authenticate(req: Parameters<NonNullable<Route['authenticate']>>[0]): Promise<Principal> {
    const ticket = req.query.ticket;
    if (ticket === undefined) return deps.authorize(req);
    const redeemed = typeof ticket === 'string' && ticket.length <= 100 ? await tickets.redeem(hashToken(ticket), now()) : null;
    if (!redeemed || redeemed.runId !== ZIP_PATH.exec(req.path)?.[1]) {
      throw new HttpError(401, 'UNAUTHENTICATED', 'the download ticket is unknown, used or expired; ask for a new one with POST /v1/runs/{runId}/dataset:ticket');
    }
    // The ticket says who asked, not that they still may: a participant revoked (or purged) since
    // gets nothing, as their token would. loadRun then checks the run is still theirs.
    if (redeemed.principal.role === 'participant') {
      const owner = await deps.participants.get(redeemed.principal.id);
      if (!owner || owner.revoked) throw new HttpError(401, 'UNAUTHENTICATED', 'the download ticket belongs to a participant who is no longer allowed in');
    }
    return redeemed.principal;
  }

  return [
    {
      method: 'POST',
      pattern: new RegExp(`^/v1/runs/(${ID})/dataset:ticket$`),
      async handle({ res, params, principal }) {
        const run = await loadRun(params[0] as string, principal);
        const ticket = randomBytes(24).toString('base64url');
        const expiresAt = now() + TICKET_SECONDS * 1000;
        await tickets.issue(hashToken(ticket), { runId: run.runId, principal: { id: principal.id, name: principal.name, role: principal.role }, expiresAt });
        sendJson(res, 201, { url: `/v1/runs/${run.runId}/dataset.zip?ticket=${ticket}`, expiresAt: new Date(expiresAt).toISOString() });
      },
    },
    {
      method: 'GET',
      pattern: ZIP_PATH,
      authenticate,
      async handle({ res, params, principal }) {
        const run = await loadRun(params[0] as string, principal);
        // Images past the retention period are gone: found before the first byte is sent, left out, and named in the
        // card, generation_parameters.json and a header, rather than cutting the download off at the first one. A
        // lineage's revisions were made after its first run, so their images outlive the first run's.
        const complete = await exportInput(run);
        const missing = await missingImages(complete.prompts);
        const input = withoutMissingImages(complete, missing);
        const objectNames = new Map([input, ...(input.lineage?.revisions ?? [])].flatMap((part) => part.prompts.map((prompt) => [`${prompt.runId}/${prompt.promptId}`, prompt.objectName] as const)));
        const mtime = new Date(input.exportedAt);
        const zip = new yazl.ZipFile();
        const files = datasetFiles(input);
        // Images first, hashed as the zip reads them; the text files follow, made once every image
        // is hashed, so croissant.json carries every image's sha256 as the CLI's export does.
        const imageSha256 = new Map<string, string>();
        let texts: Map<string, string> | undefined;
        const textOf = (path: string): string => {
          texts ??= new Map(datasetFiles({ ...input, imageSha256 }).flatMap((file) => ('text' in file ? [[file.path, file.text] as const] : [])));
          return texts.get(path) ?? '';
        };
        for (const file of files) {
          if ('text' in file) continue;
          const objectName = objectNames.get(`${file.image.runId}/${file.image.promptId}`);
          // PNGs are compressed already: stored as they are, read only when the zip reaches them.
          zip.addReadStreamLazy(file.path, { mtime, compress: false }, (done) => {
            const read = objectName ? deps.bucket.read(objectName) : Promise.resolve(null);
            read.then(
              (bytes) => {
                if (!bytes) return done(new Error(`the image of ${file.image.promptId} is missing from the bucket`), Readable.from([]));
                imageSha256.set(file.path, createHash('sha256').update(bytes).digest('hex'));
                done(null, Readable.from([bytes]));
              },
              (error: Error) => done(error, Readable.from([])),
            );
          });
        }
        for (const file of files) {
          if ('text' in file) zip.addReadStreamLazy(file.path, { mtime }, (done) => done(null, Readable.from([Buffer.from(textOf(file.path), 'utf8')])));
        }
        zip.end();
        zip.outputStream.on('error', (error: Error) => {
          // The status line is already sent: cutting the connection is how the client learns the zip is incomplete.
          deps.log.error('dataset zip failed', { runId: run.runId, error: error.message });
          res.destroy(error);
        });
        res.status(200).set({
          'Content-Type': 'application/zip',
          'Content-Disposition': `attachment; filename="dataset-${run.runId}.zip"`,
          'Cache-Control': 'no-store',
          'X-Content-Type-Options': 'nosniff',
          'Referrer-Policy': 'no-referrer',
          'X-Missing-Images': String(missing.size),
        });
        zip.outputStream.pipe(res);
        await new Promise<void>((resolve) => res.once('close', () => resolve()));
      },
    },
  ];

  /** Prompt ids of images the run recorded but storage no longer holds, checked a few at a time. */
  async function missingImages(prompts: Array<ExportInput['prompts'][number] & { objectName: string | null }>): Promise<Set<string>> {
    const queue = prompts.filter((prompt) => succeeded(prompt) && prompt.objectName);
    const missing = new Set<string>();
    const worker = async () => {
      for (let prompt = queue.shift(); prompt; prompt = queue.shift()) {
        if (!(await deps.bucket.stat(prompt.objectName as string))) missing.add(prompt.promptId);
      }
    };
    await Promise.all(Array.from({ length: STAT_CONCURRENCY }, worker));
    return missing;
  }

  /**
   * The same inputs the CLI's exporter reads through GET /v1/runs/{id} and …/prompts. A run of a
   * lineage exports the whole lineage: its first run, with every revision beside it.
   */
  async function exportInput(run: RunRecord): Promise<ExportInput & { prompts: Array<{ objectName: string | null }> }> {
    const { root, revisions } = await loadLineage(deps, run);
    const [records, counts, quality] = await Promise.all([deps.store.listPrompts(root.runId), deps.store.countByStatus(root.runId), deps.store.qualitySummary(root.runId)]);
    const { byPrompt, thresholds, report } = runQuality(root, records);
    const prompts = records.map((prompt) => publicPrompt(prompt, byPrompt.get(prompt.promptId)));
    const completed = deriveRunState(root, counts, runIsJudged(root) ? records.filter(verdictOwed).length : 0) === 'completed';
    const lineage = await Promise.all(revisions.map(async (revision) => {
      const own = await deps.store.listPrompts(revision.runId);
      const quality = runQuality(revision, own).byPrompt;
      return { run: revision, prompts: own.map((prompt) => publicPrompt(prompt, quality.get(prompt.promptId))) };
    }));
    const asOf = datasetAsOf(root, [...prompts, ...lineage.flatMap((part) => part.prompts)]);
    return { run: root, prompts, counts, quality, thresholds, report: completed ? report : null, exportedAt: asOf, versions: deps.versions?.() ?? {}, ...(lineage.length ? { lineage: { revisions: lineage } } : {}) };
  }
}
