import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OPERATIONS } from '../../functions/handlers/openapi.js';
import { projectRoot } from '../../scripts/lib/tools.js';

interface Cell { cell_type: string; id?: string; source: string[]; execution_count?: number | null; outputs?: unknown[] }
interface Notebook { nbformat: number; nbformat_minor: number; metadata: { kernelspec?: { name: string; language: string } }; cells: Cell[] }

const notebook = JSON.parse(readFileSync(join(projectRoot, 'notebooks', 'Generate_images.ipynb'), 'utf8')) as Notebook;
const code = notebook.cells.filter((cell) => cell.cell_type === 'code').map((cell) => cell.source.join('')).join('\n');
const markdown = notebook.cells.filter((cell) => cell.cell_type === 'markdown').map((cell) => cell.source.join('')).join('\n');

/** Every request the notebook makes through its `call(METHOD, path)` helper, with Python's {run_id} written as the api's {runId}. */
const requests = [...code.matchAll(/\bcall\("([A-Z]+)", f?"([^"]+)"/g)].map(([, method, path]) => ({
  method: (method as string).toLowerCase(),
  path: (path as string).replace(/\{(\w+)\}/g, (_, name: string) => `{${name.replace(/_(\w)/g, (__, letter: string) => letter.toUpperCase())}}`),
}));

describe('notebooks/Generate_images.ipynb as committed', () => {
  it('is an nbformat 4 notebook for a Python 3 kernel, with every output cleared', () => {
    expect(notebook.nbformat).toBe(4);
    expect(notebook.metadata.kernelspec).toMatchObject({ name: 'python3', language: 'python' });
    const codeCells = notebook.cells.filter((cell) => cell.cell_type === 'code');
    expect(codeCells.length).toBeGreaterThan(0);
    for (const cell of codeCells) expect({ id: cell.id, outputs: cell.outputs, count: cell.execution_count }).toEqual({ id: cell.id, outputs: [], count: null });
  });

  it('holds no token: the token comes from API_TOKEN or a placeholder the participant replaces', () => {
    expect(code).toMatch(/^API_TOKEN = os\.environ\.get\("API_TOKEN", "sid_paste-your-token-here"\)$/m);
    expect([...`${code}\n${markdown}`.matchAll(/sid_[A-Za-z0-9_-]+/g)].map(([token]) => token)).toEqual(['sid_paste-your-token-here']);
  });

  it('calls only routes the api has, with their methods', () => {
    const known = new Set(OPERATIONS.map((operation) => `${operation.method} ${operation.path}`));
    expect(requests.length).toBeGreaterThan(0);
    expect(requests.map((request) => `${request.method} ${request.path}`).filter((request) => !known.has(request))).toEqual([]);
  });

  it("walks the workshop's steps: preview, start, progress, spot check, review, download", () => {
    const made = new Set(requests.map((request) => `${request.method} ${request.path}`));
    for (const step of ['post /v1/runs:preview', 'post /v1/runs', 'get /v1/runs/{runId}', 'get /v1/runs/{runId}/spot-check', 'put /v1/runs/{runId}/prompts/{promptId}/review', 'get /v1/runs/{runId}/dataset.zip']) expect(made, step).toContain(step);
  });

  it('names every package it imports in its pip line', () => {
    const pip = /%pip install ([a-z ]+)/.exec(markdown)?.[1]?.split(' ') ?? [];
    const imported = new Set([...code.matchAll(/^(?:from|import) (\w+)/gm)].map(([, module]) => module));
    // Pillow is what `datasets` decodes images with, and is imported as PIL.
    const packageOf: Record<string, string> = { requests: 'requests', datasets: 'datasets', PIL: 'pillow' };
    expect([...imported].flatMap((module) => (packageOf[module as string] ? [packageOf[module as string]] : [])).filter((name) => !pip.includes(name as string))).toEqual([]);
    expect(pip).toContain('pillow');
  });
});
