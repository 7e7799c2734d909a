/**
 * AssemblyScript, not TypeScript: the one full-resolution pass of the metrics, compiled to
 * WebAssembly by `npm run build:kernel` into metrics-scan.wasm.ts. metrics-scan.ts copies rows
 * of pixels into this module's memory and reads the results from it.
 *
 * The pixel hash reads every pixel of a row segment (hashPixels). A segment with long runs of
 * identical pixels is also run-length encoded (metrics-runs.as.ts) and every other statistic is
 * taken once per run: the moments, luma and perceived brightness four runs at a time, the
 * histograms and the box-filtered luma thumbnail one run at a time. A segment of mostly single
 * pixels (a photograph's) takes the per-pixel path instead (addPixels), the hash included.
 * On request it box-filters a colour thumbnail alongside: the gallery's preview, which would
 * otherwise cost libvips a second full-resolution pass.
 */

import { encodeSegment, mostlySingleRuns } from './metrics-runs.as';
import { addPixels, configurePixels, foldColumns, hashPixels } from './metrics-pixels.as';

/** Rows are encoded in segments this long, so per-segment int32 sums cannot overflow (the largest term, yb², gives 510² · 8192 < 2³¹). */
const SEGMENT: i32 = 8192;

// Where metrics-scan.ts put each array, and the image layout: set by configure() before a scan.
let lumaHistogramAt: usize, brightnessHistogramAt: usize, totalsAt: usize, hashesAt: usize;
let cellOfAt: usize, cellStartAt: usize, rowOfAt: usize, inverseCellWidthAt: usize, inverseCellHeightAt: usize;
let partialAt: usize, betweenAt: usize, lumaAt: usize, runsAt: usize, runLumaAt: usize, runBrightnessAt: usize;
/** The colour thumbnail's per-cell sums and difference array (three f64 per cell) and its RGB bytes; used when `colourThumbnail`. */
let colourPartialAt: usize, colourBetweenAt: usize, colourAt: usize;
let colourThumbnail: bool;
let imageWidth: i32, imageHeight: i32, thumbnailWidth: i32, stride: i32, green: i32, blue: i32, neutralTolerance: i32;
let lastBrightnessBin: i32, brightnessBinsPerLevel: f32;
/** How encodeSegment finds run ends, and whether addPixels can read the pixels: 4 for RGB(A or X) words, 3 for RGB triples, 1 for grey bytes, 0 for anything else. */
let simdLayout: i32;
/** Per-column sums of the per-pixel path (metrics-pixels.as.ts), and whether the thumbnail row being gathered has any. */
let columnLumaAt: usize, columnRedAt: usize, columnGreenAt: usize, columnBlueAt: usize;
let columnsInUse: bool;

export function configure(
  lumaHistogram: usize, brightnessHistogram: usize, totals: usize, hashes: usize,
  cellOf: usize, cellStart: usize, rowOf: usize, inverseCellWidth: usize, inverseCellHeight: usize,
  partial: usize, between: usize, luma: usize, runs: usize, runLuma: usize, runBrightness: usize,
  colourPartial: usize, colourBetween: usize, colour: usize,
  columnLuma: usize, columnRed: usize, columnGreen: usize, columnBlue: usize,
  width: i32, height: i32, thumbWidth: i32, pixelStride: i32, greenOffset: i32, blueOffset: i32, tolerance: i32,
  brightnessBins: i32, binsPerLevel: f32, withColour: i32,
): void {
  colourPartialAt = colourPartial; colourBetweenAt = colourBetween; colourAt = colour; colourThumbnail = withColour != 0;
  lumaHistogramAt = lumaHistogram; brightnessHistogramAt = brightnessHistogram;
  totalsAt = totals; hashesAt = hashes; cellOfAt = cellOf; cellStartAt = cellStart; rowOfAt = rowOf;
  inverseCellWidthAt = inverseCellWidth; inverseCellHeightAt = inverseCellHeight;
  partialAt = partial; betweenAt = between; lumaAt = luma; runsAt = runs; runLumaAt = runLuma; runBrightnessAt = runBrightness;
  imageWidth = width; imageHeight = height; thumbnailWidth = thumbWidth; stride = pixelStride; green = greenOffset; blue = blueOffset;
  neutralTolerance = tolerance;
  lastBrightnessBin = brightnessBins - 1;
  brightnessBinsPerLevel = binsPerLevel;
  simdLayout = blue == 2 && (stride == 3 || stride == 4) ? stride : stride == 1 ? 1 : 0;
  columnLumaAt = columnLuma; columnRedAt = columnRed; columnGreenAt = columnGreen; columnBlueAt = columnBlue;
  columnsInUse = false;
  configurePixels(lumaHistogram, brightnessHistogram, totals, columnLuma, columnRed, columnGreen, columnBlue, colourThumbnail, simdLayout, stride, tolerance, binsPerLevel, lastBrightnessBin);
}

