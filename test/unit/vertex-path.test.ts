import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GeminiJudge } from '../../functions/adapters/gemini/gemini-judge.js';
import { GeminiProvider } from '../../functions/adapters/gemini/gemini-provider.js';
import { PermanentProviderError, TransientProviderError } from '../../functions/core/objects/index.js';
import { startFakeVertex, type FakeVertex } from '../support/fake-vertex-server.js';
import { scratchDir } from '../support/scratch.js';

/**
 * Issue 21 item 10: image generation through @google/genai in Vertex mode, end to end against a
 * fake Vertex endpoint and a fake token service named by a workload-identity credentials file.
 */
describe('the Vertex AI path, offline', () => {
  let fake: FakeVertex;
  let folder: string;
  const saved = { credentials: process.env.GOOGLE_APPLICATION_CREDENTIALS, project: process.env.GOOGLE_CLOUD_PROJECT };

  beforeAll(async () => {
    const png = await sharp({ create: { width: 64, height: 64, channels: 3, background: { r: 10, g: 120, b: 200 } } }).png().toBuffer();
    fake = await startFakeVertex({ png });
    folder = scratchDir('vertex-');
    writeFileSync(join(folder, 'subject.txt'), 'a-subject-token');
    writeFileSync(
      join(folder, 'credentials.json'),
      JSON.stringify({
        type: 'external_account',
        audience: '//iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/p/providers/p',
        subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
        token_url: fake.tokenUrl,
        credential_source: { file: join(folder, 'subject.txt') },
      }),
    );
    process.env.GOOGLE_APPLICATION_CREDENTIALS = join(folder, 'credentials.json');
    // Set in every deployed function (loadConfig requires it); without it the auth library asks Resource Manager.
    process.env.GOOGLE_CLOUD_PROJECT = 'workshop-project';
  });
  afterAll(async () => {
    for (const [name, value] of [['GOOGLE_APPLICATION_CREDENTIALS', saved.credentials], ['GOOGLE_CLOUD_PROJECT', saved.project]] as const) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    rmSync(folder, { recursive: true, force: true });
    await fake.close();
  });

  const provider = (location = 'global') => new GeminiProvider({ model: 'gemini-2.5-flash-image', vertex: { project: 'workshop-project', location }, baseUrl: fake.url, timeoutMs: 5000 });
  const request = (prompt: string) => ({ prompt, category: 'c', variables: {}, seed: 1 });

  it('sends the request to the project, location and publisher model, with the bearer token from the token exchange', async () => {
    const image = await provider().generate(request('A harbour at dawn.'));
    expect(image.png.subarray(1, 4).toString('latin1')).toBe('PNG');
    const sent = fake.requests.at(-1)!;
    expect(sent.path).toBe('/v1beta1/projects/workshop-project/locations/global/publishers/google/models/gemini-2.5-flash-image:generateContent');
    expect(sent.authorization).toBe(`Bearer ${fake.accessToken}`);
    expect(fake.tokenExchanges[0]).toMatchObject({ grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange', subject_token: 'a-subject-token' });
  });

  it('a 429 RESOURCE_EXHAUSTED without RetryInfo is transient with no server hint, asked once (the SDK does not retry)', async () => {
    const before = fake.requests.length;
    const error = await provider().generate(request('A market. [vertex:429]')).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TransientProviderError);
    expect((error as TransientProviderError).retryAfterMs).toBeNull();
    expect(fake.requests.length - before).toBe(1);
  });

  it('sends a prompt\'s references as inline image parts beside the instruction, as through the Gemini API', async () => {
    const bytes = await sharp({ create: { width: 32, height: 24, channels: 3, background: { r: 200, g: 30, b: 30 } } }).jpeg().toBuffer();
    await provider().generate({ ...request('A march along the river.'), references: [{ referenceId: 'ref-1', bytes, mimeType: 'image/jpeg' }] });
    const sent = fake.requests.at(-1)!;
    expect(sent.inlineData).toEqual([{ mimeType: 'image/jpeg', data: bytes.toString('base64') }]);
    expect(sent.prompt).toMatch(/only as a guide to the kind of scene, its composition and the elements.*Never reproduce a person, a face, legible text or any identifying detail.* A march along the river\.$/);
  });

  it('a 400 for a location the image model is not offered in is permanent', async () => {
    const error = await provider('europe-west9').generate(request('A square.')).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PermanentProviderError);
    expect((error as PermanentProviderError).reason).toMatch(/^api_error:400/);
  });

  it('the judge goes the same way: a verdict through Vertex, and a 429 without RetryInfo transient, asked once', async () => {
    const judge = (prompt: string) =>
      new GeminiJudge({ model: 'gemini-2.5-flash', credentials: { vertex: { project: 'workshop-project', location: 'global' } }, baseUrl: fake.url, timeoutMs: 5000 }).judge({
        image: { mimeType: 'image/jpeg', data: Buffer.from('jpeg') },
        rubric: prompt,
        elements: [],
      });
    const result = await judge('Does the image show a harbour at dawn?');
    expect(result.answer).toMatchObject({ relevance: 4, caption: 'A harbour at dawn.' });
    expect(fake.requests.at(-1)).toMatchObject({ path: '/v1beta1/projects/workshop-project/locations/global/publishers/google/models/gemini-2.5-flash:generateContent', authorization: `Bearer ${fake.accessToken}` });
    const before = fake.requests.length;
    const error = await judge('Does it? [vertex:429]').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TransientProviderError);
    expect((error as TransientProviderError).retryAfterMs).toBeNull();
    expect(fake.requests.length - before).toBe(1);
  });
});
