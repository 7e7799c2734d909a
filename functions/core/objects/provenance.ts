/**
 * Provenance in every image file: XMP saying the image is synthetic (IPTC Digital Source Type),
 * with its prompt and the generator. Written once, when the generator stores the image, so every
 * way out of the system (API, export, zip, a file copied out of its folder) carries it. Pure.
 *
 * It is inserted as a PNG iTXt chunk, without decoding: the pixels stay byte-identical and no
 * second encode is paid. When a model's PNG carries a C2PA manifest (a `caBX` chunk), the bytes are
 * stored as they came: adding anything to the file would break the manifest's signed hash, and a
 * broken manifest reads as tampering, while the intact one already declares the image AI-made.
 */
import { iTXtChunk, iTXtKeyword, readPngChunks, writePngChunks } from './png-chunks.js';

export const DIGITAL_SOURCE_TYPE = {
  /** Output of a model trained on sampled content: Gemini. */
  trainedAlgorithmicMedia: 'http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia',
  /** Made purely by an algorithm, not trained on sampled content: the embedded procedural renderer. */
  algorithmicMedia: 'http://cv.iptc.org/newscodes/digitalsourcetype/algorithmicMedia',
} as const;

export const XMP_KEYWORD = 'XML:com.adobe.xmp';
/** The prompt is bounded so a long prompt cannot bloat every file; the full text is in image_prompts.json. */
export const MAX_XMP_DESCRIPTION = 2000;

export interface ProvenanceInput {
  provider: string;
  model: string;
  prompt: string;
}

export const digitalSourceTypeOf = (provider: string): string =>
  provider === 'embedded' ? DIGITAL_SOURCE_TYPE.algorithmicMedia : DIGITAL_SOURCE_TYPE.trainedAlgorithmicMedia;

/** XML text: escaped, with the characters XML 1.0 forbids removed. */
function xmlText(text: string): string {
  return text
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

function bounded(text: string, max: number): string {
  const codePoints = [...text];
  return codePoints.length <= max ? text : `${codePoints.slice(0, max - 1).join('')}…`;
}

export function xmpPacket({ provider, model, prompt }: ProvenanceInput): string {
  return [
    '<?xpacket begin="\uFEFF" id="W5M0MpCehiHzreSzNTczkc9d"?>',
    '<x:xmpmeta xmlns:x="adobe:ns:meta/">',
    ' <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">',
    '  <rdf:Description rdf:about=""',
    '    xmlns:Iptc4xmpExt="http://iptc.org/std/Iptc4xmpExt/2008-02-29/"',
    '    xmlns:dc="http://purl.org/dc/elements/1.1/"',
    '    xmlns:xmp="http://ns.adobe.com/xap/1.0/"',
    `    Iptc4xmpExt:DigitalSourceType="${digitalSourceTypeOf(provider)}"`,
    `    xmp:CreatorTool="${xmlText(`synthetic-image-datasets, ${provider} ${model}`)}">`,
    `   <dc:description><rdf:Alt><rdf:li xml:lang="x-default">${xmlText(bounded(prompt, MAX_XMP_DESCRIPTION))}</rdf:li></rdf:Alt></dc:description>`,
    '  </rdf:Description>',
    ' </rdf:RDF>',
    '</x:xmpmeta>',
    '<?xpacket end="r"?>',
  ].join('\n');
}

export type StampOutcome = 'xmp' | 'c2pa-kept' | 'not-png';

/**
 * The PNG with our XMP right after IHDR (readers look before the image data), replacing any XMP it
 * had. Returns the bytes unchanged when they carry C2PA, or are not a PNG the chunk reader accepts.
 */
export function stampProvenance(png: Buffer, input: ProvenanceInput): { png: Buffer; outcome: StampOutcome } {
  const chunks = readPngChunks(png);
  if (!chunks) return { png, outcome: 'not-png' };
  if (chunks.some((chunk) => chunk.type === 'caBX')) return { png, outcome: 'c2pa-kept' };
  const kept = chunks.filter((chunk) => iTXtKeyword(chunk) !== XMP_KEYWORD);
  return { png: writePngChunks([kept[0]!, iTXtChunk(XMP_KEYWORD, xmpPacket(input)), ...kept.slice(1)]), outcome: 'xmp' };
}
