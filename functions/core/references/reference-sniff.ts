/**
 * What an upload really is, read from its first bytes and never from a header the client sets:
 * its format, whether it is animated, and the dimensions it declares. All of it is cheap and
 * decodes no pixel, so a decompression bomb is refused before anything allocates its pixels.
 */

export type ReferenceFormat = 'png' | 'jpeg' | 'webp';

export type SniffedImage = { ok: true; format: ReferenceFormat; width: number; height: number } | { ok: false; message: string };

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

const NOT_AN_IMAGE = 'the body is not a PNG, JPEG or WebP image';

/** Reads the format, animation and declared size; refuses SVG, GIF, animations and anything else. */
export function sniffReference(bytes: Buffer): SniffedImage {
  if (bytes.length >= 8 && bytes.subarray(0, 8).equals(PNG_SIGNATURE)) return sniffPng(bytes);
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return sniffJpeg(bytes);
  if (bytes.length >= 12 && bytes.toString('latin1', 0, 4) === 'RIFF' && bytes.toString('latin1', 8, 12) === 'WEBP') return sniffWebp(bytes);
  if (bytes.toString('latin1', 0, 4) === 'GIF8') return { ok: false, message: 'GIF is not accepted; send a PNG, JPEG or WebP photograph' };
  if (looksLikeMarkup(bytes)) return { ok: false, message: 'SVG and other markup are not accepted; send a PNG, JPEG or WebP photograph' };
  return { ok: false, message: NOT_AN_IMAGE };
}

function looksLikeMarkup(bytes: Buffer): boolean {
  const head = bytes.toString('utf8', 0, Math.min(bytes.length, 256)).replace(/^\uFEFF/, '').trimStart();
  return head.startsWith('<');
}

/** PNG: IHDR first; an `acTL` chunk before the first `IDAT` makes it an animated PNG. */
function sniffPng(bytes: Buffer): SniffedImage {
  if (bytes.length < 33 || bytes.toString('latin1', 12, 16) !== 'IHDR') return { ok: false, message: `${NOT_AN_IMAGE} (a truncated PNG)` };
  const width = bytes.readUInt32BE(16);
  const height = bytes.readUInt32BE(20);
  let offset = 8;
  while (offset + 8 <= bytes.length) {
    const length = bytes.readUInt32BE(offset);
    const type = bytes.toString('latin1', offset + 4, offset + 8);
    if (type === 'acTL') return { ok: false, message: 'animated PNG is not accepted; send a still photograph' };
    if (type === 'IDAT' || type === 'IEND') break;
    offset += 12 + length;
  }
  return { ok: true, format: 'png', width, height };
}

/** JPEG: walks the markers to the first start-of-frame, which holds the declared size. */
function sniffJpeg(bytes: Buffer): SniffedImage {
  let offset = 2;
  while (offset + 4 <= bytes.length) {
    if (bytes[offset] !== 0xff) return { ok: false, message: `${NOT_AN_IMAGE} (a damaged JPEG)` };
    const marker = bytes[offset + 1] as number;
    // Fill bytes and markers without a length.
    if (marker === 0xff) {
      offset += 1;
      continue;
    }
    if (marker === 0xd8 || (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) {
      offset += 2;
      continue;
    }
    const length = bytes.readUInt16BE(offset + 2);
    const isFrame = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isFrame) {
      if (offset + 9 > bytes.length) break;
      return { ok: true, format: 'jpeg', height: bytes.readUInt16BE(offset + 5), width: bytes.readUInt16BE(offset + 7) };
    }
    if (marker === 0xda || length < 2) break;
    offset += 2 + length;
  }
  return { ok: false, message: `${NOT_AN_IMAGE} (a JPEG without a frame header)` };
}

/** WebP: the first chunk says lossy, lossless or extended; the extended header flags animation. */
function sniffWebp(bytes: Buffer): SniffedImage {
  if (bytes.length < 30) return { ok: false, message: `${NOT_AN_IMAGE} (a truncated WebP)` };
  const chunk = bytes.toString('latin1', 12, 16);
  if (chunk === 'VP8X') {
    if (((bytes[20] as number) & 0x02) !== 0) return { ok: false, message: 'animated WebP is not accepted; send a still photograph' };
    return { ok: true, format: 'webp', width: 1 + bytes.readUIntLE(24, 3), height: 1 + bytes.readUIntLE(27, 3) };
  }
  if (chunk === 'VP8 ') return { ok: true, format: 'webp', width: bytes.readUInt16LE(26) & 0x3fff, height: bytes.readUInt16LE(28) & 0x3fff };
  if (chunk === 'VP8L') {
    const bits = bytes.readUInt32LE(21);
    return { ok: true, format: 'webp', width: 1 + (bits & 0x3fff), height: 1 + ((bits >>> 14) & 0x3fff) };
  }
  return { ok: false, message: `${NOT_AN_IMAGE} (an unknown WebP chunk)` };
}

/** Refuses, undecoded, an image whose header declares more pixels than the limits allow. */
export function checkDeclaredSize(image: { width: number; height: number }, limits: { maxInputPixels: number; maxInputSide: number }): { ok: true } | { ok: false; message: string } {
  const { width, height } = image;
  if (width < 1 || height < 1) return { ok: false, message: 'the image declares no pixels' };
  if (width > limits.maxInputSide || height > limits.maxInputSide || width * height > limits.maxInputPixels) {
    return { ok: false, message: `the image declares ${width} × ${height} pixels; the limit is ${limits.maxInputSide} px per side and ${limits.maxInputPixels} pixels in all` };
  }
  return { ok: true };
}
