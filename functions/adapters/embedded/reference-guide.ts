import sharp from 'sharp';
import type { ReferenceImage } from '../../core/objects/index.js';
import type { Rgb } from './scene-parts.js';

/**
 * What the offline renderer honestly takes from reference photographs: where the horizon line
 * lies and the dominant colour above and below it. Nothing else of a reference (no shape, no
 * person, no text) reaches the scene, so a guided image cannot copy one.
 */
export interface SceneGuide {
  /** Mean colour above the horizon, averaged over the references. */
  sky: Rgb;
  /** Mean colour below it. */
  ground: Rgb;
  /** The horizon as a fraction of the height, from the top. */
  horizon: number;
}

/** Rows of the downscaled reference: enough to place a horizon, cheap to scan. */
const ROWS = 32;
/** A horizon is looked for in the middle band only, where a scene's composition puts it. */
const FIRST_ROW = 6;
const LAST_ROW = 26;

/** The guide of a set of references; null without any. Deterministic: the same bytes give the same guide. */
export async function guideFrom(references: readonly ReferenceImage[]): Promise<SceneGuide | null> {
  if (references.length === 0) return null;
  const guides = await Promise.all(references.map((reference) => guideOfOne(reference.bytes)));
  const mean = (pick: (guide: SceneGuide) => Rgb): Rgb => [0, 1, 2].map((channel) => guides.reduce((sum, guide) => sum + (pick(guide)[channel] ?? 0), 0) / guides.length) as unknown as Rgb;
  return { sky: mean((guide) => guide.sky), ground: mean((guide) => guide.ground), horizon: guides.reduce((sum, guide) => sum + guide.horizon, 0) / guides.length };
}

/** Row means of a 32×32 thumbnail; the horizon is the split whose two sides differ most in colour. */
async function guideOfOne(bytes: Buffer): Promise<SceneGuide> {
  const { data } = await sharp(bytes).removeAlpha().toColourspace('srgb').resize(ROWS, ROWS, { fit: 'fill' }).raw().toBuffer({ resolveWithObject: true });
  const rows: Rgb[] = [];
  for (let y = 0; y < ROWS; y++) {
    const sum = [0, 0, 0];
    for (let x = 0; x < ROWS; x++) for (let c = 0; c < 3; c++) sum[c] = (sum[c] ?? 0) + (data[(y * ROWS + x) * 3 + c] ?? 0);
    rows.push(sum.map((value) => value / ROWS) as unknown as Rgb);
  }
  const meanOf = (part: Rgb[]): Rgb => [0, 1, 2].map((c) => part.reduce((sum, row) => sum + (row[c] ?? 0), 0) / part.length) as unknown as Rgb;
  let best = { row: ROWS / 2, difference: -1 };
  for (let row = FIRST_ROW; row <= LAST_ROW; row++) {
    const [above, below] = [meanOf(rows.slice(0, row)), meanOf(rows.slice(row))];
    const difference = Math.hypot(above[0] - below[0], above[1] - below[1], above[2] - below[2]);
    if (difference > best.difference) best = { row, difference };
  }
  return { sky: meanOf(rows.slice(0, best.row)), ground: meanOf(rows.slice(best.row)), horizon: best.row / ROWS };
}
