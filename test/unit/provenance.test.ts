import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { EmbeddedProvider } from '../../functions/adapters/embedded/embedded-provider.js';
import { iTXtKeyword, readPngChunks, writePngChunks } from '../../functions/core/objects/index.js';
import { DIGITAL_SOURCE_TYPE, MAX_XMP_DESCRIPTION, stampProvenance, XMP_KEYWORD, xmpPacket } from '../../functions/core/objects/index.js';

const render = () => new EmbeddedProvider().generate({ prompt: 'A harbour quay at dawn', category: 'gatherings', variables: {}, seed: 3 }).then((image) => image.png);
const xmpOf = async (png: Buffer) => (await sharp(png).metadata()).xmp?.toString('utf8') ?? '';

describe('stampProvenance', () => {
  it.each([
    ['embedded', DIGITAL_SOURCE_TYPE.algorithmicMedia],
    ['gemini', DIGITAL_SOURCE_TYPE.trainedAlgorithmicMedia],
  ])('marks a %s image as %s, readable by libvips, with the pixels untouched', async (provider, sourceType) => {
    const png = await render();
    const stamped = stampProvenance(png, { provider, model: 'model-x', prompt: 'A harbour quay at dawn' });
    expect(stamped.outcome).toBe('xmp');
    const xmp = await xmpOf(stamped.png);
    expect(xmp).toContain(`Iptc4xmpExt:DigitalSourceType="${sourceType}"`);
    expect(xmp).toContain(`xmp:CreatorTool="synthetic-image-datasets, ${provider} model-x"`);
    expect(xmp).toContain('<rdf:li xml:lang="x-default">A harbour quay at dawn</rdf:li>');
    const [before, after] = await Promise.all([png, stamped.png].map((bytes) => sharp(bytes).raw().toBuffer()));
    expect(after!.equals(before!)).toBe(true);
  });

  it('replaces an XMP packet already there rather than adding a second, so stamping twice changes nothing', async () => {
    const once = stampProvenance(await render(), { provider: 'gemini', model: 'm', prompt: 'p' }).png;
    const twice = stampProvenance(once, { provider: 'gemini', model: 'm', prompt: 'p' }).png;
    expect(twice.equals(once)).toBe(true);
    expect(readPngChunks(twice)!.filter((chunk) => iTXtKeyword(chunk) === XMP_KEYWORD)).toHaveLength(1);
  });

  it('stores a PNG that carries a C2PA manifest exactly as it came', async () => {
    const chunks = readPngChunks(await render())!;
    const signed = writePngChunks([chunks[0]!, { type: 'caBX', data: Buffer.from('jumbf manifest') }, ...chunks.slice(1)]);
    expect(stampProvenance(signed, { provider: 'gemini', model: 'm', prompt: 'p' })).toEqual({ png: signed, outcome: 'c2pa-kept' });
  });

  it('leaves bytes that are not a PNG alone', () => {
    const bytes = Buffer.from('not an image');
    expect(stampProvenance(bytes, { provider: 'gemini', model: 'm', prompt: 'p' })).toEqual({ png: bytes, outcome: 'not-png' });
  });
});

describe('xmpPacket', () => {
  it('escapes the prompt and drops characters XML forbids', () => {
    const xmp = xmpPacket({ provider: 'gemini', model: 'm"<', prompt: 'A <b>bold</b> & "quoted" sign\u0000\u0007 ✊' });
    expect(xmp).toContain('A &lt;b&gt;bold&lt;/b&gt; &amp; &quot;quoted&quot; sign ✊');
    expect(xmp).toContain('CreatorTool="synthetic-image-datasets, gemini m&quot;&lt;"');
    expect([...xmp].some((c) => c.charCodeAt(0) < 9)).toBe(false);
  });

  it('bounds the description', () => {
    const xmp = xmpPacket({ provider: 'gemini', model: 'm', prompt: 'é'.repeat(10_000) });
    const description = /x-default">([^<]*)</.exec(xmp)![1]!;
    expect([...description]).toHaveLength(MAX_XMP_DESCRIPTION);
    expect(description.endsWith('…')).toBe(true);
  });
});
