import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sniffImageFormat } from '../../functions/adapters/gemini/gemini-response.js';
import { estimateCost, IMAGE_MODEL_PRICES } from '../../functions/core/runs/index.js';
import {
  createGeminiProvider,
  DEFAULT_GEMINI_MODEL,
  GeminiProvider,
  resolveGeminiCredentials,
  type GeminiOptions,
} from '../../functions/adapters/gemini/gemini-provider.js';
import { PermanentProviderError, TransientProviderError, type ImageRequest } from '../../functions/core/objects/index.js';
import { startFakeGemini, type FakeGemini } from '../support/fake-gemini-server.js';

let fake: FakeGemini;
beforeAll(async () => {
  fake = await startFakeGemini({ slowMs: 2_000 });
});
afterAll(async () => {
  await fake.close();
});

const request = (prompt: string): ImageRequest => ({ prompt, category: 'gatherings', variables: {}, seed: 1 });

function provider(overrides: Partial<GeminiOptions> = {}): GeminiProvider {
  return new GeminiProvider({ model: DEFAULT_GEMINI_MODEL, apiKey: fake.apiKey, baseUrl: fake.url, timeoutMs: 5_000, ...overrides });
}

async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the call to fail');
}

describe('GeminiProvider against the fake Gemini API', () => {
  it('returns a real PNG and reports its model', async () => {
    const image = await provider().generate(request('A quiet square at dawn'));
    expect(image.model).toBe(DEFAULT_GEMINI_MODEL);
    const meta = await sharp(image.png).metadata();
    expect(meta).toMatchObject({ format: 'png', width: 64, height: 64 });
  });

  it('gives different prompts different images', async () => {
    const [first, second] = await Promise.all([provider().generate(request('market at noon')), provider().generate(request('harbour at night'))]);
    expect(first.png.equals(second.png)).toBe(false);
  });

  it('sends the REST shape the API expects, with the key in x-goog-api-key', async () => {
    const prompt = 'A wide street with a small crowd';
    await provider({ aspectRatio: '16:9', imageSize: '2K' }).generate(request(prompt));
    const received = fake.requests().find((entry) => entry.prompt === prompt);
    expect(received?.model).toBe(DEFAULT_GEMINI_MODEL);
    expect(received?.body).toEqual({
      contents: [{ parts: [{ text: prompt }], role: 'user' }],
      generationConfig: { responseModalities: ['IMAGE'], imageConfig: { aspectRatio: '16:9', imageSize: '2K' } },
    });
    expect(received?.headers['x-goog-api-key']).toBe(fake.apiKey);
    expect(received?.headers['x-server-timeout']).toBe('5');
  });

  it("uses the run's aspect ratio and size, carried on the request, over the provider's defaults", async () => {
    const prompt = 'A harbour quay at dusk';
    await provider({ aspectRatio: '16:9', imageSize: '2K' }).generate({ ...request(prompt), aspectRatio: '4:3', imageSize: '1K' });
    const received = fake.requests().find((entry) => entry.prompt === prompt);
    expect((received?.body as { generationConfig: unknown }).generationConfig).toEqual({ responseModalities: ['IMAGE'], imageConfig: { aspectRatio: '4:3', imageSize: '1K' } });
  });

  it('leaves imageConfig out when neither aspect ratio nor size is set', async () => {
    const prompt = 'An empty hall';
    await provider().generate(request(prompt));
    const body = fake.requests().find((entry) => entry.prompt === prompt)?.body;
    expect(body?.generationConfig).toEqual({ responseModalities: ['IMAGE'] });
  });

  it('stores JPEG bytes labelled image/png as a PNG', async () => {
    const image = await provider().generate(request('A bus stop [fault:jpeg-as-png]'));
    expect(sniffImageFormat(image.png)).toBe('png');
    expect((await sharp(image.png).metadata()).format).toBe('png');
  });

  it.each([
    { marker: '[fault:block-prompt]', reason: 'blocked:SAFETY' },
    { marker: '[fault:block-finish]', reason: 'blocked:IMAGE_SAFETY' },
    { marker: '[fault:no-image]', reason: 'no_image' },
    { marker: '[fault:text-only]', reason: 'no_image' },
  ])('fails $marker permanently with reason $reason', async ({ marker, reason }) => {
    const error = await failure(provider().generate(request(`A parade ${marker}`)));
    expect(error).toBeInstanceOf(PermanentProviderError);
    expect((error as PermanentProviderError).reason).toBe(reason);
  });

  it.each([
    { marker: '[fault:429]', status: 429, retryAfterMs: 2_000 },
    { marker: '[fault:429-bare]', status: 429, retryAfterMs: null },
    { marker: '[fault:500]', status: 500, retryAfterMs: null },
    { marker: '[fault:503]', status: 503, retryAfterMs: null },
  ])('fails $marker transiently (status $status, retryAfterMs $retryAfterMs) after exactly one call', async ({ marker, status, retryAfterMs }) => {
    const prompt = `A rally ${marker}`;
    const error = await failure(provider().generate(request(prompt)));
    expect(error).toBeInstanceOf(TransientProviderError);
    expect(error).toMatchObject({ status, retryAfterMs });
    // The SDK must not retry on its own: redelivery is Pub/Sub's job.
    expect(fake.calls(prompt)).toBe(1);
  });

  it('succeeds once a transient fault clears ([fault:503x2])', async () => {
    const prompt = 'A vigil [fault:503x2]';
    const p = provider();
    await expect(p.generate(request(prompt))).rejects.toBeInstanceOf(TransientProviderError);
    await expect(p.generate(request(prompt))).rejects.toBeInstanceOf(TransientProviderError);
    expect((await sharp((await p.generate(request(prompt))).png).metadata()).format).toBe('png');
    expect(fake.calls(prompt)).toBe(3);
  });

  it('fails a wrong key permanently without echoing the key', async () => {
    const secret = 'AIzaSy-this-key-must-never-appear';
    const error = await failure(provider({ apiKey: secret }).generate(request('A square')));
    expect(error).toBeInstanceOf(PermanentProviderError);
    expect((error as PermanentProviderError).reason).toBe('api_error:400');
    expect(error.message).toContain('API key not valid');
    expect(error.message).not.toContain(secret);
  });

  it('redacts the key if an error message ever echoes it', async () => {
    // A key that is also a phrase of the fake's 503 message stands in for a transport that echoes it.
    const echoed = 'model is overloaded';
    const echoing = await startFakeGemini({ apiKey: echoed });
    try {
      const error = await failure(provider({ baseUrl: echoing.url, apiKey: echoed }).generate(request('A rally [fault:503]')));
      expect(error).toBeInstanceOf(TransientProviderError);
      expect(error.message).toContain('[redacted]');
      expect(error.message).not.toContain(echoed);
    } finally {
      await echoing.close();
    }
  });

  it('fails a retired model permanently with the API message', async () => {
    const error = await failure(provider({ model: 'gemini-2.0-flash-preview-image-generation' }).generate(request('A square')));
    expect((error as PermanentProviderError).reason).toBe('api_error:404');
    expect(error.message).toContain('models/gemini-2.0-flash-preview-image-generation is not found');
  });

  it('turns a slow answer past timeoutMs into a transient failure', async () => {
    const started = Date.now();
    const error = await failure(provider({ timeoutMs: 200 }).generate(request('A march [fault:slow]')));
    expect(error).toBeInstanceOf(TransientProviderError);
    expect(error.message).toContain('timed out');
    expect(Date.now() - started).toBeLessThan(1_500);
  });

  it('treats a refused connection as transient', async () => {
    const gone = await startFakeGemini();
    await gone.close();
    const error = await failure(provider({ baseUrl: gone.url }).generate(request('A square')));
    expect(error).toBeInstanceOf(TransientProviderError);
    expect(error.message).toContain('ECONNREFUSED');
  });

  it('honours GOOGLE_GEMINI_BASE_URL when no baseUrl is given', async () => {
    const saved = process.env.GOOGLE_GEMINI_BASE_URL;
    process.env.GOOGLE_GEMINI_BASE_URL = fake.url;
    try {
      const prompt = 'A courtyard reached through the environment';
      const image = await createGeminiProvider({ apiKey: fake.apiKey }).generate(request(prompt));
      expect((await sharp(image.png).metadata()).format).toBe('png');
      expect(fake.calls(prompt)).toBe(1);
    } finally {
      if (saved === undefined) delete process.env.GOOGLE_GEMINI_BASE_URL;
      else process.env.GOOGLE_GEMINI_BASE_URL = saved;
    }
  });

  it('answers 429 with a RetryInfo hint beyond the fake quota', async () => {
    const limited = await startFakeGemini({ requestsPerMinute: 2 });
    try {
      const p = provider({ baseUrl: limited.url, apiKey: limited.apiKey });
      await p.generate(request('one'));
      await p.generate(request('two'));
      const error = await failure(p.generate(request('three')));
      expect(error).toMatchObject({ status: 429 });
      expect((error as TransientProviderError).retryAfterMs).toBeGreaterThan(50_000);
      expect(limited.acceptedTimestamps()).toHaveLength(2);
    } finally {
      await limited.close();
    }
  });
});

