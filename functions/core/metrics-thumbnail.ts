/**
 * The small-image half of the metrics: a luma thumbnail box-filtered during the one
 * full-resolution pass, and the features read from it (sharpness, perceptual hash).
 */
export const THUMBNAIL_LONG_SIDE = 256;
const HASH_SIDE = 32;

export const hex32 = (value: number): string => (value >>> 0).toString(16).padStart(8, '0');

export interface Thumbnail {
  width: number;
  height: number;
  luma: Float64Array;
}

/** Which thumbnail cell each source column and row falls in; depends on the image size only. */
interface CellLayout {
  width: number;
  height: number;
  /** cellOf[x] for 0 ≤ x ≤ source width; cellOf[source width] is `width`, one past the last cell. */
  cellOf: Int32Array;
  /** First source column of each cell, then the source width, then a sentinel past it. */
  cellStart: Int32Array;
  /** 1 / (columns in each cell). */
  inverseCellWidth: Float64Array;
  rowOf: Int32Array;
  /** 1 / (source rows in each thumbnail row). */
  inverseCellHeight: Float64Array;
}

/**
 * Box-filter state for a luma thumbnail of at most THUMBNAIL_LONG_SIDE on the long side.
 * `sums` takes the luma of cells partly covered by a run; a run covering whole cells adds
 * its luma once to a difference array, `between`. `foldRow` integrates that and averages.
 */
export function thumbnailGrid(width: number, height: number) {
  const layout = cellLayout(width, height);
  return { ...layout, sums: new Float64Array(layout.width * layout.height), between: new Float64Array(layout.width + 1) };
}

export type ThumbnailGrid = ReturnType<typeof thumbnailGrid>;

let lastLayout: { key: string; layout: CellLayout } | undefined;

/** Memoised for the last size: the images of one run usually share it. */
function cellLayout(width: number, height: number): CellLayout {
  const key = `${width}x${height}`;
  if (lastLayout?.key !== key) lastLayout = { key, layout: computeLayout(width, height) };
  return lastLayout.layout;
}

function computeLayout(width: number, height: number): CellLayout {
  const scale = Math.min(1, THUMBNAIL_LONG_SIDE / Math.max(width, height));
  const thumbWidth = Math.max(1, Math.round(width * scale));
  const thumbHeight = Math.max(1, Math.round(height * scale));
  const cellStart = new Int32Array(thumbWidth + 2);
  cellStart.set(scaledIndices(thumbWidth + 1, width, thumbWidth, Math.ceil));
  cellStart[thumbWidth + 1] = width + 1;
  const rowOf = scaledIndices(height, thumbHeight, height, Math.floor);
  const rowsPerCell = new Float64Array(thumbHeight);
  for (const row of rowOf) rowsPerCell[row] += 1;
  return {
    width: thumbWidth,
    height: thumbHeight,
    cellOf: scaledIndices(width + 1, thumbWidth, width, Math.floor),
    cellStart,
    inverseCellWidth: Float64Array.from({ length: thumbWidth }, (_, cell) => 1 / (cellStart[cell + 1] - cellStart[cell])),
    rowOf,
    inverseCellHeight: rowsPerCell.map((rows) => 1 / rows),
  };
}

/** rounding(i · numerator / denominator) for each i below `length`: which cell a position is in, or where a cell starts. */
export function scaledIndices(length: number, numerator: number, denominator: number, rounding: (value: number) => number): Int32Array {
  const indices = new Int32Array(length);
  for (let i = 0; i < length; i++) indices[i] = rounding((i * numerator) / denominator);
  return indices;
}

/** Once every source row of thumbnail row `row` is in: adds the whole-cell luma and divides by the cell areas. */
export function foldRow({ width, sums, between, inverseCellWidth, inverseCellHeight }: ThumbnailGrid, row: number): void {
  const rowBase = row * width;
  const inverseHeight = inverseCellHeight[row];
  let running = 0;
  for (let cell = 0; cell < width; cell++) {
    running += between[cell];
    between[cell] = 0;
    sums[rowBase + cell] = (sums[rowBase + cell] * inverseCellWidth[cell] + running) * inverseHeight;
  }
  between[width] = 0;
}

