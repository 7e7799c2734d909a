/**
 * A DCT perceptual hash of a square luma grid: the lowest size × size frequencies but the
 * constant one, each set to 1 when above their median. Low frequencies describe the layout of
 * light and dark, which survives resizing, re-encoding and mild crops; the median makes the
 * bits independent of any brightness or contrast change that keeps the order of intensities.
 */

/** Cosine tables per (grid, kept frequencies), built on first use and reused. */
const cosineTables = new Map<string, Float64Array>();

function cosines(gridSize: number, keep: number): Float64Array {
  const key = `${gridSize}:${keep}`;
  let table = cosineTables.get(key);
  if (!table) {
    table = new Float64Array(keep * gridSize);
    for (let u = 0; u < keep; u++) {
      for (let x = 0; x < gridSize; x++) table[u * gridSize + x] = Math.cos(((2 * x + 1) * u * Math.PI) / (2 * gridSize));
    }
    cosineTables.set(key, table);
  }
  return table;
}

/** Luma levels per grey level kept when ranking: finer differences are encoder noise, not content. */
const RANK_LEVELS = 16;

/**
 * Replaces each value by its rank (ties share their mean rank): a histogram equalisation, so a
 * gamma, exposure or colour change that keeps light things lighter than dark things leaves the
 * grid unchanged. Each value's level and position are packed into one 32-bit key, so a plain
 * integer sort orders them, several times faster than sorting positions with a comparator.
 * Values are luma, 0 to 255, so the key holds 4,096 levels and up to 2^20 positions.
 */
export function equalise(grid: Float64Array): Float64Array {
  const size = grid.length;
  const shift = Math.max(1, Math.ceil(Math.log2(size)));
  if (shift > 20) throw new Error('grid too large to rank');
  const mask = (1 << shift) - 1;
  const keys = new Uint32Array(size);
  for (let i = 0; i < size; i++) keys[i] = ((Math.min(Math.max(Math.round(grid[i] * RANK_LEVELS), 0), 255 * RANK_LEVELS) << shift) | i) >>> 0;
  keys.sort();
  const ranks = new Float64Array(size);
  for (let start = 0; start < size; ) {
    const level = keys[start] >>> shift;
    let end = start + 1;
    while (end < size && keys[end] >>> shift === level) end++;
    const rank = (start + end - 1) / 2;
    for (let k = start; k < end; k++) ranks[keys[k] & mask] = rank;
    start = end;
  }
  return ranks;
}

/**
 * The lowest keep × keep DCT-II coefficients of a gridSize × gridSize grid, row-major by
 * vertical then horizontal frequency, without the constant one. Separable: rows first, then
 * columns, computing only the kept frequencies.
 */
export function dctCoefficients(grid: Float64Array, gridSize: number, keep: number): Float64Array {
  const table = cosines(gridSize, keep);
  const rows = new Float64Array(gridSize * keep);
  for (let y = 0; y < gridSize; y++) {
    for (let u = 0; u < keep; u++) {
      let sum = 0;
      for (let x = 0; x < gridSize; x++) sum += grid[y * gridSize + x] * table[u * gridSize + x];
      rows[y * keep + u] = sum;
    }
  }
  const coefficients = new Float64Array(keep * keep - 1);
  for (let v = 0; v < keep; v++) {
    for (let u = 0; u < keep; u++) {
      if (u === 0 && v === 0) continue;
      let sum = 0;
      for (let y = 0; y < gridSize; y++) sum += rows[y * keep + u] * table[v * gridSize + y];
      coefficients[v * keep + u - 1] = sum;
    }
  }
  return coefficients;
}

/**
 * The coefficients of the same grid flipped left to right: reversing x multiplies horizontal
 * frequency u by (−1)^u, so a mirrored window costs no second sampling or transform.
 */
export function mirrorCoefficients(coefficients: Float64Array, keep: number): Float64Array {
  return coefficients.map((value, index) => ((index + 1) % keep) % 2 === 1 ? -value : value);
}

/** One bit per coefficient, set when above their median, packed 32 to a word. */
export function hashBits(coefficients: Float64Array): Uint32Array {
  const sorted = Float64Array.from(coefficients).sort();
  const median = (sorted[(sorted.length - 1) >> 1] + sorted[sorted.length >> 1]) / 2;
  const words = new Uint32Array(Math.ceil(coefficients.length / 32));
  coefficients.forEach((value, bit) => {
    if (value > median) words[bit >> 5] |= 1 << (bit & 31);
  });
  return words;
}

function popcount(word: number): number {
  let v = word - ((word >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

/** Bits that differ between two hashes of equal length, the one at `offset` words into `b`. */
export function hammingDistance(a: Uint32Array, b: Uint32Array, offset = 0): number {
  let distance = 0;
  for (let i = 0; i < a.length; i++) distance += popcount(a[i] ^ b[offset + i]);
  return distance;
}
