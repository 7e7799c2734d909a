import { resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { RecordedOperation } from '../../functions/adapters/operation-log.js';
import { checkPermissions } from '../../scripts/lib/iam-check.js';
import { readInfraModel, type InfraModel } from '../../scripts/lib/infra-model.js';

/** The checker itself, against the real infra/: the recorded operations come from the integration tests. */
describe('the IAM check', () => {
  let infra: InfraModel;
  // hcl2json runs in WebAssembly: parsing infra/ can take a while on a busy machine.
  beforeAll(async () => {
    infra = await readInfraModel(resolve(import.meta.dirname, '../../infra'));
  }, 60_000);
  const op = (fn: string, operation: string, resource: string, service: RecordedOperation['service'] = 'storage'): RecordedOperation => ({ function: fn, service, resource, operation });

  it('reads each function\'s account and the resources its environment names from the HCL', () => {
    expect(Object.fromEntries(infra.accounts)).toEqual({ api: 'api', generateImage: 'generate', assessImage: 'assess', reconcile: 'reconcile' });
    const assess = infra.resources.get('assessImage')!;
    expect([assess.get('IMAGE_BUCKET'), assess.get('PREVIEW_BUCKET'), assess.get('GEMINI_API_KEY')]).toEqual([
      'google_storage_bucket.images', 'google_storage_bucket.previews', 'google_secret_manager_secret.gemini_api_key',
    ]);
    expect(infra.resources.get('api')!.get('INSTRUCTOR_TOKEN')).toBe('google_secret_manager_secret.instructor_token');
  });

  it('finds an operation the function\'s roles do not allow, on the resource it touches', () => {
    const report = checkPermissions([op('assessImage', 'ImageBucket.deletePrefix', 'IMAGE_BUCKET'), op('generateImage', 'PromptPublisher.publish', 'GENERATION_TOPIC', 'pubsub')], infra);
    expect(report.missing).toEqual([
      'assessImage (assess) needs storage.objects.delete on google_storage_bucket.images for ImageBucket.deletePrefix',
      'generateImage (generate) needs pubsub.topics.publish on google_pubsub_topic.generation for PromptPublisher.publish',
    ]);
  });

  it('names operations it cannot classify instead of passing them', () => {
    const report = checkPermissions([op('api', 'ImageBucket.copy', 'IMAGE_BUCKET'), op('api', 'ImageBucket.read', 'OTHER_BUCKET'), op('thumbnailer', 'ImageBucket.read', 'IMAGE_BUCKET')], infra);
    expect(report.unknown).toHaveLength(3);
    expect(report.missing).toEqual([]);
  });

  it('reports grants nothing recorded used, and roles broader than what was used', () => {
    const report = checkPermissions([op('assessImage', 'ImageBucket.read', 'IMAGE_BUCKET')], infra);
    expect(report.unused).toContain('api: roles/pubsub.publisher on google_pubsub_topic.generation');
    expect(report.unused).toContain('assess: roles/storage.objectUser on google_storage_bucket.previews');
    expect(report.broader).toEqual(['assess: roles/storage.objectViewer on google_storage_bucket.images also grants storage.objects.list']);
    // The Gemini key's grants exist only in API-key mode, so they are not required to be used.
    expect(report.unexercised).toContain('assess: roles/secretmanager.secretAccessor on google_secret_manager_secret.gemini_api_key');
  });
});
