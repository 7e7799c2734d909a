/**
 * `npm run bench:quality`: what the quality assessment costs next to a bare decode.
 *
 * Measures, after a warm-up, ms per image for (a) `sharp(buf).raw().toBuffer()` and (b) the
 * full assessment (decodeImage + computeMetrics + imageIssues) on 1024×1024 embedded-renderer
 * PNGs, then on photo-like PNGs and JPEGs, where no two neighbouring pixels are alike, as in
 * Gemini's photographic output; then the peak RSS of assessing one 4096×4096
 * PNG, in a fresh child process so nothing else in this run inflates the high-water mark.
 * libvips runs with one thread and no operation cache, so (a) and (b) compare like for like.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { createEmbeddedProvider } from '../../functions/adapters/embedded/embedded-provider.js';
import { decodeImage } from '../../functions/adapters/image-decoder.js';
import { previewFromPixels } from '../../functions/adapters/thumbnail.js';
import { planPrompts } from '../../functions/core/scenario/index.js';
import { computeMetrics } from '../../functions/core/quality/index.js';
import { imageIssues } from '../../functions/core/quality/index.js';
import { builtinScenarios } from '../../functions/scenarios/index.js';

const IMAGES = 40;
const ROUNDS = 25;
const TARGET_RATIO = 1.5;
const MEMORY_LIMIT_MIB = 512;
const LIBVIPS_THREADS = 1;

sharp.concurrency(LIBVIPS_THREADS);
sharp.cache(false);

const bareDecode = async (png: Buffer): Promise<void> => {
  await sharp(png).raw().toBuffer();
};

const fullAssessment = async (png: Buffer): Promise<void> => {
  imageIssues(computeMetrics(await decodeImage(png)));
};

/** What the assessor does: the assessment plus the gallery's preview, resized from the same decoded pixels. */
const assessmentWithPreview = async (png: Buffer): Promise<void> => {
  const image = await decodeImage(png);
  imageIssues(computeMetrics(image));
  await previewFromPixels(image);
};

/**
 * Median over rounds of the mean ms per image. Within a round each image is decoded bare and
 * assessed back to back, in alternating order, so drift, cache state and garbage collection
 * left by one side fall on both alike.
 */
async function compare(images: Buffer[], assess = fullAssessment): Promise<{ bare: number; full: number; ratios: number[] }> {
  for (const png of images) await Promise.all([bareDecode(png), assess(png)]);
  const rounds = { bare: [] as number[], full: [] as number[] };
  for (let round = 0; round < ROUNDS; round++) {
    let [bare, full] = [0, 0];
    for (const [index, png] of images.entries()) {
      const order = index % 2 === 0 ? [bareDecode, assess] : [assess, bareDecode];
      for (const run of order) {
        const started = performance.now();
        await run(png);
        const elapsed = performance.now() - started;
        if (run === bareDecode) bare += elapsed;
        else full += elapsed;
      }
    }
    rounds.bare.push(bare / images.length);
    rounds.full.push(full / images.length);
  }
  return { bare: median(rounds.bare), full: median(rounds.full), ratios: rounds.full.map((full, i) => full / rounds.bare[i]!) };
}

async function renderedPngs(): Promise<Buffer[]> {
  const provider = createEmbeddedProvider();
  const prompts = planPrompts(builtinScenarios().get('default')!, { count: IMAGES, seed: 1 });
  return Promise.all(prompts.map(async (prompt) => (await provider.generate(prompt)).png));
}

/** Smooth colour fields plus sensor-like noise: almost no two neighbouring pixels are equal, as in a photograph. */
function photoLikePixels(width: number, height: number, seed: number): Buffer {
  const pixels = Buffer.alloc(width * height * 3);
  let state = seed;
  for (let y = 0, i = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < 3; c++, i++) {
        state = (Math.imul(state, 1103515245) + 12345) | 0;
        const field = 128 + 60 * Math.sin((x * (c + 1)) / 97 + seed) * Math.cos((y * (3 - c)) / 131);
        pixels[i] = Math.max(0, Math.min(255, Math.round(field + ((state >>> 24) % 17) - 8)));
      }
    }
  }
  return pixels;
}

