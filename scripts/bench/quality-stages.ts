/**
 * Where the quality assessment's CPU time goes, stage by stage, for `npm run bench:quality`.
 * CPU time (user + system, every thread of the process, libvips' included) rather than wall
 * time, so other work on a busy machine does not count against a stage.
 */
import sharp from 'sharp';
import { decodeImage } from '../../functions/adapters/image-decoder.js';
import { judgeImageOf } from '../../functions/adapters/judge-image.js';
import { previewFromPixels } from '../../functions/adapters/thumbnail.js';
import { computeMetrics, computeMetricsWithPreview, type RawImage } from '../../functions/core/quality/index.js';
import { scanPixels } from '../../functions/core/quality/index.js';
import { edgeStatistics, flatFraction, perceptualHash } from '../../functions/core/quality/index.js';
import { PREVIEW_LONG_SIDE } from '../../functions/core/objects/index.js';

/** CPU milliseconds used so far by this process, all threads. */
export function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

export const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

/** CPU ms per call of `work` over every input, repeated `rounds` times after one warm-up pass; the median round. */
export async function cpuPerItem<T>(inputs: T[], rounds: number, work: (input: T) => unknown): Promise<number> {
  for (const input of inputs) await work(input);
  const perRound: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const started = cpuMs();
    for (const input of inputs) await work(input);
    perRound.push((cpuMs() - started) / inputs.length);
  }
  return median(perRound);
}

const colourChannels = (image: RawImage) => image.channels - (image.hasAlpha && image.channels > 1 ? 1 : 0);

/** What the gallery preview cost before it came out of the metrics pass: libvips resizing the full-resolution pixels. */
const libvipsPreview = (image: RawImage) =>
  sharp(image.data, { raw: { width: image.width, height: image.height, channels: image.channels as 1 | 2 | 3 | 4 } })
    .removeAlpha()
    .resize(PREVIEW_LONG_SIDE, PREVIEW_LONG_SIDE, { fit: 'inside', withoutEnlargement: true })
    .webp({ quality: 80, effort: 2 })
    .toBuffer();

/** One row per stage: its label and CPU ms per image. */
export async function stageFigures(files: Buffer[], rounds: number): Promise<Array<[string, number]>> {
  const images = await Promise.all(files.map((file) => decodeImage(file)));
  const thumbnails = images.map((image) => {
    const { thumbnail } = scanPixels(image, colourChannels(image));
    return { ...thumbnail, luma: Float64Array.from(thumbnail.luma) };
  });
  const previews = images.map((image) => computeMetricsWithPreview(image).previewPixels);
  const scratch = new Uint8Array(64 * 1024);
  const copyInChunks = ({ data }: RawImage) => {
    for (let at = 0; at < data.length; at += scratch.length) scratch.set(data.subarray(at, Math.min(data.length, at + scratch.length)));
  };
  const metrics = await cpuPerItem(images, rounds, computeMetrics);
  const withPreview = await cpuPerItem(images, rounds, computeMetricsWithPreview);
  return [
    ['bare sharp decode to raw (the reference)', await cpuPerItem(files, rounds, (file) => sharp(file).raw().toBuffer())],
    ['decode (decodeImage; colour conversion, if any, is libvips’)', await cpuPerItem(files, rounds, decodeImage)],
    ['  copy into the kernel’s memory', await cpuPerItem(images, rounds, copyInChunks)],
    ['  kernel scan (luma, brightness, histograms, pixel hash)', await cpuPerItem(images, rounds, (image) => scanPixels(image, colourChannels(image)))],
    ['  sharpness and flat fraction (thumbnail)', await cpuPerItem(thumbnails, rounds, (thumbnail) => [edgeStatistics(thumbnail), flatFraction(thumbnail)])],
    ['  pHash (thumbnail)', await cpuPerItem(thumbnails, rounds, perceptualHash)],
    ['computeMetrics (the rows above but decode)', metrics],
    ['preview downscale in the kernel (with − without)', withPreview - metrics],
    ['preview JPEG encode', await cpuPerItem(previews, rounds, previewFromPixels)],
    ['  before: libvips resize of the decoded pixels + WebP', await cpuPerItem(images, rounds, libvipsPreview)],
    ['judge copy: downscale + JPEG (judged runs only)', await cpuPerItem(images, rounds, judgeImageOf)],
  ];
}
