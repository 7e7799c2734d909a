import sharp from 'sharp';
import type { GeneratedImage, ImageProvider, ImageRequest } from '../../core/objects/index.js';
import { guideFrom } from './reference-guide.js';
import { composeScene } from './scene.js';

/**
 * Offline procedural renderer: a stand-in for a generative model that needs no credentials,
 * so the whole pipeline runs locally and in tests. Same request, same bytes.
 */
export class EmbeddedProvider implements ImageProvider {
  readonly name = 'embedded';
  readonly model = 'embedded-procedural-v1';

  async generate(request: ImageRequest): Promise<GeneratedImage> {
    // References lend the scene their horizon and dominant colours (reference-guide.ts), nothing more.
    const guide = await guideFrom(request.references ?? []);
    const svg = composeScene(request, 1024, guide);
    // Fixed zlib settings and no adaptive filtering keep the encoded bytes stable across runs.
    const png = await sharp(Buffer.from(svg)).png({ compressionLevel: 6, adaptiveFiltering: false }).toBuffer();
    return { png, model: this.model };
  }
}

export function createEmbeddedProvider(): ImageProvider {
  return new EmbeddedProvider();
}
