/**
 * AssemblyScript: the per-pixel path of the metrics scan (metrics-scan.as.ts), for row segments
 * where nearly every pixel is a run of its own, as in photographs. There the run-length path
 * pays per pixel for run bookkeeping (run lengths in every sum, a branch per thumbnail cell)
 * that buys nothing; this path takes four pixels per SIMD step with no lengths at all, and
 * box-filters the thumbnails by adding each pixel to its column's sum with SIMD, the columns
 * being folded into cells once per thumbnail row. The statistics are the same integers the
 * run-length path takes, so the metrics do not depend on which path a segment went through.
 * The pixel hash is taken with the same steps as hashPixels, fused into the loop so that each
 * pixel is loaded once (calling hashPixels first measured 0.25 CPU-ms more per photograph).
 */

/** Spreads the bytes of four RGB pixels, or of four grey pixels, into `r | g << 8 | b << 16` words; −1 reads as 0. */
const TRIPLES = v128(0, 1, 2, -1, 3, 4, 5, -1, 6, 7, 8, -1, 9, 10, 11, -1);
const GREY_SPREAD = v128(0, 0, 0, -1, 1, 1, 1, -1, 2, 2, 2, -1, 3, 3, 3, -1);

/** Four pixels at `at` as `r | g << 8 | b << 16` words: layout 4 is RGBA or RGBX, 3 RGB, 1 grey. */
@inline export function pixelWords(at: usize, layout: i32): v128 {
  if (layout == 4) return v128.and(v128.load(at), i32x4.splat(0xffffff));
  if (layout == 3) return i8x16.swizzle(v128.load(at), TRIPLES);
  return i8x16.swizzle(v128.load32_zero(at), GREY_SPREAD);
}

@inline function bump(histogram: usize, index: i32): void {
  const at = histogram + (<usize>index << 2);
  store<i32>(at, load<i32>(at) + 1);
}

@inline function addColumns(columns: usize, values: v128): void {
  v128.store(columns, i32x4.add(v128.load(columns), values));
}

@inline function addF64(base: usize, index: i32, value: f64): void {
  const at = base + (<usize>index << 3);
  store<f64>(at, load<f64>(at) + value);
}

@inline function laneSum(lanes: v128): f64 {
  return <f64>(i32x4.extract_lane(lanes, 0) + i32x4.extract_lane(lanes, 1) + i32x4.extract_lane(lanes, 2) + i32x4.extract_lane(lanes, 3));
}

// Where the statistics go and how to read the pixels: set by configurePixels() from metrics-scan.as.ts's configure().
let lumaHistogramAt: usize, brightnessHistogramAt: usize, totalsAt: usize;
/** Per source column: luma sums, and red, green and blue sums when `colourColumns`, over the rows of the thumbnail row being gathered. */
let columnLumaAt: usize, columnRedAt: usize, columnGreenAt: usize, columnBlueAt: usize;
let colourColumns: bool, pixelLayout: i32, pixelStride: i32, neutralTolerance: i32, brightnessBinsPerLevel: f32, lastBrightnessBin: i32;

export function configurePixels(
  lumaHistogram: usize, brightnessHistogram: usize, totals: usize,
  columnLuma: usize, columnRed: usize, columnGreen: usize, columnBlue: usize,
  colour: bool, layout: i32, stride: i32, tolerance: i32, binsPerLevel: f32, lastBin: i32,
): void {
  lumaHistogramAt = lumaHistogram; brightnessHistogramAt = brightnessHistogram; totalsAt = totals;
  columnLumaAt = columnLuma; columnRedAt = columnRed; columnGreenAt = columnGreen; columnBlueAt = columnBlue;
  colourColumns = colour; pixelLayout = layout; pixelStride = stride; neutralTolerance = tolerance;
  brightnessBinsPerLevel = binsPerLevel; lastBrightnessBin = lastBin;
}

/**
 * Adds the `length` pixels at `row`, the first in column `x`, to every statistic, four at a
 * time, the pixel hash as hashPixels takes it (fused here, so each pixel is loaded once). The last group's missing pixels are read as black (word 0), which adds
 * nothing to any sum or column; they do land in bin 0 of both histograms, and are taken out after.
 * Per-lane int32 sums cannot overflow within a segment of 8192 pixels (2048 per lane; the largest
 * term, yb², is at most 510²).
 */