/** The segment length, so the caller can size the runs array. */
export function segmentLength(): i32 {
  return SEGMENT;
}

/**
 * Adds rows [firstRow, firstRow + rows), whose pixels start at `pixels`, to the statistics; folds
 * each finished thumbnail row. A segment whose pixels mostly differ from their neighbours (a
 * photograph's) takes the per-pixel path, where run-length encoding would cost more than it
 * saves. Both paths give the same statistics, so the choice, made from a sample, only moves time.
 */
export function scanRows(pixels: usize, firstRow: i32, rows: i32): void {
  const rowBytes = <usize>(imageWidth * stride);
  for (let y = firstRow; y < firstRow + rows; y++) {
    const row = pixels + <usize>(y - firstRow) * rowBytes;
    for (let x = 0; x < imageWidth; x += SEGMENT) {
      const length = min(SEGMENT, imageWidth - x);
      const segment = row + <usize>(x * stride);
      if (simdLayout != 0 && mostlySingleRuns(segment, length, simdLayout)) {
        addPixels(segment, length, x, hashesAt);
        columnsInUse = true;
      } else {
        hashPixels(segment, length, hashesAt, simdLayout, stride, green, blue);
        addRuns(encodeSegment(segment, length, runsAt, simdLayout, stride, green, blue), x);
      }
    }
    const thumbnailRow = i32At(rowOfAt, y);
    if (y == imageHeight - 1 || i32At(rowOfAt, y + 1) != thumbnailRow) foldRow(thumbnailRow);
  }
}

@inline function i32At(base: usize, index: i32): i32 {
  return load<i32>(base + (<usize>index << 2));
}

@inline function f64At(base: usize, index: i32): f64 {
  return load<f64>(base + (<usize>index << 3));
}

@inline function addF64(base: usize, index: i32, value: f64): void {
  const at = base + (<usize>index << 3);
  store<f64>(at, load<f64>(at) + value);
}

/**
 * Adds one segment's runs, the first starting at column `x`, to every statistic. Each group of
 * four runs takes two steps:
 * - with SIMD, four runs at once: sums of the colour moments (Hasler–Süsstrunk's rg and twice
 *   its yb), chroma and coloured pixels; each run's BT.601 luma (as PIL's convert('L') in
 *   CleanVision) and perceived-brightness bin, floor(sqrt(.241R² + .691G² + .068B²) · bins / 255)
 *   in single precision;
 * - one run at a time: the luma and brightness histograms, and the thumbnail row being gathered.
 *   Runs inside one thumbnail cell add up in a register; a run leaving it writes the cell once,
 *   and a run covering whole cells adds its luma once to the difference array `between`.
 * The second step runs one group behind the first, so the vector and scalar work overlap and
 * the luma and bins it reads were stored a group earlier. The zero-length runs that pad the
 * last group change nothing.
 */
