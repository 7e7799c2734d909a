/**
 * The test kit: fakes and builders that several tests share, so each test says only what is
 * particular to it. Everything here is in memory; the emulator clients are in stack-clients.ts.
 */
import type { CloudEvent } from '@google-cloud/functions-framework';
import { PermanentProviderError, TransientProviderError, type ImageProvider, type ImageRequest } from '../../functions/core/objects/index.js';
import type { Logger } from '../../functions/core/ports.js';
import { newPromptRecord, type PromptRecord, type RunRecord } from '../../functions/core/runs/index.js';
import type { MessagePublishedData } from '@google/events/cloud/pubsub/v1/MessagePublishedData.js';
import type { StorageObjectData } from '../../functions/handlers/assess.js';

/** A logger that drops everything. */
export const silent: Logger = { info() {}, warn() {}, error() {} };

export type ProviderStep = 'ok' | 'transient' | 'blocked' | 'rate-limited';

/**
 * An image provider that answers from a script (one step per call, then `ok`), records every
 * request, and can run a hook while a call is in flight (a cancel or a delete arriving mid-call).
 */
export class ScriptedProvider implements ImageProvider {
  readonly name = 'scripted';
  readonly model = 'scripted-v1';
  readonly calls: ImageRequest[] = [];
  private readonly script: ProviderStep[];

  constructor(script: ProviderStep[] = [], private readonly during: () => Promise<unknown> = async () => {}) {
    this.script = [...script];
  }

  async generate(request: ImageRequest) {
    this.calls.push(request);
    await this.during();
    const step = this.script.shift() ?? 'ok';
    if (step === 'transient') throw new Error('503 unavailable');
    if (step === 'blocked') throw new PermanentProviderError('blocked:SAFETY');
    if (step === 'rate-limited') throw new TransientProviderError('429 RESOURCE_EXHAUSTED', 2000, 429);
    return { png: Buffer.from(`png:${request.prompt}`), model: this.model };
  }
}

/** A run of one category `c` with the template `t`, owned by `local`; any field can be changed. */
export function oneCategoryRun(changes: Partial<RunRecord> = {}): RunRecord {
  const count = changes.count ?? 1;
  return {
    runId: 'r1', scenario: { name: 's', variables: {}, categories: { c: { template: 't', variables: {}, weight: 1 } } }, count, seed: 1,
    categories: ['c'], provider: 'scripted', model: 'scripted-v1', createdAt: new Date(0).toISOString(), state: 'accepted', owner: 'local',
    image: { aspectRatio: '1:1', imageSize: '1K' }, costEstimate: { images: count, usdPerImage: 0, usd: 0, basis: 'test' },
    ...changes,
  };
}

/** Prompt number `index` of run `runId` in category `c` (`p0001` for 1). */
export function promptOf(runId: string, index: number, changes: Partial<PromptRecord> = {}): PromptRecord {
  const promptId = `p${String(index).padStart(4, '0')}`;
  return { ...newPromptRecord(runId, { promptId, index, category: 'c', prompt: `prompt ${index}`, variables: {}, seed: index }), ...changes };
}

/** The CloudEvent a Pub/Sub push becomes in functions-framework, carrying `data` as the message. */
export function publishedEvent(data: object | string, id = 'm1'): CloudEvent<MessagePublishedData> {
  const text = typeof data === 'string' ? data : JSON.stringify(data);
  return {
    specversion: '1.0', id, source: '//pubsub', type: 'google.cloud.pubsub.topic.v1.messagePublished',
    data: { message: { data: Buffer.from(text).toString('base64') } },
  };
}

/** The CloudEvent Eventarc delivers when an object is finalized. */
export function finalizedEvent(data: StorageObjectData, id = 'e1'): CloudEvent<StorageObjectData> {
  return { specversion: '1.0', id, source: '//storage', type: 'google.cloud.storage.object.v1.finalized', data };
}
