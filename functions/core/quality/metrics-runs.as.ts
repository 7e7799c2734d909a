/**
 * AssemblyScript: run-length encoding of pixel rows for the metrics scan (metrics-scan.as.ts).
 * Identical neighbouring pixels become one `rgb | length << 24` run, so statistics are taken
 * once per run. Run ends are found 16 pixels at a time with SIMD.
 */

import { pixelWords } from './metrics-pixels.as';

/** Runs are capped so that `rgb | length << 24` encodes one losslessly in 32 bits. */
const MAX_RUN: i32 = 255;

/** Red, green and blue of the pixel at `at` as `r | g << 8 | b << 16`; grey reads its one channel three times. */
@inline function pixelAt(at: usize, green: i32, blue: i32): u32 {
  return <u32>load<u8>(at) | (<u32>load<u8>(at + <usize>green) << 8) | (<u32>load<u8>(at + <usize>blue) << 16);
}

/** Bit k set when RGBA pixel k of the 16 at `at` differs from pixel k + 1 in R, G or B (alpha is ignored). */
@inline function wordRunEnds(at: usize): u32 {
  const rgb = i32x4.splat(0xffffff);
  const zero = i32x4.splat(0);
  return i32x4.bitmask(i32x4.ne(v128.and(v128.xor(v128.load(at), v128.load(at, 4)), rgb), zero))
    | (i32x4.bitmask(i32x4.ne(v128.and(v128.xor(v128.load(at, 16), v128.load(at, 20)), rgb), zero)) << 4)
    | (i32x4.bitmask(i32x4.ne(v128.and(v128.xor(v128.load(at, 32), v128.load(at, 36)), rgb), zero)) << 8)
    | (i32x4.bitmask(i32x4.ne(v128.and(v128.xor(v128.load(at, 48), v128.load(at, 52)), rgb), zero)) << 12);
}

/** Byte indices that spread four RGB pixels of a 16-byte load into 32-bit lanes, and the four after the first; −1 reads as 0. */
const THESE_TRIPLES = v128(0, 1, 2, -1, 3, 4, 5, -1, 6, 7, 8, -1, 9, 10, 11, -1);
const NEXT_TRIPLES = v128(3, 4, 5, -1, 6, 7, 8, -1, 9, 10, 11, -1, 12, 13, 14, -1);

/** The same for RGB: each 16-byte load holds five pixels. */
@inline function tripleRunEnds(at: usize): u32 {
  let ends: u32 = 0;
  for (let i = 0; i < 4; i++) {
    const bytes = v128.load(at + <usize>(i * 12));
    ends |= i32x4.bitmask(i32x4.ne(i8x16.swizzle(bytes, THESE_TRIPLES), i8x16.swizzle(bytes, NEXT_TRIPLES))) << (i * 4);
  }
  return ends;
}

/** The same for grey, one byte a pixel. */
@inline function greyRunEnds(at: usize): u32 {
  return <u32>i8x16.bitmask(i8x16.ne(v128.load(at), v128.load(at, 1)));
}

/** The same for any other layout (grey + alpha, five channels), a pixel at a time. */
@inline function anyRunEnds(at: usize, stride: i32, green: i32, blue: i32): u32 {
  let ends: u32 = 0;
  let current = pixelAt(at, green, blue);
  for (let k = 0; k < 16; k++) {
    const following = pixelAt(at + <usize>((k + 1) * stride), green, blue);
    ends |= <u32>(current != following) << k;
    current = following;
  }
  return ends;
}

/** Stores the 16 pixels at `at` as runs of length 1: the common case in photographs, done four at a time (layout: bytes per pixel, 4, 3 or 1). */
@inline function storeSingleRuns(at: usize, out: usize, layout: i32): void {
  const lengthOne = i32x4.splat(1 << 24);
  for (let i = 0; i < 4; i++) v128.store(out + <usize>(i * 16), v128.or(pixelWords(at + <usize>(i * 4 * layout), layout), lengthOne));
}

/**
 * Run-length encodes `length` pixels at `row` into the runs array as `rgb | length << 24`, and
 * returns the run count. Reads up to 17 pixels past the end (metrics-scan.ts leaves room); the
 * last block's mask ends the final run at the segment's last pixel. Pads with four zero-length
 * runs so addRuns can always take four.
 */
export function encodeSegment(row: usize, length: i32, runs: usize, layout: i32, stride: i32, green: i32, blue: i32): i32 {
  const pixelBytes = <usize>stride;
  let count = 0;
  let start = 0;
  for (let block = 0; block < length; block += 16) {
    const at = row + <usize>block * pixelBytes;
    let ends = layout == 4 ? wordRunEnds(at) : layout == 3 ? tripleRunEnds(at) : layout == 1 ? greyRunEnds(at) : anyRunEnds(at, stride, green, blue);
    const left = length - block;
    if (left <= 16) ends = (ends & ((<u32>1 << (left - 1)) - 1)) | (<u32>1 << (left - 1));
    if (ends == 0xffff && start == block && layout != 0) {
      storeSingleRuns(at, runs + (<usize>count << 2), layout);
      count += 16;
      start += 16;
      continue;
    }
    while (ends != 0) {
      const last = block + <i32>ctz(ends);
      ends &= ends - 1;
      const pixelAddress = row + <usize>last * pixelBytes;
      const pixel = layout >= 3 ? load<u32>(pixelAddress) & 0xffffff : pixelAt(pixelAddress, green, blue);
      let n = last + 1 - start;
      start = last + 1;
      for (; n > MAX_RUN; n -= MAX_RUN) store<u32>(runs + (<usize>(count++) << 2), pixel | (<u32>MAX_RUN << 24));
      store<u32>(runs + (<usize>(count++) << 2), pixel | (<u32>n << 24));
    }
  }
  v128.store(runs + (<usize>count << 2), i32x4.splat(0));
  return count;
}

/**
 * Whether the `length` pixels at `row` are better taken one by one than as runs: more than one
 * in five differs from its right neighbour (runs average under five pixels), judged from four
 * blocks of 16 spread along the segment. The run path pays per run for its thumbnail and
 * histogram bookkeeping, so short runs cost more there than single pixels do on the per-pixel
 * path: on 1024² photographs, moving the line from one in three to one in five took the metrics
 * from 8.6 to 8.0 CPU-ms as PNG and 7.9 to 7.7 as JPEG (medians of eight processes), and put
 * 0.2 CPU-ms on the renderer's images. A sample is enough: the choice of path changes the time
 * taken, never the result. Layout as encodeSegment's, but never 0.
 */
export function mostlySingleRuns(row: usize, length: i32, layout: i32): bool {
  if (length < 64) return false;
  const pixelBytes = <usize>(layout == 3 ? 3 : layout);
  const spacing = (length - 16) / 3;
  let ends = 0;
  for (let i = 0; i < 4; i++) {
    const at = row + <usize>(i * spacing) * pixelBytes;
    ends += <i32>popcnt(layout == 4 ? wordRunEnds(at) : layout == 3 ? tripleRunEnds(at) : greyRunEnds(at));
  }
  return ends * 5 > 64;
}
