/**
 * Real photographs for judging the quality flags: scikit-image's bundled samples
 * (test/fixtures/photos, written by python/quality_photos.py), and versions made from them here
 * with sharp: Gaussian blur at several radii, haze and fog laid over the clean photograph, and a
 * crop that is mostly smooth sky.
 * The blurred ones should be `blurry`; the sharp, hazy and foggy ones should carry no flag
 * except `grayscale` on the grey samples.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import sharp, { type Region } from 'sharp';
import { projectRoot } from '../lib/tools.js';

export const PHOTO_DIR = join(projectRoot, 'test', 'fixtures', 'photos');

/** Blur radii as the Gaussian σ in pixels of a 512-pixel long side, scaled to each photograph's size. */
export const BLUR_SIGMAS = [1, 2, 4, 8] as const;
/** From this σ (in 512-pixel terms) on, a photograph is strongly blurred: it must be flagged `blurry`. */
export const STRONG_BLUR_SIGMA = 4;

/**
 * Atmospheric scattering, I = J·t + A·(1 − t): the scene J seen through a medium of transmission t
 * towards a bright airlight A. Uniform t keeps every edge, only fainter, as a real haze does for a
 * scene at one depth.
 */
export const SOFT_MEDIA = [
  { name: 'haze', transmission: 0.5, airlight: 200 },
  { name: 'fog', transmission: 0.3, airlight: 215 },
  { name: 'dense fog', transmission: 0.2, airlight: 225 },
] as const;

/** Crops that are mostly smooth sky, with a little subject in them: a clean photograph that is largely flat. */
const SKY_CROPS: Record<string, Region> = { rocket: { left: 0, top: 0, width: 640, height: 256 } };

export type PhotoKind = 'sharp' | 'blurred' | 'soft';

export interface PhotoVariant {
  /** e.g. "coffee", "coffee blur σ4", "coffee fog". */
  label: string;
  photo: string;
  kind: PhotoKind;
  /** The blur σ in 512-pixel terms, for blurred variants. */
  sigma?: number;
  /** Whether the photograph itself is grey, so `grayscale` is right for it. */
  grey: boolean;
  /** Encoded as PNG, so no compression softens or sharpens the variant. */
  png: Buffer;
}

export function photoNames(): string[] {
  return readdirSync(PHOTO_DIR)
    .filter((file) => file.endsWith('.jpg'))
    .map((file) => basename(file, '.jpg'))
    .sort();
}

/** Every photograph, sharp, blurred at each radius, and (colour ones only) under haze and fog. */
export async function photoVariants(): Promise<PhotoVariant[]> {
  const variants: PhotoVariant[] = [];
  for (const photo of photoNames()) {
    const source = readFileSync(join(PHOTO_DIR, `${photo}.jpg`));
    const { width = 0, height = 0, channels = 3 } = await sharp(source).metadata();
    const grey = channels < 3;
    const base = { photo, grey };
    variants.push({ ...base, label: photo, kind: 'sharp', png: await sharp(source).png().toBuffer() });
    for (const sigma of BLUR_SIGMAS) {
      const scaled = (sigma * Math.max(width, height)) / 512;
      variants.push({ ...base, label: `${photo} blur σ${sigma}`, kind: 'blurred', sigma, png: await sharp(source).blur(scaled).png().toBuffer() });
    }
    const sky = SKY_CROPS[photo];
    if (sky) variants.push({ ...base, label: `${photo} sky`, kind: 'soft', png: await sharp(source).extract(sky).png().toBuffer() });
    if (grey) continue;
    for (const medium of SOFT_MEDIA) {
      const png = await sharp(source)
        .linear(medium.transmission, medium.airlight * (1 - medium.transmission))
        .png()
        .toBuffer();
      variants.push({ ...base, label: `${photo} ${medium.name}`, kind: 'soft', png });
    }
  }
  return variants;
}
