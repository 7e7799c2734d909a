/**
 * `npm run bench:guard`: the privacy guard's recall per transformation and false flags on the
 * measured set (scripts/bench/guard-set.ts: real photographs, their transformed copies, every
 * other photograph and look-alike halves), then what it costs in CPU: hashing a generated image,
 * computing a reference's signature (once per reference), one comparison, and what screening adds
 * to an assessment that already decoded the image.
 *
 * `--photographs DIR` measures it on another folder of photographs instead (a cohort's own
 * references, say), shrunk to at most 512 px as the committed ones were.
 *
 * CPU figures are process CPU time (libvips' threads included), the median over the set's
 * photographs of ROUNDS repetitions each, after a warm-up.
 */
import { availableParallelism, cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { decodeImage } from '../../functions/adapters/image-decoder.js';
import { imageHashOf, referenceSignatureOf } from '../../functions/adapters/reference-signature.js';
import type { RawImage } from '../../functions/core/quality/index.js';
import {
  compareWithReference,
  computeImageHash,
  computeReferenceSignature,
  HASH_BITS,
  NEAR_COPY_MAX_DISTANCE,
  screenImage,
  SIGNATURE_WINDOWS,
  storeReferenceSignature,
} from '../../functions/core/references/index.js';
import { printFigures } from './figures.js';
import { evaluateGuard } from './guard-evaluation.js';
import { BEYOND_SCOPE, loadPhotographFolder, loadPhotographs, TRANSFORMATIONS } from './guard-set.js';

const ROUNDS = 5;
const COMPARISONS = 20_000;

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

/** CPU milliseconds of one call of `work`, the median of ROUNDS after one warm-up call. */
async function cpuMs(work: () => unknown): Promise<number> {
  await work();
  const samples: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const start = process.cpuUsage();
    await work();
    const used = process.cpuUsage(start);
    samples.push((used.user + used.system) / 1000);
  }
  return median(samples);
}

async function decoded(bytes: Buffer): Promise<RawImage> {
  const { data, info } = await sharp(bytes).raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height, channels: info.channels };
}

const { values } = parseArgs({ options: { photographs: { type: 'string' } } });
const chosen = values.photographs === undefined ? loadPhotographs() : await loadPhotographFolder(values.photographs);
if (chosen.length < 2) throw new Error('the guard needs at least two photographs to measure false flags');
const evaluation = await evaluateGuard(chosen);
const rows: Array<[string, string]> = [];
const photographs = evaluation.photographs;

rows.push(['set', `${photographs.length} photographs (${values.photographs ?? 'test/fixtures/photographs'}) × ${TRANSFORMATIONS.length} transformations; near copy when ≤ ${NEAR_COPY_MAX_DISTANCE} of ${HASH_BITS} bits differ`]);
for (const { name } of TRANSFORMATIONS) {
  const cases = evaluation.copies.filter((copy) => copy.transformation === name);
  const caught = cases.filter((copy) => copy.verdict.nearCopy).length;
  const worst = Math.max(...cases.map((copy) => copy.verdict.distance));
  rows.push([`recall: ${name}`, `${caught}/${cases.length} (${((100 * caught) / cases.length).toFixed(0)} %), farthest ${worst} bits`]);
}
const allCaught = evaluation.copies.filter((copy) => copy.verdict.nearCopy).length;
rows.push(['recall: all', `${allCaught}/${evaluation.copies.length}, farthest copy ${Math.max(...evaluation.copies.map((copy) => copy.verdict.distance))} bits`]);

const groups: Array<[string, typeof evaluation.unrelated]> = [
  ['copies vs other photographs', evaluation.unrelated.filter((pair) => !pair.name.startsWith('look-alike'))],
  ['look-alike halves', evaluation.unrelated.filter((pair) => pair.name.startsWith('look-alike') && pair.name.includes('45 %'))],
  ['palette and horizon stand-ins', evaluation.unrelated.filter((pair) => pair.name.includes('stand-in'))],
];
for (const [label, pairs] of groups) {
  const flagged = pairs.filter((pair) => pair.verdict.nearCopy).length;
  const closest = [...pairs].sort((a, b) => a.verdict.distance - b.verdict.distance)[0];
  rows.push([`false flags: ${label}`, `${flagged}/${pairs.length}, closest ${closest?.verdict.distance} bits (${closest?.name})`]);
}

