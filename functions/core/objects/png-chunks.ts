/**
 * PNG chunk surgery without decoding: read the chunk list, drop or add ancillary chunks. Pixels
 * (IDAT) are never touched, so adding metadata costs microseconds and no quality. Pure.
 */
const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export interface PngChunk {
  type: string;
  data: Buffer;
  /** The chunk as read (length, type, data, CRC): copied as is, so a large IDAT is never re-checksummed. */
  raw?: Buffer;
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

export function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) crc = (CRC_TABLE[(crc ^ byte) & 0xff] as number) ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/** The chunks in order; null when the bytes are not a well-formed PNG (bad signature, truncation). */
export function readPngChunks(png: Buffer): PngChunk[] | null {
  if (png.length < SIGNATURE.length || !png.subarray(0, 8).equals(SIGNATURE)) return null;
  const chunks: PngChunk[] = [];
  for (let offset = 8; offset < png.length; ) {
    if (offset + 12 > png.length) return null;
    const length = png.readUInt32BE(offset);
    if (offset + 12 + length > png.length) return null;
    chunks.push({ type: png.toString('latin1', offset + 4, offset + 8), data: png.subarray(offset + 8, offset + 8 + length), raw: png.subarray(offset, offset + 12 + length) });
    offset += 12 + length;
  }
  return chunks[0]?.type === 'IHDR' ? chunks : null;
}

export function writePngChunks(chunks: PngChunk[]): Buffer {
  const parts: Buffer[] = [SIGNATURE];
  for (const chunk of chunks) {
    if (chunk.raw) {
      parts.push(chunk.raw);
      continue;
    }
    const head = Buffer.alloc(8);
    head.writeUInt32BE(chunk.data.length, 0);
    head.write(chunk.type, 4, 'latin1');
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), chunk.data])), 0);
    parts.push(head, chunk.data, crc);
  }
  return Buffer.concat(parts);
}

/** An uncompressed international text chunk (iTXt): keyword, flags, empty language and translation, UTF-8 text. */
export function iTXtChunk(keyword: string, text: string): PngChunk {
  return { type: 'iTXt', data: Buffer.concat([Buffer.from(keyword, 'latin1'), Buffer.from([0, 0, 0, 0, 0]), Buffer.from(text, 'utf8')]) };
}

export const iTXtKeyword = (chunk: PngChunk): string | null => (chunk.type === 'iTXt' ? chunk.data.toString('latin1', 0, Math.max(0, chunk.data.indexOf(0))) : null);