export function addPixels(row: usize, length: i32, x: i32, hashes: usize): void {
  const layout = pixelLayout, groupBytes = <usize>(pixelStride << 2);
  const lumaHistogram = lumaHistogramAt, brightnessHistogram = brightnessHistogramAt;
  const colour = colourColumns;
  const columnLuma = columnLumaAt, columnRed = columnRedAt, columnGreen = columnGreenAt, columnBlue = columnBlueAt;
  const channel = i32x4.splat(255);
  const tolerance = i32x4.splat(neutralTolerance);
  const binsPerLevel = f32x4.splat(brightnessBinsPerLevel);
  const lastBin = i32x4.splat(lastBrightnessBin);
  const lanes = v128(0, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0);
  const zero = i32x4.splat(0);
  let sum = zero, sumSq = zero, rg = zero, rg2 = zero, yb = zero, yb2 = zero, chroma = zero, coloured = zero;
  // The hash's chains, lanes 0–3 (`…Now`, this group's) and 4–7 (`…Next`), swapped every group.
  let firstNow = v128.load(hashes), firstNext = v128.load(hashes, 16);
  let secondNow = v128.load(hashes, 32), secondNext = v128.load(hashes, 48);
  let at = row;
  let column = <usize>x << 2;
  for (let j = 0; j < length; j += 4) {
    let words = pixelWords(at, layout);
    let first = firstStep(firstNow, words), second = secondStep(secondNow, words);
    if (length - j < 4) {
      const real = i32x4.lt_s(lanes, i32x4.splat(length - j));
      words = v128.and(words, real);
      first = v128.bitselect(first, firstNow, real);
      second = v128.bitselect(second, secondNow, real);
    }
    firstNow = firstNext;
    firstNext = first;
    secondNow = secondNext;
    secondNext = second;
    const r = v128.and(words, channel);
    const g = v128.and(i32x4.shr_u(words, 8), channel);
    const b = i32x4.shr_u(words, 16);
    const rr = i32x4.mul(r, r);
    const gg = i32x4.mul(g, g);
    const bb = i32x4.mul(b, b);
    const redGreen = i32x4.sub(r, g);
    const yellowBlue = i32x4.sub(i32x4.add(r, g), i32x4.shl(b, 1));
    const spread = i32x4.sub(i32x4.max_s(i32x4.max_s(r, g), b), i32x4.min_s(i32x4.min_s(r, g), b));
    sum = i32x4.add(sum, i32x4.add(i32x4.add(r, g), b));
    sumSq = i32x4.add(sumSq, i32x4.add(i32x4.add(rr, gg), bb));
    rg = i32x4.add(rg, redGreen);
    rg2 = i32x4.add(rg2, i32x4.mul(redGreen, redGreen));
    yb = i32x4.add(yb, yellowBlue);
    yb2 = i32x4.add(yb2, i32x4.mul(yellowBlue, yellowBlue));
    chroma = i32x4.add(chroma, spread);
    coloured = i32x4.sub(coloured, i32x4.gt_s(spread, tolerance)); // a true lane is −1
    const weighted = i32x4.add(i32x4.add(i32x4.mul(r, i32x4.splat(19595)), i32x4.mul(g, i32x4.splat(38470))), i32x4.mul(b, i32x4.splat(7471)));
    const luma = i32x4.shr_u(i32x4.add(weighted, i32x4.splat(32768)), 16);
    const perceived = f32x4.add(
      f32x4.add(f32x4.mul(f32x4.convert_i32x4_s(rr), f32x4.splat(0.241)), f32x4.mul(f32x4.convert_i32x4_s(gg), f32x4.splat(0.691))),
      f32x4.mul(f32x4.convert_i32x4_s(bb), f32x4.splat(0.068)),
    );
    const bin = i32x4.min_s(i32x4.trunc_sat_f32x4_s(f32x4.mul(f32x4.sqrt(perceived), binsPerLevel)), lastBin);
    addColumns(columnLuma + column, luma);
    if (colour) {
      addColumns(columnRed + column, r);
      addColumns(columnGreen + column, g);
      addColumns(columnBlue + column, b);
    }
    bump(lumaHistogram, i32x4.extract_lane(luma, 0));
    bump(lumaHistogram, i32x4.extract_lane(luma, 1));
    bump(lumaHistogram, i32x4.extract_lane(luma, 2));
    bump(lumaHistogram, i32x4.extract_lane(luma, 3));
    bump(brightnessHistogram, i32x4.extract_lane(bin, 0));
    bump(brightnessHistogram, i32x4.extract_lane(bin, 1));
    bump(brightnessHistogram, i32x4.extract_lane(bin, 2));
    bump(brightnessHistogram, i32x4.extract_lane(bin, 3));
    at += groupBytes;
    column += 16;
  }
  storeChains(hashes, length, firstNow, firstNext, secondNow, secondNext);
  const padding = (4 - (length & 3)) & 3;
  store<i32>(lumaHistogram, load<i32>(lumaHistogram) - padding);
  store<i32>(brightnessHistogram, load<i32>(brightnessHistogram) - padding);
  const totals = totalsAt;
  addF64(totals, 0, laneSum(sum));
  addF64(totals, 1, laneSum(sumSq));
  addF64(totals, 2, laneSum(rg));
  addF64(totals, 3, laneSum(rg2));
  addF64(totals, 4, laneSum(yb));
  addF64(totals, 5, laneSum(yb2));
  addF64(totals, 6, laneSum(chroma));
  addF64(totals, 7, laneSum(coloured));
}