const references = await Promise.all(photographs.map(({ bytes }) => referenceSignatureOf(bytes)));
for (const transformation of BEYOND_SCOPE) {
  const verdicts = [];
  for (const [index, { bytes }] of photographs.entries()) verdicts.push(compareWithReference(await imageHashOf(await transformation.apply(bytes)), references[index]!));
  const caught = verdicts.filter((verdict) => verdict.nearCopy).length;
  rows.push([`beyond scope: ${transformation.name}`, `${caught}/${verdicts.length} caught, nearest ${Math.min(...verdicts.map((verdict) => verdict.distance))} bits`]);
}

const samples = { hash: [] as number[], hashCore: [] as number[], signature: [] as number[], signatureCore: [] as number[], hash1k: [] as number[], assessed: [] as number[] };
// Three references as an assessment reads them: stored signatures, loaded and compared on each image.
const storedReferences = new Map(references.slice(0, 3).map((signature, index) => [`ref-${index}`, storeReferenceSignature(signature)] as const));
for (const { bytes } of photographs) {
  const raw = await decoded(bytes);
  // A generated image as Gemini returns it at "1K": 1024 × 1024 PNG.
  const generated = await sharp(bytes).resize(1024, 1024, { fit: 'fill' }).png().toBuffer();
  samples.hash.push(await cpuMs(() => imageHashOf(bytes)));
  samples.hash1k.push(await cpuMs(() => imageHashOf(generated)));
  samples.hashCore.push(await cpuMs(() => computeImageHash(raw)));
  samples.signature.push(await cpuMs(() => referenceSignatureOf(bytes)));
  samples.signatureCore.push(await cpuMs(() => computeReferenceSignature(raw)));
  // What assessImage adds: the hash from the full-resolution pixels it already decoded for the metrics, then the screening.
  const assessorPixels = await decodeImage(generated);
  samples.assessed.push(await cpuMs(() => screenImage(computeImageHash(assessorPixels), [...storedReferences.keys()], storedReferences, '1')));
}
const ms = (values: number[]) => `${median(values).toFixed(1)} ms CPU`;
rows.push(
  ['CPU: image hash, ≤512 px JPEG bytes', `${ms(samples.hash)} (decode + hash)`],
  ['CPU: image hash, 1024 px PNG bytes', `${ms(samples.hash1k)} (decode + shrink + hash)`],
  ['CPU: image hash, core only', ms(samples.hashCore)],
  ['CPU: reference signature, JPEG bytes', `${ms(samples.signature)} (decode + ${SIGNATURE_WINDOWS.length / 2} windows, each also mirrored)`],
  ['CPU: reference signature, core only', ms(samples.signatureCore)],
  ['CPU: added to an assessment, 1024 px image, 3 references', `${ms(samples.assessed)} (hash of the assessor's own decoded pixels + 3 signatures loaded and compared; no second decode)`],
);

const [first, second] = photographs;
const image = await imageHashOf(first.bytes);
const reference = await referenceSignatureOf(second.bytes);
const start = process.cpuUsage();
for (let round = 0; round < COMPARISONS; round++) compareWithReference(image, reference);
const used = process.cpuUsage(start);
rows.push(['CPU: one comparison', `${((used.user + used.system) / COMPARISONS).toFixed(1)} µs (${SIGNATURE_WINDOWS.length} windows)`]);
rows.push(['stored signature', `${Buffer.byteLength(JSON.stringify(storeReferenceSignature(reference)))} bytes of JSON per reference`]);

printFigures(
  `bench:guard (load average ${loadavg()[0]?.toFixed(1)} on ${availableParallelism()} cores, ${cpus()[0]?.model ?? 'unknown CPU'}, libvips ${sharp.versions.vips})`,
  rows,
);