describe('GeminiProvider set-up', () => {
  it('identifies itself and defaults the model', () => {
    const created = createGeminiProvider({ apiKey: 'k' });
    expect(created).toMatchObject({ name: 'gemini', model: 'gemini-2.5-flash-image' });
    expect(new GeminiProvider({ model: 'gemini-3-pro-image', vertex: { project: 'p', location: 'global' } }).model).toBe('gemini-3-pro-image');
  });

  it('prices every documented model and flags the estimates', () => {
    expect(IMAGE_MODEL_PRICES[DEFAULT_GEMINI_MODEL]).toMatchObject({ usdPerImage: 0.039, estimate: false });
    for (const model of ['gemini-2.5-flash-image', 'gemini-3.1-flash-image', 'gemini-3-pro-image']) {
      const price = IMAGE_MODEL_PRICES[model]!;
      expect(price.usdPerImage).toBeGreaterThan(0);
      if (price.estimate) expect(price.source).toContain('estimate, check the pricing page');
    }
    expect(estimateCost('gemini-2.5-flash-image', 100)).toMatchObject({ usd: 3.9, usdPerImage: 0.039 });
    expect(estimateCost('some-new-model', 10)).toMatchObject({ usd: null });
  });
});

describe('resolveGeminiCredentials', () => {
  it.each([
    { name: 'GEMINI_API_KEY', env: { GEMINI_API_KEY: 'gem' }, expected: { apiKey: 'gem' } },
    { name: 'GOOGLE_API_KEY', env: { GOOGLE_API_KEY: 'goo' }, expected: { apiKey: 'goo' } },
    { name: 'GEMINI_API_KEY over GOOGLE_API_KEY', env: { GEMINI_API_KEY: 'gem', GOOGLE_API_KEY: 'goo' }, expected: { apiKey: 'gem' } },
    { name: 'Vertex with the default location', env: { GOOGLE_GENAI_USE_VERTEXAI: 'true', GOOGLE_CLOUD_PROJECT: 'proj' }, expected: { vertex: { project: 'proj', location: 'global' } } },
    {
      name: 'Vertex with "1" and a location, over a key',
      env: { GOOGLE_GENAI_USE_VERTEXAI: '1', GOOGLE_CLOUD_PROJECT: 'proj', GOOGLE_CLOUD_LOCATION: 'europe-west4', GEMINI_API_KEY: 'gem' },
      expected: { vertex: { project: 'proj', location: 'europe-west4' } },
    },
    { name: 'a key when the Vertex flag is false', env: { GOOGLE_GENAI_USE_VERTEXAI: 'false', GOOGLE_API_KEY: 'goo' }, expected: { apiKey: 'goo' } },
  ])('reads $name', ({ env, expected }) => {
    expect(resolveGeminiCredentials(env)).toEqual(expected);
  });

  it.each([
    { name: 'Vertex without a project', env: { GOOGLE_GENAI_USE_VERTEXAI: 'true' }, mentions: ['GOOGLE_CLOUD_PROJECT'] },
    { name: 'nothing', env: {}, mentions: ['GEMINI_API_KEY', 'GOOGLE_GENAI_USE_VERTEXAI'] },
    { name: 'blank values', env: { GEMINI_API_KEY: '  ', GOOGLE_API_KEY: '' }, mentions: ['GEMINI_API_KEY'] },
  ])('explains what is missing for $name', ({ env, mentions }) => {
    let message = '';
    try {
      resolveGeminiCredentials(env);
    } catch (error) {
      message = (error as Error).message;
    }
    for (const name of mentions) expect(message).toContain(name);
  });
});
