import { assertMetadataWithinLimits } from '../core/objects/index.js';
import type { ImageBucket, StoredObject } from '../core/ports.js';

/** In-memory ImageBucket for unit tests, with the same create-only precondition as GCS. */
export class MemoryImageBucket implements ImageBucket {
  readonly objects = new Map<string, { bytes: Buffer; generation: string; metadata: Record<string, string>; contentType?: string }>();
  writes = 0;
  /** Previews and other derived objects created, apart from `writes` of images. */
  derivedWrites = 0;
  reads = 0;
  private nextGeneration = 1_700_000_000_000_000;

  async writeIfAbsent(name: string, bytes: Buffer, metadata: Record<string, string>): Promise<StoredObject & { created: boolean }> {
    this.writes += 1;
    assertMetadataWithinLimits(metadata);
    const existing = this.objects.get(name);
    if (existing) return { name, generation: existing.generation, created: false };
    const generation = String(this.nextGeneration++);
    this.objects.set(name, { bytes, generation, metadata });
    return { name, generation, created: true };
  }

  async stat(name: string): Promise<StoredObject | null> {
    const object = this.objects.get(name);
    return object ? { name, generation: object.generation } : null;
  }

  async deletePrefix(prefix: string): Promise<void> {
    for (const name of [...this.objects.keys()]) if (name.startsWith(prefix)) this.objects.delete(name);
  }

  async writeDerivedIfAbsent(name: string, bytes: Buffer, contentType: string): Promise<StoredObject & { created: boolean }> {
    const existing = this.objects.get(name);
    if (existing) return { name, generation: existing.generation, created: false };
    this.derivedWrites += 1;
    const generation = String(this.nextGeneration++);
    this.objects.set(name, { bytes, generation, metadata: {}, contentType });
    return { name, generation, created: true };
  }

  async read(name: string, generation?: string): Promise<Buffer | null> {
    this.reads += 1;
    const object = this.objects.get(name);
    if (!object || (generation !== undefined && generation !== object.generation)) return null;
    return object.bytes;
  }
}
