/**
 * The one full-resolution pass of the metrics. A small WebAssembly kernel (metrics-scan.as.ts,
 * metrics-runs.as.ts, metrics-pixels.as.ts) hashes every pixel, and takes every other statistic
 * once per run of identical pixels (run-length encoded with SIMD) or, where nearly every pixel
 * is a run of its own (photographs), once per pixel without run bookkeeping, box-filtering the
 * luma thumbnail as it goes. This module lays out the kernel's memory, copies the pixels in a
 * few rows at a time (so they are still in cache when the kernel reads them) and reads the
 * results back.
 */
import type { RawImage } from './raw-image.js';
import { SCAN_KERNEL_WASM_BASE64 } from './metrics-scan.wasm.js';
import { thumbnailGrid, type HashableThumbnail } from './metrics-thumbnail.js';

/** JPEG chroma subsampling leaves grey pixels a few levels apart; 8 of 255 is invisible. */
export const NEUTRAL_TOLERANCE = 8;
const BRIGHTNESS_BINS = 1024;
/** The kernel runs each chain of the pixel hash in eight lanes, two SIMD vectors. */
const HASH_LANES = 8;
/** Pixels are copied into the kernel this many bytes at a time (at least one row): small enough to stay in L2. */
const CHUNK_BYTES = 64 * 1024;
/** Brightness bins per level of perceived brightness (0–255), in the single precision the kernel bins with. */
const BRIGHTNESS_BINS_PER_LEVEL = Math.fround(BRIGHTNESS_BINS / 255);

/** Order of the sums in the kernel's totals. */
const TOTALS = ['sum', 'sumSq', 'rg', 'rg2', 'yb', 'yb2', 'chroma', 'coloured'] as const;
export type PixelTotals = Record<(typeof TOTALS)[number], number>;

interface ScanKernel {
  memory: WebAssembly.Memory;
  /** Pixels per row segment: the runs array holds one segment's runs. */
  segment: number;
  configure(...addressesThenLayout: number[]): void;
  scanRows(pixels: number, firstRow: number, rows: number): void;
}

type KernelExports = Pick<ScanKernel, 'configure' | 'scanRows'> & { segmentLength(): number };

let kernel: ScanKernel | undefined;

/** Compiled on first use, not at import: a few kilobytes, well under a millisecond. */
function scanKernel(): ScanKernel {
  if (!kernel) {
    const memory = new WebAssembly.Memory({ initial: 1 });
    const module = new WebAssembly.Module(Buffer.from(SCAN_KERNEL_WASM_BASE64, 'base64'));
    const { configure, scanRows, segmentLength } = new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as KernelExports;
    kernel = { memory, segment: segmentLength(), configure, scanRows };
  }
  return kernel;
}

/** With `colourThumbnail`, the scan also box-filters an RGB thumbnail (the gallery's preview pixels) into `statistics.colour`. */
export function scanPixels(image: RawImage, colourChannels: number, colourThumbnail = false): PixelStatistics {
  const statistics = PixelStatistics.forLayout(image, colourChannels);
  statistics.scan(image.data, colourThumbnail);
  return statistics;
}

let lastStatistics: PixelStatistics | undefined;

/**
 * The kernel's memory laid out for one image size and pixel layout, and views of its results.
 * The images of a run share a layout, so the last one is reset and reused: results are valid
 * until the next scan, and the metrics read them at once.
 */
export class PixelStatistics {
  readonly thumbnail: HashableThumbnail;
  readonly lumaHistogram: Int32Array;
  readonly brightnessHistogram: Int32Array;
  /** The colour thumbnail, RGB bytes in the luma thumbnail's size: valid after a scan that asked for it. */
  readonly colour: Uint8Array;
  private readonly totals: Float64Array;
  /** The pixel hash's two chains over the pixels, eight lanes each (the pixel in column k feeds lane k mod 8), before they are folded and mixed. */
  readonly hashes: Int32Array;
  private readonly cleared: Array<Int32Array | Float64Array>;
  private readonly key: string;
  private readonly chunkAt: number;
  private readonly rowsPerChunk: number;
  private readonly configuration: number[];

