/**
 * Run-length encoding of pixel rows for the metrics scan: identical neighbouring pixels
 * become one `rgb | length << 24` entry, so statistics are taken once per run.
 */

/** Runs are capped so that `rgb | length << 24` encodes one losslessly in 32 bits. */
const MAX_RUN = 255;

/**
 * Run-length encodes one row of little-endian RGBA/RGBX words as `rgb | length << 24`; returns
 * the run count. Alpha is masked off; words equal to the last one are skipped by a tighter loop.
 */
export function runsOfWords(words: Uint32Array, start: number, width: number, runs: Int32Array): number {
  let count = 0;
  let length = 0;
  let lastWord = words[start];
  let key = lastWord & 0xffffff;
  for (let i = start, end = start + width; i < end; ) {
    if (words[i] === lastWord && length < MAX_RUN) {
      const limit = Math.min(end, i + MAX_RUN - length);
      let next = i + 1;
      while (next + 3 < limit && words[next] === lastWord && words[next + 1] === lastWord && words[next + 2] === lastWord && words[next + 3] === lastWord) next += 4;
      while (next < limit && words[next] === lastWord) next++;
      length += next - i;
      i = next;
      continue;
    }
    lastWord = words[i++];
    const pixel = lastWord & 0xffffff;
    if (pixel !== key || length === MAX_RUN) {
      runs[count++] = key | (length << 24);
      key = pixel;
      length = 0;
    }
    length++;
  }
  runs[count++] = key | (length << 24);
  return count;
}

/** The same for any layout; `green` and `blue` are channel offsets (0 for grey). */
export function runsOfBytes(data: Uint8Array, offset: number, width: number, stride: number, green: number, blue: number, runs: Int32Array): number {
  let count = 0;
  let length = 0;
  let key = data[offset] | (data[offset + green] << 8) | (data[offset + blue] << 16);
  for (let x = 0; x < width; x++, offset += stride) {
    const pixel = data[offset] | (data[offset + green] << 8) | (data[offset + blue] << 16);
    if (pixel !== key || length === MAX_RUN) {
      runs[count++] = key | (length << 24);
      key = pixel;
      length = 0;
    }
    length++;
  }
  runs[count++] = key | (length << 24);
  return count;
}
