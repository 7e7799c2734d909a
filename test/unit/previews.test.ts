import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { makeThumbnail, previewFromPixels } from '../../functions/adapters/thumbnail.js';
import { classifyObject, imageEtag, isPreviewObject, PREVIEW_CONTENT_TYPE, previewObjectName } from '../../functions/core/objects/index.js';

const IMAGE = 'runs/run-1/gatherings/p0001.png';

/** A 300×200 PNG of the given bands, each pixel different so the encoder has detail to keep. */
async function png(channels: 1 | 2 | 3 | 4, { depth = 'uchar', transparent = false }: { depth?: 'uchar' | 'ushort'; transparent?: boolean } = {}): Promise<Buffer> {
  const raw = Buffer.alloc(300 * 200 * channels);
  for (let i = 0; i < raw.length; i++) raw[i] = transparent && i % channels === channels - 1 ? 0 : (i * 7) & 0xff;
  const image = sharp(raw, { raw: { width: 300, height: 200, channels } });
  if (depth === 'ushort') return image.toColourspace('rgb16').png().toBuffer();
  return (channels <= 2 ? image.toColourspace('b-w') : image).png().toBuffer();
}

describe('preview objects', () => {
  it('names the preview a JPEG beside its image, and its ETag says so', () => {
    expect(previewObjectName(IMAGE)).toBe('runs/run-1/gatherings/p0001.preview.jpg');
    expect(PREVIEW_CONTENT_TYPE).toBe('image/jpeg');
    expect(imageEtag('17', true)).toBe('"17-jpeg256"');
    expect(imageEtag('17', false)).toBe('"17"');
  });

  it.each([
    { name: 'runs/run-1/gatherings/p0001.preview.jpg', preview: true },
    { name: 'runs/run-1/gatherings/p0001.preview.webp', preview: true }, // stored before previews were JPEG
    { name: IMAGE, preview: false },
    { name: 'runs/run-1/gatherings/p0001.jpg', preview: false },
    { name: 'runs/run-1/gatherings/p0001.webp', preview: false },
  ])('$name is a preview: $preview, and is assessed: the opposite', ({ name, preview }) => {
    expect(isPreviewObject(name)).toBe(preview);
    expect(classifyObject({ name, contentType: preview ? 'image/webp' : 'image/png' }).assess).toBe(!preview);
  });
});

describe('preview encoding', () => {
  it('encodes the metrics pass RGB pixels as a JPEG', async () => {
    const data = new Uint8Array(256 * 192 * 3).map((_, i) => (i * 13) & 0xff);
    const encoded = await previewFromPixels({ data, width: 256, height: 192, channels: 3 });
    expect(await sharp(encoded).metadata()).toMatchObject({ format: 'jpeg', width: 256, height: 192, channels: 3 });
  });

  // JPEG holds one or three bands: grey, grey with alpha, transparent and 16-bit images must all still encode.
  it.each([
    { what: 'grey', channels: 1 },
    { what: 'grey with alpha', channels: 2 },
    { what: 'RGB', channels: 3 },
    { what: 'RGBA, fully transparent', channels: 4, transparent: true },
    { what: '16-bit RGBA', channels: 4, depth: 'ushort' },
  ] as const)('makes a 256-pixel JPEG from a stored $what PNG', async ({ channels, ...options }) => {
    const source = await png(channels, options);
    expect((await sharp(source).metadata()).channels).toBe(channels);
    const meta = await sharp(await makeThumbnail(source)).metadata();
    expect(meta).toMatchObject({ format: 'jpeg', width: 256, height: 171, hasAlpha: false });
  });
});