  private constructor(
    private readonly kernel: ScanKernel,
    readonly width: number,
    readonly height: number,
    private readonly stride: number,
    grey: boolean,
  ) {
    this.key = PixelStatistics.keyOf(width, height, stride, grey);
    const grid = thumbnailGrid(width, height);
    const memory = new MemoryPlan();
    const at = { // in the order of the kernel's configure() parameters
      lumaHistogram: memory.reserve(Int32Array, 256),
      brightnessHistogram: memory.reserve(Int32Array, BRIGHTNESS_BINS),
      totals: memory.reserve(Float64Array, TOTALS.length),
      hashes: memory.reserve(Int32Array, 2 * HASH_LANES),
      cellOf: memory.take(grid.cellOf),
      cellStart: memory.take(grid.cellStart),
      rowOf: memory.take(grid.rowOf),
      inverseCellWidth: memory.take(grid.inverseCellWidth),
      inverseCellHeight: memory.take(grid.inverseCellHeight),
      partial: memory.reserve(Float64Array, grid.width + 1),
      between: memory.reserve(Float64Array, grid.width + 1),
      luma: memory.reserve(Float64Array, grid.width * grid.height),
      runs: memory.reserve(Int32Array, Math.min(width, kernel.segment) + 4), // a segment's runs, then the kernel's zero padding
      runLuma: memory.reserve(Int32Array, Math.min(width, kernel.segment) + 4), // each run's luma and brightness bin, for the kernel's second pass
      runBrightness: memory.reserve(Int32Array, Math.min(width, kernel.segment) + 4),
      colourPartial: memory.reserve(Float64Array, 3 * (grid.width + 1)),
      colourBetween: memory.reserve(Float64Array, 3 * (grid.width + 1)),
      colour: memory.reserve(Uint8Array, 3 * grid.width * grid.height),
      // per-column sums of the kernel's per-pixel path; it adds zeros up to three columns past the last
      columnLuma: memory.reserve(Int32Array, width + 4),
      columnRed: memory.reserve(Int32Array, width + 4),
      columnGreen: memory.reserve(Int32Array, width + 4),
      columnBlue: memory.reserve(Int32Array, width + 4),
    };
    const rowBytes = width * stride;
    this.rowsPerChunk = Math.max(1, Math.min(height, Math.floor(CHUNK_BYTES / rowBytes)));
    this.chunkAt = memory.reserve(Uint8Array, this.rowsPerChunk * rowBytes + 17 * stride + 16); // the kernel reads up to 17 pixels past a row
    const views = memory.commit(kernel.memory);
    this.lumaHistogram = views.of(Int32Array, at.lumaHistogram, 256);
    this.brightnessHistogram = views.of(Int32Array, at.brightnessHistogram, BRIGHTNESS_BINS);
    this.totals = views.of(Float64Array, at.totals, TOTALS.length);
    this.hashes = views.of(Int32Array, at.hashes, 2 * HASH_LANES);
    const { hashColumnStart, hashRowStart } = grid;
    this.thumbnail = { width: grid.width, height: grid.height, luma: views.of(Float64Array, at.luma, grid.width * grid.height), hashColumnStart, hashRowStart };
    this.colour = views.of(Uint8Array, at.colour, 3 * grid.width * grid.height);
    this.cleared = [
      this.lumaHistogram,
      this.brightnessHistogram,
      this.totals,
      ...([[at.partial, 1], [at.between, 1], [at.colourPartial, 3], [at.colourBetween, 3]] as const).map(([address, perCell]) => views.of(Float64Array, address, perCell * (grid.width + 1))),
      ...[at.columnLuma, at.columnRed, at.columnGreen, at.columnBlue].map((address) => views.of(Int32Array, address, width + 4)),
    ];
    const [green, blue] = grey ? [0, 0] : [1, 2];
    this.configuration = [...Object.values(at), width, height, grid.width, stride, green, blue, NEUTRAL_TOLERANCE, BRIGHTNESS_BINS, BRIGHTNESS_BINS_PER_LEVEL];
  }

