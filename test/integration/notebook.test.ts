import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, inject, it } from 'vitest';
import { ensurePythonEnv } from '../../scripts/lib/python-env.js';
import { projectRoot } from '../../scripts/lib/tools.js';
import { scratchDir } from '../support/scratch.js';

/** The code in docs/notebook.md, exactly as printed: the page's first python block, or its first `blocks`, in order. */
function notebookSnippet(page: string, blocks = 1): string {
  const matches = [...page.matchAll(/```python\n([\s\S]*?)```/g)].slice(0, blocks);
  if (matches.length < blocks) throw new Error(`docs/notebook.md has fewer than ${blocks} python blocks`);
  return matches.map((match) => match[1] as string).join('\n');
}

describe('the documented notebook snippet', () => {
  const stack = inject('stack');

  it('starts a run, follows it, downloads and unzips the dataset and loads quality_scores.csv', async () => {
    const python = await ensurePythonEnv();
    const participant = (await (await fetch(`${stack.apiUrl}/v1/participants`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${stack.instructorToken}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'Notebook Nora', imageQuota: 10 }),
    })).json()) as { token: string };
    const dir = scratchDir('notebook-');
    const script = join(dir, 'snippet.py');
    writeFileSync(script, notebookSnippet(readFileSync(join(projectRoot, 'docs', 'notebook.md'), 'utf8')));
    // Only what a participant's notebook has: the api's URL and their token.
    const { stdout } = await promisify(execFile)(python, [script], { cwd: dir, env: { PATH: process.env.PATH ?? '', API_URL: stack.apiUrl, API_TOKEN: participant.token }, timeout: 180_000 });
    expect(stdout).toMatch(/^6 images planned, estimated cost 0 USD, quota left 10$/m);
    expect(stdout).toMatch(/^6\/6 done, 0 failed$/m);
    expect(stdout).toMatch(/^6 images, \d usable; first: generated_images\/\w+\/p\d{4}\.png$/m);
    const extracted = readdirSync(dir).find((name) => name.startsWith('dataset-'));
    expect(extracted, 'the dataset folder the snippet unzipped').toBeDefined();
    for (const file of ['metadata/quality_scores.csv', 'metadata/image_prompts.json', 'documentation/generation_log.md']) expect(existsSync(join(dir, extracted as string, file)), file).toBe(true);
  });

  it('continues with the loop: rates two images 1, regenerates the rejected with an amended prompt and downloads the lineage', async () => {
    const python = await ensurePythonEnv();
    const participant = (await (await fetch(`${stack.apiUrl}/v1/participants`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${stack.instructorToken}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'Notebook Ida', imageQuota: 10 }),
    })).json()) as { token: string };
    const dir = scratchDir('notebook-loop-');
    const script = join(dir, 'loop.py');
    writeFileSync(script, notebookSnippet(readFileSync(join(projectRoot, 'docs', 'notebook.md'), 'utf8'), 2));
    const { stdout } = await promisify(execFile)(python, [script], { cwd: dir, env: { PATH: process.env.PATH ?? '', API_URL: stack.apiUrl, API_TOKEN: participant.token }, timeout: 240_000 });
    expect(stdout).toMatch(/^2 slots to regenerate: p\d{4}, p\d{4}$/m);
    expect(stdout).toMatch(/^6 images in the lineage's dataset, 8 versions listed, [0-2] from the revision$/m);
  });
});