/**
 * The pixel hash's step over the `length` pixels at `row`, the first in column `x` (a multiple
 * of eight): pixel words `r | g << 8 | b << 16` (alpha ignored, grey read as r = g = b), the
 * pixel in column k feeding lane k mod 8 of two MurmurHash3-style chains. It reads the pixels
 * themselves, never runs, so it is the same whichever path the statistics took. Eight lanes,
 * two vectors taking turns, keep each chain's multiply latency off the critical path. Layout 0
 * (grey + alpha, five channels) reads a pixel at a time through `green` and `blue`, the channel
 * offsets.
 */
export function hashPixels(row: usize, length: i32, hashes: usize, layout: i32, stride: i32, green: i32, blue: i32): void {
  const lanes = v128(0, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0);
  const groupBytes = <usize>(stride << 2);
  let firstNow = v128.load(hashes), firstNext = v128.load(hashes, 16);
  let secondNow = v128.load(hashes, 32), secondNext = v128.load(hashes, 48);
  let at = row;
  for (let j = 0; j < length; j += 4) {
    const words = layout != 0 ? pixelWords(at, layout) : scalarWords(at, stride, green, blue);
    let first = firstStep(firstNow, words), second = secondStep(secondNow, words);
    if (length - j < 4) {
      const real = i32x4.lt_s(lanes, i32x4.splat(length - j));
      first = v128.bitselect(first, firstNow, real);
      second = v128.bitselect(second, secondNow, real);
    }
    firstNow = firstNext;
    firstNext = first;
    secondNow = secondNext;
    secondNext = second;
    at += groupBytes;
  }
  storeChains(hashes, length, firstNow, firstNext, secondNow, secondNext);
}

@inline function firstStep(chain: v128, words: v128): v128 {
  const next = i32x4.mul(v128.xor(chain, words), i32x4.splat(0x85ebca6b));
  return v128.xor(next, i32x4.shr_u(next, 15));
}

@inline function secondStep(chain: v128, words: v128): v128 {
  const next = i32x4.mul(v128.xor(chain, words), i32x4.splat(0xc2b2ae35));
  return v128.xor(next, i32x4.shr_u(next, 13));
}

/** Stores the chains after `length` pixels: after an odd number of groups, `…Now` holds lanes 4–7. */
@inline function storeChains(hashes: usize, length: i32, firstNow: v128, firstNext: v128, secondNow: v128, secondNext: v128): void {
  const swapped = ((length + 3) >> 2) & 1;
  v128.store(hashes, swapped ? firstNext : firstNow);
  v128.store(hashes, swapped ? firstNow : firstNext, 16);
  v128.store(hashes, swapped ? secondNext : secondNow, 32);
  v128.store(hashes, swapped ? secondNow : secondNext, 48);
}

/** Four pixels of any layout as pixel words, one at a time (the caller masks those past the row). */
@inline function scalarWords(at: usize, stride: i32, green: i32, blue: i32): v128 {
  const step = <usize>stride;
  return i32x4.replace_lane(
    i32x4.replace_lane(i32x4.replace_lane(i32x4.splat(scalarWord(at, green, blue)), 1, scalarWord(at + step, green, blue)), 2, scalarWord(at + 2 * step, green, blue)),
    3, scalarWord(at + 3 * step, green, blue),
  );
}

@inline function scalarWord(at: usize, green: i32, blue: i32): i32 {
  return <i32>load<u8>(at) | (<i32>load<u8>(at + <usize>green) << 8) | (<i32>load<u8>(at + <usize>blue) << 16);
}

/**
 * Once every source row of a thumbnail row is in: adds each cell's column sums to its partial
 * sum (`perCell` f64s per cell, `offset` the slot this plane fills) and clears the columns.
 * Where every cell is four columns wide (a 1024-pixel side, the models' usual output), a cell
 * is one vector of columns: folding the luma and the preview's three planes a column at a time
 * had cost about 0.4 CPU-ms per 1024² photograph.
 */
export function foldColumns(columns: usize, cellStart: usize, cells: i32, partial: usize, perCell: i32, offset: i32): void {
  // cellStart[cells] is the source width, and cells start at ceil(cell · width / cells): a width of 4 · cells puts every cell at 4 · cell.
  if (load<i32>(cellStart + (<usize>cells << 2)) == cells << 2) {
    for (let cell = 0; cell < cells; cell++) {
      const at = columns + (<usize>cell << 4);
      addF64(partial, cell * perCell + offset, laneSum(v128.load(at)));
      v128.store(at, i32x4.splat(0));
    }
    return;
  }
  let column = 0;
  for (let cell = 0; cell < cells; cell++) {
    const end = load<i32>(cellStart + (<usize>(cell + 1) << 2));
    let total = 0;
    for (; column < end; column++) {
      const at = columns + (<usize>column << 2);
      total += load<i32>(at);
      store<i32>(at, 0);
    }
    addF64(partial, cell * perCell + offset, <f64>total);
  }
}
