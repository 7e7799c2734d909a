import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, inject, it } from 'vitest';
import { ensurePythonEnv } from '../../scripts/lib/python-env.js';
import { projectRoot } from '../../scripts/lib/tools.js';
import { scratchDir } from '../support/scratch.js';

const NOTEBOOK = join(projectRoot, 'notebooks', 'Generate_images.ipynb');

interface Output { output_type: string; name?: string; text?: string | string[]; data?: Record<string, unknown> }
interface Cell { cell_type: string; source: string | string[]; execution_count?: number | null; outputs?: Output[] }

const joined = (text: string | string[] | undefined): string => (Array.isArray(text) ? text.join('') : (text ?? ''));
const printed = (cell: Cell): string => (cell.outputs ?? []).filter((output) => output.output_type === 'stream' && output.name === 'stdout').map((output) => joined(output.text)).join('');
const imagesShown = (cell: Cell): number => (cell.outputs ?? []).filter((output) => output.output_type === 'display_data' && output.data?.['image/png'] !== undefined).length;

/** The one code cell whose source contains `marker`. */
function cellWith(cells: Cell[], marker: string): Cell {
  const found = cells.filter((cell) => cell.cell_type === 'code' && joined(cell.source).includes(marker));
  if (found.length !== 1) throw new Error(`expected one code cell containing ${marker}, found ${found.length}`);
  return found[0] as Cell;
}

describe('the workshop notebook, notebooks/Generate_images.ipynb', () => {
  const stack = inject('stack');
  const asInstructor = async <T>(path: string): Promise<T> => {
    const response = await fetch(`${stack.apiUrl}${path}`, { headers: { Authorization: `Bearer ${stack.instructorToken}` } });
    expect(response.status, path).toBe(200);
    return (await response.json()) as T;
  };

  it('runs top to bottom with nbclient against the local stack: preview, run, progress, spot-check reviews, download, load_dataset, report, the images that did not pass', { timeout: 600_000 }, async () => {
    const python = await ensurePythonEnv();
    const committed = readFileSync(NOTEBOOK, 'utf8');
    const participant = (await (await fetch(`${stack.apiUrl}/v1/participants`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${stack.instructorToken}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'Notebook Nell', imageQuota: 10 }),
    })).json()) as { id: string; token: string };
    const dir = scratchDir('workshop-notebook-');
    const executedPath = join(dir, 'Generate_images.executed.ipynb');
    // What a participant's Jupyter has: the api's URL and their token. Caches and kernel files stay in the temp folder.
    const env = {
      PATH: process.env.PATH ?? '', API_URL: stack.apiUrl, API_TOKEN: participant.token,
      HF_HOME: join(dir, 'hf'), HF_HUB_OFFLINE: '1', IPYTHONDIR: join(dir, 'ipython'), JUPYTER_RUNTIME_DIR: join(dir, 'jupyter'), JUPYTER_PLATFORM_DIRS: '1',
    };
    const { stdout } = await promisify(execFile)(python, [join(projectRoot, 'python', 'run_notebook.py'), NOTEBOOK, executedPath, '--cell-timeout', '300'], { cwd: dir, env, timeout: 540_000 });
    console.error(`[workshop notebook] ${stdout.trim()}`);

    const cells = (JSON.parse(readFileSync(executedPath, 'utf8')) as { cells: Cell[] }).cells;
    const code = cells.filter((cell) => cell.cell_type === 'code');
    expect(code.map((cell) => cell.execution_count)).toEqual(code.map((_, index) => index + 1));
    expect(code.flatMap((cell) => cell.outputs ?? []).filter((output) => output.output_type === 'error')).toEqual([]);

    const runId = /^Run (\S+) started: 6 images$/m.exec(printed(cellWith(cells, '"/v1/runs", json=')))?.[1];
    expect(runId, 'the run id the notebook printed').toBeDefined();
    const run = await asInstructor<{ owner: string; state: string; planned: number; counts: { assessed: number } }>(`/v1/runs/${runId}`);
    expect({ owner: run.owner, state: run.state, planned: run.planned }).toEqual({ owner: participant.id, state: 'completed', planned: 6 });
    expect(printed(cellWith(cells, 'WAIT_MINUTES ='))).toMatch(/^\[#{20}\] 6\/6 done: 6 assessed, 0 failed \(completed\)$/m);

    // The spot check showed every sample image, and the reviews the notebook posted are the ratings its cell asks for, in sample order.
    const sample = await asInstructor<{ promptIds: string[]; reviewed: number; rejected: number }>(`/v1/runs/${runId}/spot-check`);
    expect(imagesShown(cellWith(cells, 'thumbnail ='))).toBe(sample.promptIds.length);
    const reviewCell = cellWith(cells, 'MY_RATINGS =');
    const ratings = JSON.parse(/^MY_RATINGS = (\[[\d, ]*\])/m.exec(joined(reviewCell.source))?.[1] ?? 'null') as number[];
    const { prompts } = await asInstructor<{ prompts: Array<{ promptId: string; review: { relevance: number | null; reviewedBy: string } | null }> }>(`/v1/runs/${runId}/prompts`);
    const relevanceOf = new Map(prompts.map((prompt) => [prompt.promptId, prompt.review?.relevance ?? null]));
    expect(sample.promptIds.map((id) => relevanceOf.get(id))).toEqual(sample.promptIds.map((_, index) => ratings[index] ?? null));
    expect(prompts.filter((prompt) => prompt.review).every((prompt) => prompt.review?.reviewedBy === 'Notebook Nell')).toBe(true);
    expect(printed(reviewCell)).toContain(`\n${sample.reviewed} of ${sample.promptIds.length} sample images reviewed, ${sample.rejected} rejected\n`);

    // The dataset the notebook downloaded and loaded: every image the run made, in the temp folder, never in the repository.
    expect(printed(cellWith(cells, 'load_dataset(DATA_DIR)'))).toMatch(new RegExp(`^Loaded ${run.counts.assessed} images: train \\d+, validation \\d+, test \\d+$`, 'm'));
    const rows = readFileSync(join(dir, `dataset-${runId}`, 'generated_images', 'metadata.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { id: string; usable: boolean });
    expect(rows).toHaveLength(run.counts.assessed);

    // The last step shows exactly the images the export calls not usable, among them the one rated below 3.
    const notUsable = rows.filter((row) => !row.usable);
    expect(notUsable.length).toBeGreaterThanOrEqual(ratings.filter((rating) => rating < 3).length);
    const lastStep = cellWith(cells, 'not_usable =');
    expect(imagesShown(lastStep)).toBe(notUsable.length);
    expect(printed(lastStep)).toContain(`${notUsable.length} of ${rows.length} images are not usable`);
    for (const row of notUsable) expect(printed(lastStep)).toContain(`\n${row.id} (`);
    expect(printed(cellWith(cells, 'report = status["report"]'))).toMatch(new RegExp(`^Quality report of run ${runId}: 6 images$`, 'm'));

    expect(readFileSync(NOTEBOOK, 'utf8'), 'the committed notebook is left as it was').toBe(committed);
  });
});
