import { parseArgs } from 'node:util';
import type { Parsed } from '../lib/index.js';

/** `npm run export -- --api URL --run RUN_ID [--out DIR] [--force]`, parsed without I/O. */
export interface ExportOptions {
  api: string;
  runId: string;
  out: string;
  force: boolean;
}

export const EXPORT_USAGE = `usage: npm run export -- --api URL --run RUN_ID [--out DIR] [--force]
  --api URL      the api function's URL, local or deployed (API_TOKEN holds your token)
  --run RUN_ID   the run to export, as it stands now, reviews included
  --out DIR      export folder (default ./DataCollection)
  --force        replace an existing dataset in --out`;

export function parseExportArgs(argv: string[]): Parsed<ExportOptions> {
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({
      args: argv,
      options: { api: { type: 'string' }, run: { type: 'string' }, out: { type: 'string' }, force: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
      allowPositionals: false,
      strict: true,
    }).values;
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  }
  if (values.help) return { ok: false, help: true };
  const api = values.api as string | undefined;
  const runId = values.run as string | undefined;
  if (!api) return { ok: false, error: '--api URL is required (the api function URL, e.g. http://127.0.0.1:8080)' };
  if (!/^https?:\/\/[^\s]+$/.test(api)) return { ok: false, error: `--api must be an http(s) URL, got "${api}"` };
  if (!runId) return { ok: false, error: '--run RUN_ID is required (see the gallery or GET /v1/runs)' };
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(runId)) return { ok: false, error: `--run must be a run id (letters, digits, _ and -), got "${runId}"` };
  return { ok: true, options: { api, runId, out: (values.out as string | undefined) ?? 'DataCollection', force: values.force === true } };
}
