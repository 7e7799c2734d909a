/**
 * Area-averaged sampling of any rectangular window of an image into a small square grid of luma
 * values, through a summed-area table: each window costs one read per grid corner whatever the
 * image size, so a signature can look at many crops of one image after a single pass over it.
 */
import type { RawImage } from '../quality/index.js';

/** A window as fractions of the image's width and height, 0 ≤ left < right ≤ 1, 0 ≤ top < bottom ≤ 1. */
export interface Window {
  left: number;
  top: number;
  right: number;
  bottom: number;
}

export interface LumaTable {
  width: number;
  height: number;
  /** (width + 1) × (height + 1) running sums of luma; row 0 and column 0 are zero. */
  sums: Float64Array;
}

/**
 * The luma (Rec. 601 weights) of every pixel, accumulated into a summed-area table. Alpha is
 * ignored; a one- or two-band image is read as grey. Float64 because the sums of a large image
 * exceed what a Float32 holds exactly.
 */
export function lumaTable(image: RawImage): LumaTable {
  const { data, width, height, channels } = image;
  const colour = channels - (image.hasAlpha && channels > 1 ? 1 : 0);
  if (width <= 0 || height <= 0 || colour <= 0 || data.length < width * height * channels) throw new Error('image has no pixels');
  const stride = width + 1;
  const sums = new Float64Array(stride * (height + 1));
  for (let y = 0; y < height; y++) {
    let rowSum = 0;
    let offset = y * width * channels;
    const above = y * stride;
    const here = (y + 1) * stride;
    for (let x = 0; x < width; x++, offset += channels) {
      rowSum += colour >= 3 ? 0.299 * data[offset] + 0.587 * data[offset + 1] + 0.114 * data[offset + 2] : data[offset];
      sums[here + x + 1] = sums[above + x + 1] + rowSum;
    }
  }
  return { width, height, sums };
}

/**
 * The running sum at a fractional point: bilinear interpolation of the table is exact for an
 * image whose pixels are constant squares, so a window's edges need not fall on pixel borders.
 */
function sumAt({ width, height, sums }: LumaTable, x: number, y: number): number {
  const cx = Math.min(Math.max(x, 0), width);
  const cy = Math.min(Math.max(y, 0), height);
  const x0 = Math.min(Math.floor(cx), width - 1);
  const y0 = Math.min(Math.floor(cy), height - 1);
  const fx = cx - x0;
  const fy = cy - y0;
  const stride = width + 1;
  const a = sums[y0 * stride + x0];
  const b = sums[y0 * stride + x0 + 1];
  const c = sums[(y0 + 1) * stride + x0];
  const d = sums[(y0 + 1) * stride + x0 + 1];
  return a + (b - a) * fx + (c - a) * fy + (a - b - c + d) * fx * fy;
}

/** The window's mean luma on a size × size grid, row by row. */
export function sampleWindow(table: LumaTable, window: Window, size: number): Float64Array {
  const grid = new Float64Array(size * size);
  const xs = new Float64Array(size + 1);
  const ys = new Float64Array(size + 1);
  for (let i = 0; i <= size; i++) {
    xs[i] = (window.left + ((window.right - window.left) * i) / size) * table.width;
    ys[i] = (window.top + ((window.bottom - window.top) * i) / size) * table.height;
  }
  // The running sums along each grid line, read once and shared by the cells on either side.
  const corners = new Float64Array((size + 1) * (size + 1));
  for (let j = 0; j <= size; j++) for (let i = 0; i <= size; i++) corners[j * (size + 1) + i] = sumAt(table, xs[i], ys[j]);
  for (let j = 0; j < size; j++) {
    const cellHeight = ys[j + 1] - ys[j];
    for (let i = 0; i < size; i++) {
      const area = (xs[i + 1] - xs[i]) * cellHeight;
      const top = j * (size + 1) + i;
      const bottom = top + size + 1;
      const total = corners[bottom + 1] - corners[bottom] - corners[top + 1] + corners[top];
      grid[j * size + i] = area > 0 ? total / area : 0;
    }
  }
  return grid;
}
