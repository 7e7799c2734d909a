import type { Bucket } from '@google-cloud/storage';
import { assertMetadataWithinLimits, PermanentStorageError } from '../core/objects/index.js';
import type { ImageBucket, StoredObject } from '../core/ports.js';

const statusOf = (error: unknown): number | undefined => (error as { code?: unknown }).code as number | undefined;

/** A 4xx other than timeout and rate limit: the same request will be refused again. */
const isRefusal = (status: number | undefined): boolean => typeof status === 'number' && status >= 400 && status < 500 && status !== 408 && status !== 429;

/** Cloud Storage adapter. Works against GCS and fake-gcs-server alike. */
export class GcsImageBucket implements ImageBucket {
  constructor(private readonly bucket: Bucket) {}

  async writeIfAbsent(name: string, bytes: Buffer, metadata: Record<string, string>): Promise<StoredObject & { created: boolean }> {
    // Cloud Storage refuses more than 8 KiB of custom metadata; fake-gcs-server does not, so check here.
    assertMetadataWithinLimits(metadata);
    const file = this.bucket.file(name);
    try {
      // Resumable uploads are pointless for ~1 MB images and fail on the emulator.
      await file.save(bytes, {
        resumable: false,
        validation: false,
        contentType: 'image/png',
        metadata: { contentType: 'image/png', metadata },
        preconditionOpts: { ifGenerationMatch: 0 },
      });
      // The upload's response already carries the new object's resource.
      return { name, generation: String(file.metadata.generation), created: true };
    } catch (error) {
      const status = statusOf(error);
      if (status !== 412) {
        if (isRefusal(status)) throw new PermanentStorageError(`Cloud Storage refused the write (${status}): ${(error as Error).message}`);
        throw error;
      }
      const existing = await this.stat(name);
      if (!existing) throw error;
      return { ...existing, created: false };
    }
  }

  async writeDerivedIfAbsent(name: string, bytes: Buffer, contentType: string): Promise<StoredObject & { created: boolean }> {
    const file = this.bucket.file(name);
    try {
      await file.save(bytes, { resumable: false, validation: false, contentType, metadata: { contentType }, preconditionOpts: { ifGenerationMatch: 0 } });
      return { name, generation: String(file.metadata.generation), created: true };
    } catch (error) {
      if (statusOf(error) !== 412) throw error;
      return { name, generation: (await this.stat(name))?.generation ?? '', created: false };
    }
  }

  async stat(name: string): Promise<StoredObject | null> {
    try {
      const [metadata] = await this.bucket.file(name).getMetadata();
      return { name, generation: String(metadata.generation) };
    } catch (error) {
      if (statusOf(error) === 404) return null;
      throw error;
    }
  }

  async deletePrefix(prefix: string): Promise<void> {
    const [files] = await this.bucket.getFiles({ prefix });
    // Another worker may delete the same object meanwhile (a purge racing a cancelled generator's clean-up): gone is gone.
    await Promise.all(
      files.map((file) =>
        file.delete().catch((error: unknown) => {
          if (statusOf(error) !== 404) throw error;
        }),
      ),
    );
  }

  async read(name: string, generation?: string): Promise<Buffer | null> {
    try {
      const file = generation ? this.bucket.file(name, { generation }) : this.bucket.file(name);
      const [bytes] = await file.download({ validation: false });
      return bytes;
    } catch (error) {
      if (statusOf(error) === 404) return null;
      throw error;
    }
  }
}
