/**
 * `npm run bench:body`: what a compressed request body costs the api before any of our code runs.
 *
 * functions-framework inflates and parses every body (gzip or deflate, up to 1 GiB) before the
 * function is called; nothing in the function can refuse it earlier. This starts the real api
 * under functions-framework, in a fresh process per case (so the peak RSS, VmHWM, is that one
 * request's), sends a ~150 KB gzip body that inflates to 150 MB, and prints the answer, the time
 * it took and the process's memory before and at its peak. No emulator is needed: the api
 * refuses the body by its size (413) before it authenticates or touches Firestore.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { gzipSync } from 'node:zlib';
import { printFigures } from './figures.js';
import { freePort } from '../stack/index.js';
import { projectRoot } from '../lib/index.js';

const INFLATED_BYTES = 150 * 1024 * 1024;

function memoryOf(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name: string) => Number(new RegExp(`${name}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0) / 1024;
  return { rss: field('VmRSS'), peak: field('VmHWM') };
}

async function waitForHealth(url: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    try {
      if ((await fetch(`${url}/healthz`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the api did not start');
}

function bomb(contentType: string): Buffer {
  const text = contentType === 'application/json' ? `{"count":1,"pad":"${' '.repeat(INFLATED_BYTES - 24)}"}` : ' '.repeat(INFLATED_BYTES);
  return gzipSync(Buffer.from(text), { level: 9 });
}

async function measure(contentType: string, body: Buffer, encoding: string | null): Promise<Array<[string, string]>> {
  const port = await freePort();
  const framework = join(projectRoot, 'node_modules', '@google-cloud', 'functions-framework', 'build', 'src', 'main.js');
  const child = spawn(process.execPath, [framework, '--target=api', '--signature-type=http', `--port=${port}`, `--source=${projectRoot}`], {
    env: { ...process.env, GOOGLE_CLOUD_PROJECT: 'bench-body', IMAGE_BUCKET: 'bench-body', INSTRUCTOR_TOKEN: 'b'.repeat(48), FIRESTORE_EMULATOR_HOST: '127.0.0.1:9' },
    stdio: 'ignore',
  });
  try {
    const url = `http://127.0.0.1:${port}`;
    await waitForHealth(url);
    const before = memoryOf(child.pid as number);
    const start = performance.now();
    const response = await fetch(`${url}/v1/runs`, { method: 'POST', headers: { 'Content-Type': contentType, ...(encoding ? { 'Content-Encoding': encoding } : {}) }, body: new Uint8Array(body) });
    const answer = `${response.status} ${((await response.json().catch(() => ({}))) as { error?: { code?: string } }).error?.code ?? ''}`;
    const ms = performance.now() - start;
    const after = memoryOf(child.pid as number);
    const label = `${contentType}${encoding ? ` (${encoding}, ${(body.length / 1024).toFixed(0)} KB on the wire)` : ` (plain, ${(body.length / 1024 / 1024).toFixed(0)} MB)`}`;
    return [[label, `${answer} in ${ms.toFixed(0)} ms; RSS ${before.rss.toFixed(0)} MB before, peak ${after.peak.toFixed(0)} MB (+${(after.peak - before.rss).toFixed(0)} MB)`]];
  } finally {
    child.kill('SIGTERM');
  }
}

const rows: Array<[string, string]> = [];
for (const contentType of ['application/json', 'text/plain', 'application/octet-stream']) rows.push(...(await measure(contentType, bomb(contentType), 'gzip')));
rows.push(...(await measure('application/json', Buffer.from('{"count":1}'), null)));
printFigures(`bench:body: a body that inflates to ${INFLATED_BYTES / 1024 / 1024} MB, sent to POST /v1/runs without a token`, rows);