async function photoLikeImages(count: number, format: 'png' | 'jpeg'): Promise<Buffer[]> {
  return Promise.all(
    Array.from({ length: count }, (_, i) => {
      const image = sharp(photoLikePixels(1024, 1024, i + 1), { raw: { width: 1024, height: 1024, channels: 3 } });
      return (format === 'png' ? image.png() : image.jpeg({ quality: 85 })).toBuffer();
    }),
  );
}

/** Child-process mode: assess one file and print its peak RSS in MiB as JSON. */
async function memoryProbe(file: string): Promise<void> {
  sharp.concurrency(LIBVIPS_THREADS);
  sharp.cache(false);
  const before = process.memoryUsage().rss;
  const issues = imageIssues(computeMetrics(await decodeImage(readFileSync(file))));
  const peak = process.resourceUsage().maxRSS * 1024; // maxRSS is in KiB
  process.stdout.write(JSON.stringify({ beforeMiB: before / 2 ** 20, peakMiB: peak / 2 ** 20, issues }));
}

async function peakMemoryFor4096(): Promise<{ beforeMiB: number; peakMiB: number; fileMiB: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-quality-'));
  try {
    const file = join(dir, 'large.png');
    const png = await sharp(photoLikePixels(4096, 4096, 7), { raw: { width: 4096, height: 4096, channels: 3 } }).png({ compressionLevel: 1 }).toBuffer();
    writeFileSync(file, png);
    const child = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--memory-probe', file], { encoding: 'utf8' });
    if (child.status !== 0) throw new Error(`memory probe failed: ${child.stderr}`);
    return { ...(JSON.parse(child.stdout) as { beforeMiB: number; peakMiB: number }), fileMiB: png.length / 2 ** 20 };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const ms = (value: number) => `${value.toFixed(2)} ms`;
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
const spread = (values: number[]) => `${Math.min(...values).toFixed(2)}–${Math.max(...values).toFixed(2)}`;

async function main(): Promise<number> {
  console.log(`libvips threads: ${LIBVIPS_THREADS} (sharp.concurrency), operation cache off; Node ${process.version}`);
  const pngs = await renderedPngs();
  const rendered = await compare(pngs);
  const withPreview = await compare(pngs, assessmentWithPreview);
  const ratio = median(rendered.ratios);
  console.log(`\n${IMAGES} embedded-renderer PNGs, 1024×1024 (median of ${ROUNDS} rounds):`);
  console.log(`  (a) bare sharp decode to raw         ${ms(rendered.bare)} / image`);
  console.log(`  (b) decode + metrics + issue flags   ${ms(rendered.full)} / image`);
  console.log(`  ratio b/a                            ${ratio.toFixed(2)}  (goal ≤ ${TARGET_RATIO}: ${ratio <= TARGET_RATIO ? 'met' : 'NOT met'}; rounds ${spread(rendered.ratios)})`);
  console.log(`  (c) b + the gallery's WebP preview   ${ms(withPreview.full)} / image, ratio c/a ${median(withPreview.ratios).toFixed(2)} (the preview is resized from b's pixels: no second decode)`);
  console.log(`\nPhoto-like images, 1024×1024: almost every pixel is a run of its own, the worst case for the metrics pass:`);
  for (const format of ['png', 'jpeg'] as const) {
    const photos = await compare(await photoLikeImages(10, format));
    console.log(`  10 ${format.toUpperCase().padEnd(4)} (a) ${ms(photos.bare)}   (b) ${ms(photos.full)}   ratio ${median(photos.ratios).toFixed(2)}`);
  }
  const memory = await peakMemoryFor4096();
  const peakOk = memory.peakMiB < MEMORY_LIMIT_MIB;
  console.log(`\nOne 4096×4096 photo-like PNG (${memory.fileMiB.toFixed(1)} MiB file), assessed in a fresh process:`);
  console.log(`  RSS before ${memory.beforeMiB.toFixed(0)} MiB, peak ${memory.peakMiB.toFixed(0)} MiB  (limit ${MEMORY_LIMIT_MIB} MiB: ${peakOk ? 'met' : 'NOT met'})`);
  return 0;
}

if (process.argv[2] === '--memory-probe') await memoryProbe(process.argv[3] as string);
else process.exitCode = await main();
