/**
 * `npm run bench:quality`: what the quality assessment costs next to a bare decode, in CPU time.
 *
 * For 1024×1024 embedded-renderer PNGs and for real photographs (test/fixtures/photos, scaled to
 * 1024×1024) as PNG and as JPEG, it prints CPU ms per image of (a) a bare `sharp(buf).raw().toBuffer()`
 * and of the assessment as each caller runs it: (b) the `assess` CLI (assessFiles: read, decode,
 * metrics, flags, run checks) and (c) assessImage's image work (decode, metrics with the preview's
 * pixels, flags, the JPEG preview), with the ratios b/a and c/a against the goal. Then where the
 * time goes, stage by stage; then the peak RSS of assessing one 4096×4096 PNG in a fresh process.
 * CPU time counts every thread of the process (libvips' too) and not other work on the machine.
 * libvips runs with one thread and no operation cache, so (a), (b) and (c) compare like for like.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { createEmbeddedProvider } from '../../functions/adapters/embedded/embedded-provider.js';
import { decodeImage } from '../../functions/adapters/image-decoder.js';
import { previewFromPixels } from '../../functions/adapters/thumbnail.js';
import { computeMetricsWithPreview } from '../../functions/core/quality/index.js';
import { planPrompts } from '../../functions/core/scenario/index.js';
import { DEFAULT_THRESHOLDS, imageIssues } from '../../functions/core/quality/index.js';
import { builtinScenarios } from '../../functions/scenarios/index.js';
import { cpuMs, median, stageFigures } from './quality-stages.js';
import { assessFiles } from '../commands/assess-files.js';
import { PHOTO_DIR, photoNames } from './photo-set.js';

const RENDERS = 16;
const ROUNDS = 9;
const TARGET_RATIO = 1.5;
const MEMORY_LIMIT_MIB = 512;
const LIBVIPS_THREADS = 1;

sharp.concurrency(LIBVIPS_THREADS);
sharp.cache(false);

const bareDecode = async (file: string): Promise<void> => {
  await sharp(await readFile(file)).raw().toBuffer();
};

/** assessImage's work on the pixels: one decode, one pass for the metrics and the preview’s pixels, the flags, the JPEG. */
const assessImageWork = async (file: string): Promise<void> => {
  const { metrics, previewPixels } = computeMetricsWithPreview(await decodeImage(await readFile(file)));
  imageIssues(metrics);
  await previewFromPixels(previewPixels);
};

/** The CLI as it runs: assessFiles over the files, one at a time here so rounds interleave with the bare decodes. */
const cliWork = async (file: string): Promise<void> => {
  await assessFiles([file], DEFAULT_THRESHOLDS, 1);
};

/**
 * Median over rounds of CPU ms per image, and of the per-round ratios. Each side is timed over a
 * block of every file, run after an untimed pass over the same files, so it pays its own steady
 * state: what a run of many images costs, as the CLI and the assessor see it. Within a round the
 * two blocks alternate which goes first. Timing each call on its own, with the two sides
 * interleaved file by file, moved CPU time from one side to the other: a render's bare decode
 * read 6.0–6.2 CPU-ms in most rounds and 11 in others, the assessment moving the other way, and
 * b/a came out near 2.6. Timed in blocks, or one call at a time with an idle 30 ms after each
 * to take in its tail, the two methods agree (b/a 1.56 and 1.54 on the renders).
 */
async function compare(files: string[], assess: (file: string) => Promise<void>): Promise<{ bare: number; full: number; ratio: number; spread: string }> {
  const perImage = async (work: (file: string) => Promise<void>): Promise<number> => {
    for (const file of files) await work(file);
    const started = cpuMs();
    for (const file of files) await work(file);
    return (cpuMs() - started) / files.length;
  };
  const rounds = { bare: [] as number[], full: [] as number[] };
  for (let round = 0; round < ROUNDS; round++) {
    if (round % 2 === 0) {
      rounds.bare.push(await perImage(bareDecode));
      rounds.full.push(await perImage(assess));
    } else {
      rounds.full.push(await perImage(assess));
      rounds.bare.push(await perImage(bareDecode));
    }
  }
  const ratios = rounds.full.map((full, i) => full / rounds.bare[i]!);
  return { bare: median(rounds.bare), full: median(rounds.full), ratio: median(ratios), spread: `${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}` };
}

async function renderedPngs(): Promise<Buffer[]> {
  const provider = createEmbeddedProvider();
  const prompts = planPrompts(builtinScenarios().get('default')!, { count: RENDERS, seed: 1 });
  return Promise.all(prompts.map(async (prompt) => (await provider.generate(prompt)).png));
}

