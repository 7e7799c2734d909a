/**
 * The privacy guard's measured set, shared by its unit test and `npm run bench:guard`: the real
 * photographs in test/fixtures/photographs, the transformed copies the guard must catch (made
 * here with sharp, so the set is rebuilt from the photographs every time), and the unrelated
 * pairs it must not flag.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp, { type Sharp } from 'sharp';
import { projectRoot } from '../lib/tools.js';

export const PHOTOGRAPHS_DIR = join(projectRoot, 'test', 'fixtures', 'photographs');

export interface Photograph {
  name: string;
  bytes: Buffer;
}

export function loadPhotographs(): Photograph[] {
  return readdirSync(PHOTOGRAPHS_DIR)
    .filter((file) => file.endsWith('.jpg'))
    .sort()
    .map((file) => ({ name: file.replace(/\.jpg$/, ''), bytes: readFileSync(join(PHOTOGRAPHS_DIR, file)) }));
}

/**
 * Any folder of photographs (JPEG, PNG or WebP), shrunk as the committed ones were: at most 512 px
 * on the long side, JPEG quality 90. Lets `npm run bench:guard -- --photographs DIR` measure the
 * guard on a cohort's own references, which may not be committed.
 */
export async function loadPhotographFolder(dir: string): Promise<Photograph[]> {
  const files = readdirSync(dir).filter((file) => /\.(jpe?g|png|webp)$/i.test(file)).sort();
  const photographs: Photograph[] = [];
  for (const file of files) {
    const bytes = await sharp(join(dir, file)).rotate().resize({ width: 512, height: 512, fit: 'inside', withoutEnlargement: true }).jpeg({ quality: 90 }).toBuffer();
    photographs.push({ name: file.replace(/\.[^.]+$/, ''), bytes });
  }
  return photographs;
}

/** Crops a fraction of each side (left, top, right, bottom). */
async function crop(bytes: Buffer, [left, top, right, bottom]: [number, number, number, number]): Promise<Sharp> {
  const { width = 0, height = 0 } = await sharp(bytes).metadata();
  const x = Math.round(width * left);
  const y = Math.round(height * top);
  return sharp(bytes).extract({ left: x, top: y, width: Math.round(width * (1 - right)) - x, height: Math.round(height * (1 - bottom)) - y });
}

/** Lossless output for every step but the ones that test re-encoding, so each row tests one thing. */
const png = (image: Sharp) => image.png().toBuffer();

export interface Transformation {
  name: string;
  apply(bytes: Buffer): Promise<Buffer>;
}

/** What a generated image that copies a reference might have done to it: each must be caught. */
export const TRANSFORMATIONS: Transformation[] = [
  { name: 'exact copy', apply: async (bytes) => bytes },
  { name: 'resize to 50 %', apply: (bytes) => png(sharp(bytes).resize({ width: 256 })) },
  { name: 'resize to 200 %, 4:3 → stretched square', apply: (bytes) => png(sharp(bytes).resize(1024, 1024, { fit: 'fill' })) },
  { name: 'JPEG quality 70', apply: (bytes) => sharp(bytes).jpeg({ quality: 70 }).toBuffer() },
  { name: 'crop 10 % every side', apply: async (bytes) => png(await crop(bytes, [0.1, 0.1, 0.1, 0.1])) },
  { name: 'crop 10 % left and top only', apply: async (bytes) => png(await crop(bytes, [0.1, 0.1, 0, 0])) },
  { name: 'crop 3/10/7/5 % (left/top/right/bottom)', apply: async (bytes) => png(await crop(bytes, [0.03, 0.1, 0.07, 0.05])) },
  { name: 'horizontal mirror', apply: (bytes) => png(sharp(bytes).flop()) },
  { name: 'brightness +30 %', apply: (bytes) => png(sharp(bytes).modulate({ brightness: 1.3 })) },
  { name: 'brightness −30 %', apply: (bytes) => png(sharp(bytes).modulate({ brightness: 0.7 })) },
  { name: 'hue rotated 90°', apply: (bytes) => png(sharp(bytes).modulate({ hue: 90 })) },
  { name: 'saturation ×1.6', apply: (bytes) => png(sharp(bytes).modulate({ saturation: 1.6 })) },
  { name: 'warm colour cast (R ×1.2, B ×0.75)', apply: (bytes) => png(sharp(bytes).toColourspace('srgb').linear([1.2, 1, 0.75], [10, 0, -10])) },
  { name: 'contrast +40 %', apply: (bytes) => png(sharp(bytes).linear(1.4, -0.4 * 128)) },
  { name: 'greyscale', apply: (bytes) => png(sharp(bytes).greyscale()) },
  { name: 'Gaussian blur σ 3', apply: (bytes) => png(sharp(bytes).blur(3)) },
  {
    name: 'combined: crop 8/4/2/8 %, mirror, 75 %, brighter, JPEG 70',
    apply: async (bytes) => {
      const cropped = await (await crop(bytes, [0.08, 0.04, 0.02, 0.08])).png().toBuffer();
      return sharp(cropped).flop().resize({ width: 384 }).modulate({ brightness: 1.15, hue: 20 }).jpeg({ quality: 70 }).toBuffer();
    },
  },
];

