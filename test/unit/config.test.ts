import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../functions/config.js';

const required = { GOOGLE_CLOUD_PROJECT: 'p', IMAGE_BUCKET: 'bucket-1' };

describe('loadConfig', () => {
  it('applies defaults', () => {
    expect(loadConfig(required)).toEqual({ projectId: 'p', bucket: 'bucket-1', generationTopic: 'image-generation', provider: 'embedded', gemini: { model: 'gemini-2.5-flash-image', requestsPerMinute: 60, timeoutMs: 60_000 }, judge: { mode: 'none', model: 'gemini-2.5-flash', requestsPerMinute: 60, timeoutMs: 30_000 }, leaseMs: 120_000, maxAttempts: 5, storageEndpoint: undefined,
      instructorToken: undefined, quotas: { defaultImageQuota: 100, maxImagesPerRun: 100, maxRunsInFlight: 2 } });
  });

  it.each([
    { env: {}, names: ['GOOGLE_CLOUD_PROJECT', 'IMAGE_BUCKET'] },
    { env: { ...required, IMAGE_BUCKET: '' }, names: ['IMAGE_BUCKET'] },
    { env: { ...required, LEASE_SECONDS: 'soon' }, names: ['LEASE_SECONDS'] },
    { env: { ...required, MAX_ATTEMPTS: '0' }, names: ['MAX_ATTEMPTS'] },
    { env: { ...required, IMAGE_PROVIDER: 'dalle' }, names: ['IMAGE_PROVIDER'] },
    { env: { ...required, STORAGE_API_ENDPOINT: 'not a url' }, names: ['STORAGE_API_ENDPOINT'] },
    { env: { ...required, GEMINI_MODEL: 'Gemini Pro!' }, names: ['GEMINI_MODEL'] },
    { env: { ...required, INSTRUCTOR_TOKEN: 'short' }, names: ['INSTRUCTOR_TOKEN'] },
    { env: { ...required, MAX_RUNS_IN_FLIGHT: '0' }, names: ['MAX_RUNS_IN_FLIGHT'] },
    { env: { ...required, GEMINI_RATE_LIMIT_RPM: '0' }, names: ['GEMINI_RATE_LIMIT_RPM'] },
    { env: { ...required, JUDGE: 'gpt' }, names: ['JUDGE'] },
    { env: { ...required, JUDGE_MODEL: 'Flash!' }, names: ['JUDGE_MODEL'] },
    { env: { ...required, IMAGE_PROVIDER: 'gemini', GEMINI_TIMEOUT_SECONDS: '100', LEASE_SECONDS: '120' }, names: ['LEASE_SECONDS', 'GEMINI_TIMEOUT_SECONDS'] },
  ])('names the variable at fault: $names', ({ env, names }) => {
    expect(() => loadConfig(env)).toThrow(new RegExp(names.join('.*')));
  });
});