/** The real photographs, scaled to 1024×1024, as PNG or JPEG. */
const photographs = (format: 'png' | 'jpeg'): Promise<Buffer[]> =>
  Promise.all(photoNames().map((name) => sharp(readFileSync(join(PHOTO_DIR, `${name}.jpg`))).resize(1024, 1024, { fit: 'fill' }).toFormat(format, { quality: 90 }).toBuffer()));

/** Child-process mode: assess one file as assessImage does and print its peak RSS in MiB as JSON. */
async function memoryProbe(file: string): Promise<void> {
  const before = process.memoryUsage().rss;
  const { metrics, previewPixels } = computeMetricsWithPreview(await decodeImage(readFileSync(file)));
  await previewFromPixels(previewPixels);
  const peak = process.resourceUsage().maxRSS * 1024; // maxRSS is in KiB
  process.stdout.write(JSON.stringify({ beforeMiB: before / 2 ** 20, peakMiB: peak / 2 ** 20, issues: imageIssues(metrics) }));
}

async function peakMemoryFor4096(dir: string): Promise<{ beforeMiB: number; peakMiB: number; fileMiB: number }> {
  const file = join(dir, 'large.png');
  const png = await sharp(readFileSync(join(PHOTO_DIR, 'coffee.jpg'))).resize(4096, 4096, { fit: 'fill' }).png({ compressionLevel: 1 }).toBuffer();
  writeFileSync(file, png);
  const child = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--memory-probe', file], { encoding: 'utf8' });
  if (child.status !== 0) throw new Error(`memory probe failed: ${child.stderr}`);
  return { ...(JSON.parse(child.stdout) as { beforeMiB: number; peakMiB: number }), fileMiB: png.length / 2 ** 20 };
}

const ms = (value: number) => `${value.toFixed(2)} CPU-ms`;
const verdict = (ratio: number) => (ratio <= TARGET_RATIO ? 'met' : 'NOT met');

async function main(dir: string): Promise<number> {
  console.log(`quality bench, ${new Date().toISOString()}; ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}; Node ${process.version}; libvips threads ${LIBVIPS_THREADS}, operation cache off`);
  const sets: Array<[string, Buffer[]]> = [
    [`${RENDERS} embedded-renderer PNGs (RGBA)`, await renderedPngs()],
    [`${photoNames().length} photographs as PNG`, await photographs('png')],
    [`${photoNames().length} photographs as JPEG`, await photographs('jpeg')],
  ];
  for (const [title, buffers] of sets) {
    const files = buffers.map((buffer, i) => {
      const file = join(dir, `${i}.${buffers[0]![0] === 0xff ? 'jpg' : 'png'}`);
      writeFileSync(file, buffer);
      return file;
    });
    const cli = await compare(files, cliWork);
    const handler = await compare(files, assessImageWork);
    console.log(`\n${title}, 1024×1024, CPU time per image (median of ${ROUNDS} rounds):`);
    console.log(`  (a) bare sharp decode to raw      ${ms(median([cli.bare, handler.bare]))}`);
    console.log(`  (b) npm run assess (assessFiles)  ${ms(cli.full)}   CPU-time ratio b/a ${cli.ratio.toFixed(2)} (goal ≤ ${TARGET_RATIO}: ${verdict(cli.ratio)}; rounds ${cli.spread})`);
    console.log(`  (c) assessImage, with preview     ${ms(handler.full)}   CPU-time ratio c/a ${handler.ratio.toFixed(2)} (goal ≤ ${TARGET_RATIO}: ${verdict(handler.ratio)}; rounds ${handler.spread})`);
    console.log('  stages, CPU-ms per image:');
    for (const [label, value] of await stageFigures(buffers, ROUNDS)) console.log(`    ${label.padEnd(58)} ${value.toFixed(2)}`);
  }
  const memory = await peakMemoryFor4096(dir);
  console.log(`\nOne 4096×4096 photograph as PNG (${memory.fileMiB.toFixed(1)} MiB file), assessed as assessImage does in a fresh process:`);
  console.log(`  RSS before ${memory.beforeMiB.toFixed(0)} MiB, peak ${memory.peakMiB.toFixed(0)} MiB  (limit ${MEMORY_LIMIT_MIB} MiB: ${memory.peakMiB < MEMORY_LIMIT_MIB ? 'met' : 'NOT met'})`);
  return 0;
}

if (process.argv[2] === '--memory-probe') await memoryProbe(process.argv[3] as string);
else {
  const dir = mkdtempSync(join(tmpdir(), 'bench-quality-'));
  try {
    process.exitCode = await main(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
