import sharp from 'sharp';

/**
 * A model that copies what it was sent: for a prompt marked `[copy:KIND]`, the fake Gemini server
 * answers with the first image part of the request, transformed. This is the failure the privacy
 * guard exists for, played end to end: the generator really sends the reference, and the answer
 * really comes back through @google/genai.
 */
export const COPY_MARKER = /\[copy:(exact|mirror|jpeg70|crop)\]/;

type Part = { inlineData?: { mimeType: string; data: string } };

export async function copyOfSentImage(body: Record<string, unknown>, kind: string): Promise<Buffer> {
  const contents = (body.contents ?? []) as Array<{ parts?: Part[] }>;
  const sent = contents.flatMap((content) => content.parts ?? []).find((part) => part.inlineData)?.inlineData;
  if (!sent) throw new Error('a [copy:…] prompt was sent no image part to copy');
  const image = Buffer.from(sent.data, 'base64');
  if (kind === 'mirror') return sharp(image).flop().png().toBuffer();
  if (kind === 'jpeg70') return sharp(await sharp(image).jpeg({ quality: 70 }).toBuffer()).png().toBuffer();
  if (kind === 'crop') {
    const { width = 0, height = 0 } = await sharp(image).metadata();
    return sharp(image).extract({ left: Math.round(width * 0.1), top: Math.round(height * 0.1), width: Math.round(width * 0.8), height: Math.round(height * 0.8) }).png().toBuffer();
  }
  return sharp(image).png().toBuffer();
}
