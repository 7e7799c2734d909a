import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { interpretResponse, sniffImageFormat, type GeminiPartLike, type GeminiResponseLike } from '../../functions/adapters/gemini/gemini-response.js';
import { PermanentProviderError } from '../../functions/core/objects/index.js';

const images: Record<'png' | 'jpeg' | 'webp' | 'gif', Buffer> = { png: Buffer.alloc(0), jpeg: Buffer.alloc(0), webp: Buffer.alloc(0), gif: Buffer.alloc(0) };

beforeAll(async () => {
  const square = sharp({ create: { width: 8, height: 8, channels: 3, background: { r: 200, g: 40, b: 90 } } });
  images.png = await square.clone().png().toBuffer();
  images.jpeg = await square.clone().jpeg().toBuffer();
  images.webp = await square.clone().webp().toBuffer();
  images.gif = await square.clone().gif().toBuffer();
});

const b64 = (bytes: Buffer): string => bytes.toString('base64');

function withParts(parts: GeminiPartLike[], finishReason = 'STOP'): GeminiResponseLike {
  return { candidates: [{ content: { parts }, finishReason }] };
}

describe('sniffImageFormat', () => {
  it.each(['png', 'jpeg', 'webp', 'gif'] as const)('recognises %s by its magic bytes', (format) => {
    expect(sniffImageFormat(images[format])).toBe(format);
  });

  it.each([
    ['empty', Buffer.alloc(0)],
    ['text', Buffer.from('not an image at all')],
    ['truncated PNG signature', Buffer.from([0x89, 0x50, 0x4e])],
    ['RIFF that is not WEBP', Buffer.from('RIFF\0\0\0\0WAVEfmt ')],
  ])('returns null for %s', (_label, bytes) => {
    expect(sniffImageFormat(bytes)).toBeNull();
  });
});

describe('interpretResponse: finding the image', () => {
  const cases: Array<{ name: string; response: () => GeminiResponseLike; expected: () => Buffer; mime: string | undefined }> = [
    { name: 'a single PNG part', response: () => withParts([{ inlineData: { mimeType: 'image/png', data: b64(images.png) } }]), expected: () => images.png, mime: 'image/png' },
    {
      name: 'text before the image',
      response: () => withParts([{ text: 'Here is your image' }, { inlineData: { mimeType: 'image/png', data: b64(images.png) } }]),
      expected: () => images.png,
      mime: 'image/png',
    },
    { name: 'JPEG bytes labelled image/png', response: () => withParts([{ inlineData: { mimeType: 'image/png', data: b64(images.jpeg) } }]), expected: () => images.jpeg, mime: 'image/png' },
    {
      name: 'image bytes under a non-image MIME type',
      response: () => withParts([{ inlineData: { mimeType: 'application/octet-stream', data: b64(images.webp) } }]),
      expected: () => images.webp,
      mime: 'application/octet-stream',
    },
    {
      name: 'the first of two images',
      response: () => withParts([{ inlineData: { mimeType: 'image/jpeg', data: b64(images.jpeg) } }, { inlineData: { mimeType: 'image/png', data: b64(images.png) } }]),
      expected: () => images.jpeg,
      mime: 'image/jpeg',
    },
    {
      name: 'a final image after an interim thought image',
      response: () => withParts([{ thought: true, inlineData: { mimeType: 'image/png', data: b64(images.gif) } }, { inlineData: { mimeType: 'image/png', data: b64(images.png) } }]),
      expected: () => images.png,
      mime: 'image/png',
    },
    {
      name: 'a thought image when nothing else came',
      response: () => withParts([{ thought: true, inlineData: { mimeType: 'image/png', data: b64(images.png) } }]),
      expected: () => images.png,
      mime: 'image/png',
    },
    {
      name: 'an image even when a non-image inline part comes first',
      response: () => withParts([{ inlineData: { mimeType: 'text/plain', data: b64(Buffer.from('hello')) } }, { inlineData: { data: b64(images.png) } }]),
      expected: () => images.png,
      mime: undefined,
    },
  ];

  it.each(cases)('takes $name', ({ response, expected, mime }) => {
    const result = interpretResponse(response());
    expect(result.bytes.equals(expected())).toBe(true);
    expect(result.declaredMimeType).toBe(mime);
  });
});

describe('interpretResponse: no image', () => {
  const longText = `I will not draw this. ${'x'.repeat(400)}`;
  const cases: Array<{ name: string; response: GeminiResponseLike; reason: string; message?: string }> = [
    ...['SAFETY', 'OTHER', 'BLOCKLIST', 'PROHIBITED_CONTENT', 'IMAGE_SAFETY', 'SOMETHING_NEW'].map((blockReason) => ({
      name: `prompt blocked for ${blockReason}`,
      response: { promptFeedback: { blockReason } },
      reason: `blocked:${blockReason}`,
    })),
    {
      name: 'prompt blocked with a message',
      response: { promptFeedback: { blockReason: 'OTHER', blockReasonMessage: 'language not supported' } },
      reason: 'blocked:OTHER',
      message: 'language not supported',
    },
    ...['IMAGE_SAFETY', 'IMAGE_PROHIBITED_CONTENT', 'IMAGE_RECITATION', 'IMAGE_OTHER', 'SAFETY', 'PROHIBITED_CONTENT', 'RECITATION', 'BLOCKLIST', 'SPII'].map(
      (finishReason) => ({ name: `finishReason ${finishReason}`, response: { candidates: [{ content: { role: 'model' }, finishReason }] }, reason: `blocked:${finishReason}` }),
    ),
    { name: 'finishReason NO_IMAGE', response: { candidates: [{ finishReason: 'NO_IMAGE' }] }, reason: 'no_image' },
    { name: 'a text-only answer', response: withParts([{ text: 'Here is a description instead.' }]), reason: 'no_image', message: 'Here is a description instead.' },
    { name: 'no candidates and no block reason', response: {}, reason: 'no_image', message: 'no candidates' },
    { name: 'an empty candidates list', response: { candidates: [] }, reason: 'no_image' },
    { name: 'a candidate with no parts and STOP', response: withParts([]), reason: 'no_image', message: 'STOP' },
    { name: 'non-image bytes under a non-image MIME type', response: withParts([{ inlineData: { mimeType: 'text/plain', data: b64(Buffer.from('hello')) } }]), reason: 'no_image' },
    { name: 'empty image data', response: withParts([{ inlineData: { mimeType: 'image/png', data: '' } }]), reason: 'no_image' },
  ];

  it.each(cases)('fails permanently on $name', ({ response, reason, message }) => {
    let thrown: unknown;
    try {
      interpretResponse(response);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(PermanentProviderError);
    expect((thrown as PermanentProviderError).reason).toBe(reason);
    if (message) expect((thrown as Error).message).toContain(message);
  });

  it('quotes only the first 200 characters of a text answer, and only in the message', () => {
    expect(() => interpretResponse(withParts([{ text: longText }]))).toThrow(
      expect.objectContaining({ reason: 'no_image', message: `the model answered with text only: ${longText.slice(0, 200)}` }),
    );
  });
});