  private static keyOf(width: number, height: number, stride: number, grey: boolean): string {
    return `${width}×${height}×${stride}${grey ? ' grey' : ''}`;
  }

  static forLayout({ width, height, channels }: RawImage, colourChannels: number): PixelStatistics {
    const grey = colourChannels < 3; // reads its one channel as R, G and B
    if (lastStatistics?.key !== PixelStatistics.keyOf(width, height, channels, grey)) {
      lastStatistics = new PixelStatistics(scanKernel(), width, height, channels, grey);
    }
    return lastStatistics;
  }

  scan(data: Uint8Array, colourThumbnail: boolean): void {
    for (const array of this.cleared) array.fill(0);
    this.hashes.set(hashSeeds(this.width, this.height));
    const { kernel, width, height, rowsPerChunk, chunkAt } = this;
    kernel.configure(...this.configuration, colourThumbnail ? 1 : 0);
    const bytes = new Uint8Array(kernel.memory.buffer);
    const rowBytes = width * this.stride;
    for (let row = 0; row < height; row += rowsPerChunk) {
      const rows = Math.min(rowsPerChunk, height - row);
      bytes.set(data.subarray(row * rowBytes, (row + rows) * rowBytes), chunkAt);
      kernel.scanRows(chunkAt, row, rows);
    }
  }

  sums(): PixelTotals {
    return Object.fromEntries(TOTALS.map((name, i) => [name, this.totals[i]])) as PixelTotals;
  }

  /** The two 32-bit halves of the pixel hash: each chain's lanes folded, then MurmurHash3's finaliser so every input bit reaches every output bit. */
  pixelHashWords(pixels: number, width: number): [number, number] {
    return [finalMix(foldLanes(this.hashes.subarray(0, HASH_LANES), pixels)), finalMix(foldLanes(this.hashes.subarray(HASH_LANES), width))];
  }
}

type TypedArrayClass = Int32ArrayConstructor | Float64ArrayConstructor | Uint8ArrayConstructor;

/** Places arrays one after another in the kernel's memory, then grows it to fit and fills in the tables. */
class MemoryPlan {
  private end = 64; // address 0 stays unused
  private readonly tables: Array<{ at: number; values: Int32Array | Float64Array }> = [];

  reserve(type: TypedArrayClass, length: number): number {
    const at = this.end;
    this.end = (at + length * type.BYTES_PER_ELEMENT + 15) & ~15;
    return at;
  }

  take(values: Int32Array | Float64Array): number {
    const at = this.reserve(values.constructor as TypedArrayClass, values.length);
    this.tables.push({ at, values });
    return at;
  }

  commit(memory: WebAssembly.Memory) {
    const missingPages = Math.ceil(this.end / 65_536) - memory.buffer.byteLength / 65_536;
    if (missingPages > 0) memory.grow(missingPages);
    const buffer = memory.buffer;
    for (const { at, values } of this.tables) new (values.constructor as TypedArrayClass)(buffer, at, values.length).set(values);
    return { of: <T extends TypedArrayClass>(type: T, at: number, length: number) => new type(buffer, at, length) as InstanceType<T> };
  }
}

/** Where each lane of the pixel hash's two chains starts: the image size, and the lane. */
function hashSeeds(width: number, height: number): number[] {
  const first = Math.imul(0x9747b28c ^ width, 0x85ebca6b);
  const second = Math.imul(0x1b873593 ^ height, 0xc2b2ae35);
  return Array.from({ length: 2 * HASH_LANES }, (_, i) => (i < HASH_LANES ? first : second) ^ i % HASH_LANES);
}

function foldLanes(lanes: Int32Array, seed: number): number {
  let h = seed;
  for (const lane of lanes) {
    h = Math.imul(h ^ lane, 0x85ebca6b);
    h ^= h >>> 15;
  }
  return h;
}

function finalMix(value: number): number {
  let h = Math.imul(value ^ (value >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}
