import { parseArgs } from 'node:util';
import type { DatasetOptions } from '../../functions/core/export/index.js';
import { datasetFlags, optionError, parseDatasetFlags, type Parsed } from '../lib/index.js';

/** `npm run export -- --api URL --run RUN_ID [--out DIR] [--force] [--split …] [--exclude …] [--license …]`, parsed without I/O. */
export interface ExportOptions {
  api: string;
  runId: string;
  out: string;
  force: boolean;
  /** How the export is split and labelled, as for every command that exports. */
  dataset: DatasetOptions;
}

export const EXPORT_USAGE = `usage: npm run export -- --api URL --run RUN_ID [--out DIR] [--force] [--split A,B,C] [--exclude POLICY] [--license ID]
  --api URL         the api function's URL, local or deployed (API_TOKEN holds your token)
  --run RUN_ID      the run to export, as it stands now, reviews included
  --out DIR         export folder (default ./DataCollection)
  --force           replace an existing dataset in --out
  --split A,B,C     train,validation,test shares (default 0.8,0.1,0.1)
  --exclude POLICY  leave images out of every split: issues, inappropriate,
                    rated-below=N, not-usable; comma-separated to combine
  --license ID      the licence in the dataset card (default cc-by-4.0)`;

export function parseExportArgs(argv: string[]): Parsed<ExportOptions> {
  const options = { api: { type: 'string' }, run: { type: 'string' }, out: { type: 'string' }, force: { type: 'boolean' }, help: { type: 'boolean', short: 'h' }, ...datasetFlags } as const;
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({
      args: argv,
      options,
      allowPositionals: false,
      strict: true,
    }).values;
  } catch (error) {
    return { ok: false, error: optionError(error, Object.keys(options)) };
  }
  if (values.help) return { ok: false, help: true };
  const api = values.api as string | undefined;
  const runId = values.run as string | undefined;
  if (!api) return { ok: false, error: '--api URL is required (the api function URL, e.g. http://127.0.0.1:8080)' };
  if (!/^https?:\/\/[^\s]+$/.test(api)) return { ok: false, error: `--api must be an http(s) URL, got "${api}"` };
  if (!runId) return { ok: false, error: '--run RUN_ID is required (see the gallery or GET /v1/runs)' };
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(runId)) return { ok: false, error: `--run must be a run id (letters, digits, _ and -), got "${runId}"` };
  const dataset = parseDatasetFlags(values);
  if (typeof dataset === 'string') return { ok: false, error: dataset };
  return { ok: true, options: { api, runId, out: (values.out as string | undefined) ?? 'DataCollection', force: values.force === true, dataset } };
}