function addRuns(count: i32, x: i32): void {
  const runs = runsAt, runLuma = runLumaAt, runBrightness = runBrightnessAt;
  const lumaHistogram = lumaHistogramAt, brightnessHistogram = brightnessHistogramAt;
  const cellOf = cellOfAt, cellStart = cellStartAt, partial = partialAt, between = betweenAt;
  const channel = i32x4.splat(255);
  const tolerance = i32x4.splat(neutralTolerance);
  const binsPerLevel = f32x4.splat(brightnessBinsPerLevel);
  const lastBin = i32x4.splat(lastBrightnessBin);
  const zero = i32x4.splat(0);
  let sum = zero, sumSq = zero, rg = zero, rg2 = zero, yb = zero, yb2 = zero, chroma = zero, coloured = zero;
  let cell = i32At(cellOf, x);
  let cellEnd = i32At(cellStart, cell + 1);
  let pending = 0;
  const colour = colourThumbnail;
  let pendingRed = 0, pendingGreen = 0, pendingBlue = 0;
  for (let j = 0; j < count + 4; j += 4) {
    if (j < count) {
      const run = v128.load(runs + (<usize>j << 2));
      const n = i32x4.shr_u(run, 24);
      const r = v128.and(run, channel);
      const g = v128.and(i32x4.shr_u(run, 8), channel);
      const b = v128.and(i32x4.shr_u(run, 16), channel);
      const rr = i32x4.mul(r, r);
      const gg = i32x4.mul(g, g);
      const bb = i32x4.mul(b, b);
      const redGreen = i32x4.sub(r, g);
      const yellowBlue = i32x4.sub(i32x4.add(r, g), i32x4.shl(b, 1));
      const spread = i32x4.sub(i32x4.max_s(i32x4.max_s(r, g), b), i32x4.min_s(i32x4.min_s(r, g), b));
      sum = i32x4.add(sum, i32x4.mul(n, i32x4.add(i32x4.add(r, g), b)));
      sumSq = i32x4.add(sumSq, i32x4.mul(n, i32x4.add(i32x4.add(rr, gg), bb)));
      rg = i32x4.add(rg, i32x4.mul(n, redGreen));
      rg2 = i32x4.add(rg2, i32x4.mul(n, i32x4.mul(redGreen, redGreen)));
      yb = i32x4.add(yb, i32x4.mul(n, yellowBlue));
      yb2 = i32x4.add(yb2, i32x4.mul(n, i32x4.mul(yellowBlue, yellowBlue)));
      chroma = i32x4.add(chroma, i32x4.mul(n, spread));
      coloured = i32x4.add(coloured, v128.and(n, i32x4.gt_s(spread, tolerance)));
      const weighted = i32x4.add(i32x4.add(i32x4.mul(r, i32x4.splat(19595)), i32x4.mul(g, i32x4.splat(38470))), i32x4.mul(b, i32x4.splat(7471)));
      v128.store(runLuma + (<usize>j << 2), i32x4.shr_u(i32x4.add(weighted, i32x4.splat(32768)), 16));
      const perceived = f32x4.add(
        f32x4.add(f32x4.mul(f32x4.convert_i32x4_s(rr), f32x4.splat(0.241)), f32x4.mul(f32x4.convert_i32x4_s(gg), f32x4.splat(0.691))),
        f32x4.mul(f32x4.convert_i32x4_s(bb), f32x4.splat(0.068)),
      );
      const bin = i32x4.trunc_sat_f32x4_s(f32x4.mul(f32x4.sqrt(perceived), binsPerLevel));
      v128.store(runBrightness + (<usize>j << 2), i32x4.min_s(bin, lastBin));
    }
    if (j > 0) {
      for (let k = j - 4; k < j; k++) {
        const run = load<u32>(runs + (<usize>k << 2));
        const n = <i32>(run >> 24);
        const luma = i32At(runLuma, k);
        const lumaCount = lumaHistogram + (<usize>luma << 2);
        store<i32>(lumaCount, load<i32>(lumaCount) + n);
        const brightnessCount = brightnessHistogram + (<usize>i32At(runBrightness, k) << 2);
        store<i32>(brightnessCount, load<i32>(brightnessCount) + n);
        const end = x + n;
        const red = <i32>(run & 255), grn = <i32>((run >> 8) & 255), blu = <i32>((run >> 16) & 255);
        if (end < cellEnd) {
          pending += luma * n;
          if (colour) {
            pendingRed += red * n;
            pendingGreen += grn * n;
            pendingBlue += blu * n;
          }
        } else {
          const inCell = cellEnd - x;
          addF64(partial, cell, <f64>(pending + luma * inCell));
          if (colour) addColour(colourPartialAt, cell, pendingRed + red * inCell, pendingGreen + grn * inCell, pendingBlue + blu * inCell);
          const last = i32At(cellOf, end);
          if (last > cell + 1) {
            addF64(between, cell + 1, <f64>luma);
            addF64(between, last, -<f64>luma);
            if (colour) {
              addColour(colourBetweenAt, cell + 1, red, grn, blu);
              addColour(colourBetweenAt, last, -red, -grn, -blu);
            }
          }
          cell = last;
          const rest = end - i32At(cellStart, last);
          pending = luma * rest;
          pendingRed = red * rest;
          pendingGreen = grn * rest;
          pendingBlue = blu * rest;
          cellEnd = i32At(cellStart, last + 1);
        }
        x = end;
      }
    }
  }
  addF64(partial, cell, <f64>pending);
  if (colour) addColour(colourPartialAt, cell, pendingRed, pendingGreen, pendingBlue);
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

/** Adds red, green and blue to the three f64s of `cell` in a colour array. */
@inline function addColour(base: usize, cell: i32, red: i32, green: i32, blue: i32): void {
  const at = base + <usize>(cell * 24);
  store<f64>(at, load<f64>(at) + <f64>red);
  store<f64>(at, load<f64>(at, 8) + <f64>green, 8);
  store<f64>(at, load<f64>(at, 16) + <f64>blue, 16);
}

@inline function laneSum(lanes: v128): f64 {
  return <f64>(i32x4.extract_lane(lanes, 0) + i32x4.extract_lane(lanes, 1) + i32x4.extract_lane(lanes, 2) + i32x4.extract_lane(lanes, 3));
}

/** Once every source row of thumbnail row `row` is in: adds the whole-cell luma, divides by the cell areas, and clears for the next row. */
function foldRow(row: i32): void {
  if (columnsInUse) {
    foldColumns(columnLumaAt, cellStartAt, thumbnailWidth, partialAt, 1, 0);
    if (colourThumbnail) {
      foldColumns(columnRedAt, cellStartAt, thumbnailWidth, colourPartialAt, 3, 0);
      foldColumns(columnGreenAt, cellStartAt, thumbnailWidth, colourPartialAt, 3, 1);
      foldColumns(columnBlueAt, cellStartAt, thumbnailWidth, colourPartialAt, 3, 2);
    }
    columnsInUse = false;
  }
  const out = lumaAt + (<usize>(row * thumbnailWidth) << 3);
  const inverseHeight = f64At(inverseCellHeightAt, row);
  let running: f64 = 0;
  for (let cell = 0; cell <= thumbnailWidth; cell++) {
    if (cell < thumbnailWidth) {
      running += f64At(betweenAt, cell);
      store<f64>(out + (<usize>cell << 3), (f64At(partialAt, cell) * f64At(inverseCellWidthAt, cell) + running) * inverseHeight);
    }
    store<f64>(betweenAt + (<usize>cell << 3), 0);
    store<f64>(partialAt + (<usize>cell << 3), 0);
  }
  if (colourThumbnail) foldColourRow(row, inverseHeight);
}

/** foldRow for the colour thumbnail: each cell's mean red, green and blue, rounded to a byte. */
function foldColourRow(row: i32, inverseHeight: f64): void {
  const out = colourAt + <usize>(row * thumbnailWidth * 3);
  let red: f64 = 0, green: f64 = 0, blue: f64 = 0;
  for (let cell = 0; cell <= thumbnailWidth; cell++) {
    const partial = colourPartialAt + <usize>(cell * 24);
    const between = colourBetweenAt + <usize>(cell * 24);
    if (cell < thumbnailWidth) {
      const inverseWidth = f64At(inverseCellWidthAt, cell);
      red += load<f64>(between);
      green += load<f64>(between, 8);
      blue += load<f64>(between, 16);
      const at = out + <usize>(cell * 3);
      store<u8>(at, <u8>((load<f64>(partial) * inverseWidth + red) * inverseHeight + 0.5));
      store<u8>(at + 1, <u8>((load<f64>(partial, 8) * inverseWidth + green) * inverseHeight + 0.5));
      store<u8>(at + 2, <u8>((load<f64>(partial, 16) * inverseWidth + blue) * inverseHeight + 0.5));
    }
    v128.store(partial, i64x2.splat(0));
    store<f64>(partial, 0, 16);
    v128.store(between, i64x2.splat(0));
    store<f64>(between, 0, 16);
  }
}
