import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, inject, it } from 'vitest';
import { ensurePythonEnv } from '../../scripts/lib/python-env.js';
import { projectRoot } from '../../scripts/lib/tools.js';

/** The code in docs/notebook.md, exactly as printed: the page's first python block. */
function notebookSnippet(page: string): string {
  const match = /```python\n([\s\S]*?)```/.exec(page);
  if (!match) throw new Error('docs/notebook.md has no python block');
  return match[1] as string;
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
    const dir = mkdtempSync(join(tmpdir(), 'notebook-'));
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
});
