/**
 * `npm run bench:gemini [-- --ceiling RPM --count N]`: the deployment-wide rate limit
 * against a fake Gemini API that enforces the same quota with 429s, as the real one does.
 * Prints the requests per minute achieved against the ceiling, the 429s the API returned,
 * and model calls per delivered image.
 */
import { parseArgs } from 'node:util';
import { join } from 'node:path';
import { startFakeGemini, type FakeGemini } from '../../test/support/fake-gemini-server.js';
import { ApiClient, followRun } from '../client/index.js';
import { printFigures } from './figures.js';
import { stopOnSignals, startStack, type Stack } from '../stack/index.js';
import { projectRoot } from '../lib/index.js';

const { values } = parseArgs({ options: { ceiling: { type: 'string', default: '120' }, count: { type: 'string', default: '150' } } });
const ceiling = Number(values.ceiling);
const count = Number(values.count);

let stack: Stack | undefined;
let fake: FakeGemini | undefined;
stopOnSignals(async () => {
  await stack?.stop();
  await fake?.close();
});
try {
  fake = await startFakeGemini({ requestsPerMinute: ceiling });
  stack = await startStack({
    provider: 'gemini',
    logDir: join(projectRoot, '.stack-logs', 'bench-gemini'),
    functionEnv: { GEMINI_API_KEY: fake.apiKey, GOOGLE_GEMINI_BASE_URL: fake.url, GEMINI_RATE_LIMIT_RPM: String(ceiling) },
    log: (line) => console.error(line),
  });
  const api = new ApiClient(stack.apiUrl, stack.instructorToken);
  const started = Date.now();
  const created = await api.createRun({ count, seed: 11 });
  const status = await followRun(api, created.runId, { pollMs: 500 });
  const wallMs = Date.now() - started;

  const accepted = fake.acceptedTimestamps().sort((a, b) => a - b);
  const steadyRpm = accepted.length > 1 ? ((accepted.length - 1) / ((accepted.at(-1)! - accepted[0]!) / 60_000)) : NaN;
  // The buckets start full, so the first seconds run above the ceiling; this excludes them.
  const afterBurst = accepted.filter((t) => t >= accepted[0]! + 10_000);
  const settledRpm = afterBurst.length > 1 ? ((afterBurst.length - 1) / ((afterBurst.at(-1)! - afterBurst[0]!) / 60_000)) : NaN;
  const totalCalls = fake.totalCalls();
  const rejected = totalCalls - accepted.length;
  const images = status.counts.assessed;
  const rows: Array<[string, string]> = [
    ['ceiling (GEMINI_RATE_LIMIT_RPM = API quota)', `${ceiling} requests/min`],
    ['images', `${images} assessed, ${status.counts.failed} failed of ${count}`],
    ['wall time', `${(wallMs / 1000).toFixed(1)} s`],
    ['achieved rate (first to last accepted call)', `${steadyRpm.toFixed(1)} requests/min = ${((steadyRpm / ceiling) * 100).toFixed(1)} % of the ceiling`],
    ['achieved rate after the first 10 s', `${settledRpm.toFixed(1)} requests/min = ${((settledRpm / ceiling) * 100).toFixed(1)} % of the ceiling`],
    ['429s returned by the API', `${rejected} of ${totalCalls} requests`],
    ['model calls per delivered image', `${(totalCalls / Math.max(1, images)).toFixed(3)} (successful calls per image: ${(accepted.length / Math.max(1, images)).toFixed(3)})`],
  ];
  const windows = new Map<number, number>();
  for (const t of accepted) windows.set(Math.floor((t - accepted[0]!) / 5000), (windows.get(Math.floor((t - accepted[0]!) / 5000)) ?? 0) + 1);
  rows.push(['accepted calls per 5 s window', [...windows.values()].join(' ') + ` (ceiling: ${(ceiling / 12).toFixed(0)} per window)`]);
  printFigures('bench:gemini', rows);
} catch (error) {
  console.error(`error: ${(error as Error).message}`);
  process.exitCode = 1;
} finally {
  await stack?.stop();
  await fake?.close();
}