/** The finished thumbnail: every row folded. */
export function thumbnailOf({ width, height, sums }: ThumbnailGrid): Thumbnail {
  return { width, height, luma: sums };
}

export function edgeStatistics({ width, height, luma }: Thumbnail): { laplacianVariance: number; sharpness: number } {
  if (width < 3 || height < 3) return { laplacianVariance: 0, sharpness: 0 };
  let sum = 0;
  let sumSq = 0;
  let gradientSq = 0;
  for (let y = 1; y < height - 1; y++) {
    for (let i = y * width + 1, end = i + width - 2; i < end; i++) {
      const left = luma[i - 1];
      const right = luma[i + 1];
      const up = luma[i - width];
      const down = luma[i + width];
      const laplacian = left + right + up + down - 4 * luma[i];
      sum += laplacian;
      sumSq += laplacian * laplacian;
      gradientSq += (right - left) * (right - left) + (down - up) * (down - up);
    }
  }
  const count = (width - 2) * (height - 2);
  const variance = Math.max(0, sumSq / count - (sum / count) ** 2);
  const meanGradientSq = gradientSq / (4 * count); // central differences span two pixels
  return { laplacianVariance: variance, sharpness: meanGradientSq > 1e-6 ? variance / meanGradientSq : 0 };
}

/** Unnormalised DCT-II basis for the 8 lowest frequencies of 32 samples: DCT_BASIS[u·32 + x]. */
export const DCT_BASIS = Float64Array.from({ length: 8 * HASH_SIDE }, (_, i) => Math.cos((Math.PI * (2 * (i % HASH_SIDE) + 1) * Math.floor(i / HASH_SIDE)) / (2 * HASH_SIDE)));

/**
 * Standard pHash: 32×32 luma, 2-D DCT, each of the top-left 8×8 coefficients against the
 * median of the 63 that are not DC. Coefficients within rounding noise of 0 count as 0, so a
 * flat image hashes the same on every platform.
 */
export function perceptualHash(thumbnail: Thumbnail): string {
  const pixels = resizeBox(thumbnail, HASH_SIDE, HASH_SIDE);
  const along = new Float64Array(8 * HASH_SIDE); // along[u·32 + y]: row y's DCT at horizontal frequency u
  for (let u = 0; u < 8; u++) {
    for (let y = 0; y < HASH_SIDE; y++) {
      let total = 0;
      for (let x = 0; x < HASH_SIDE; x++) total += pixels[y * HASH_SIDE + x] * DCT_BASIS[u * HASH_SIDE + x];
      along[u * HASH_SIDE + y] = total;
    }
  }
  const coefficients = Float64Array.from({ length: 64 }, (_, i) => {
    const [v, u] = [Math.floor(i / 8), i % 8];
    let total = 0;
    for (let y = 0; y < HASH_SIDE; y++) total += along[u * HASH_SIDE + y] * DCT_BASIS[v * HASH_SIDE + y];
    return Math.abs(total) < 1e-6 ? 0 : total;
  });
  const median = Array.from(coefficients.subarray(1)).sort((a, b) => a - b)[31];
  let [high, low] = [0, 0];
  for (let i = 0; i < 32; i++) {
    if (coefficients[i] > median) high |= 1 << (31 - i);
    if (coefficients[i + 32] > median) low |= 1 << (31 - i);
  }
  return hex32(high) + hex32(low);
}

/** Area-average resize by index ranges; every target pixel averages at least one source pixel. */
export function resizeBox({ width, height, luma }: Thumbnail, targetWidth: number, targetHeight: number): Float64Array {
  const out = new Float64Array(targetWidth * targetHeight);
  const xStart = scaledIndices(targetWidth + 1, width, targetWidth, Math.floor);
  const yStart = scaledIndices(targetHeight + 1, height, targetHeight, Math.floor);
  for (let ty = 0; ty < targetHeight; ty++) {
    const y0 = yStart[ty];
    const y1 = Math.max(y0 + 1, yStart[ty + 1]);
    for (let tx = 0; tx < targetWidth; tx++) {
      const x0 = xStart[tx];
      const x1 = Math.max(x0 + 1, xStart[tx + 1]);
      let total = 0;
      for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) total += luma[y * width + x];
      out[ty * targetWidth + tx] = total / ((y1 - y0) * (x1 - x0));
    }
  }
  return out;
}