/**
 * Copies the guard is not built to catch, measured by `npm run bench:guard` so the limits in
 * docs/references.md are figures rather than guesses; nothing asserts on them.
 */
export const BEYOND_SCOPE: Transformation[] = [
  { name: 'crop 15 % every side', apply: async (bytes) => png(await crop(bytes, [0.15, 0.15, 0.15, 0.15])) },
  { name: 'crop 25 % every side', apply: async (bytes) => png(await crop(bytes, [0.25, 0.25, 0.25, 0.25])) },
  { name: 'rotation 5°', apply: (bytes) => png(sharp(bytes).rotate(5)) },
  { name: 'vertical flip', apply: (bytes) => png(sharp(bytes).flip()) },
  {
    name: 'zoom out: 10 % grey border every side',
    apply: async (bytes) => {
      const { width = 0, height = 0 } = await sharp(bytes).metadata();
      const [x, y] = [Math.round(width * 0.1), Math.round(height * 0.1)];
      return png(sharp(bytes).extend({ left: x, right: x, top: y, bottom: y, background: '#808080' }));
    },
  },
];

export interface UnrelatedPair {
  name: string;
  image: Buffer;
  reference: Buffer;
}

/**
 * What an offline rendering guided by the photograph could share with it: its upper and lower
 * mean colours split at the same line, with seeded noise, and nothing else.
 */
async function paletteStandIn(bytes: Buffer): Promise<Buffer> {
  const { width = 0, height = 0 } = await sharp(bytes).metadata();
  const horizon = Math.round(height * 0.45);
  const meanColour = async (top: number, rows: number) => (await sharp(bytes).extract({ left: 0, top, width, height: rows }).stats()).channels.map((channel) => channel.mean);
  const [upper, lower] = [await meanColour(0, horizon), await meanColour(horizon, height - horizon)];
  let state = 7;
  const noise = () => (((state = (Math.imul(state, 1103515245) + 12345) | 0) >>> 8) / 16_777_216 - 0.5) * 30;
  const pixels = Buffer.alloc(width * height * 3);
  for (let i = 0; i < width * height; i++) {
    const colour = i < horizon * width ? upper : lower;
    for (let c = 0; c < 3; c++) pixels[i * 3 + c] = Math.max(0, Math.min(255, Math.round((colour[c] ?? colour[0]) + noise())));
  }
  return png(sharp(pixels, { raw: { width, height, channels: 3 } }).blur(1));
}

/**
 * Look-alikes, none of which shares any content with its reference: the left and the right 45 %
 * of one photograph, which share its light, texture and subject (the deep field's galaxies, a
 * wall's bricks, gravel) but not a single pixel; and a stand-in with only the photograph's palette
 * and horizon line. "Unrelated" here means sharing no content: an image showing no part of the
 * reference is not a copy of it, however alike the two look.
 */
export async function lookAlikePairs(photographs: Photograph[]): Promise<UnrelatedPair[]> {
  const pairs: UnrelatedPair[] = [];
  for (const { name, bytes } of photographs) {
    const left = await png(await crop(bytes, [0, 0, 0.55, 0]));
    const right = await png(await crop(bytes, [0.55, 0, 0, 0]));
    pairs.push({ name: `${name}: left 45 % vs right 45 %`, image: left, reference: right });
    pairs.push({ name: `${name}: right 45 % vs left 45 %`, image: right, reference: left });
    pairs.push({ name: `${name}: palette and horizon stand-in vs the photograph`, image: await paletteStandIn(bytes), reference: bytes });
  }
  return pairs;
}
