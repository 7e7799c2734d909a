import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../functions/config.js';

const required = { GOOGLE_CLOUD_PROJECT: 'p', IMAGE_BUCKET: 'bucket-1' };

describe('loadConfig', () => {
  it('applies defaults', () => {
    expect(loadConfig(required)).toEqual({ projectId: 'p', bucket: 'bucket-1', previewBucket: 'bucket-1-previews', referenceBucket: 'bucket-1-references', generationTopic: 'image-generation', provider: 'embedded', gemini: { model: 'gemini-2.5-flash-image', requestsPerMinute: 60, timeoutMs: 60_000 }, judge: { mode: 'none', model: 'gemini-2.5-flash', requestsPerMinute: 60, timeoutMs: 30_000 }, leaseMs: 120_000, maxAttempts: 5, retentionMs: 30 * 86_400_000, storageEndpoint: undefined, operationLog: undefined,
      instructorToken: undefined, quotas: { defaultImageQuota: 100, maxImagesPerRun: 100, maxRunsInFlight: 2 },
      reconcile: { intervalMs: 60_000, staleMs: 600_000, generateDeadlineMs: 5_400_000, assessDeadlineMs: 1_800_000 }, writeLimits: { runs: 20, reviews: 120, participants: 60, previews: 30 } });
  });

  it('keeps previews in a bucket of their own, named beside the images unless set', () => {
    expect(loadConfig({ ...required, PREVIEW_BUCKET: 'thumbs-1' }).previewBucket).toBe('thumbs-1');
  });

  it('keeps reference photographs out of the images bucket', () => {
    expect(loadConfig({ ...required, REFERENCE_BUCKET: 'refs-1' }).referenceBucket).toBe('refs-1');
    expect(() => loadConfig({ ...required, REFERENCE_BUCKET: 'bucket-1' })).toThrow(/REFERENCE_BUCKET must differ from IMAGE_BUCKET/);
  });

  it('reads per-caller write limits, keeping the defaults of kinds left out', () => {
    expect(loadConfig({ ...required, WRITE_RATE_LIMITS: 'reviews=5,runs=600' }).writeLimits).toEqual({ runs: 600, reviews: 5, participants: 60, previews: 30 });
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
    { env: { ...required, WRITE_RATE_LIMITS: 'reviews=0' }, names: ['WRITE_RATE_LIMITS'] },
    { env: { ...required, WRITE_RATE_LIMITS: 'uploads=5' }, names: ['WRITE_RATE_LIMITS'] },
    { env: { ...required, JUDGE: 'gpt' }, names: ['JUDGE'] },
    { env: { ...required, JUDGE_MODEL: 'Flash!' }, names: ['JUDGE_MODEL'] },
    { env: { ...required, IMAGE_PROVIDER: 'gemini', GEMINI_TIMEOUT_SECONDS: '100', LEASE_SECONDS: '120' }, names: ['LEASE_SECONDS', 'GEMINI_TIMEOUT_SECONDS'] },
    { env: { ...required, RECONCILE_INTERVAL_SECONDS: '0' }, names: ['RECONCILE_INTERVAL_SECONDS'] },
    { env: { ...required, RECONCILE_STALE_SECONDS: '600', ASSESS_DEADLINE_SECONDS: '600' }, names: ['ASSESS_DEADLINE_SECONDS', 'RECONCILE_STALE_SECONDS'] },
    { env: { ...required, RECONCILE_STALE_SECONDS: '60', GENERATE_DEADLINE_SECONDS: '30' }, names: ['GENERATE_DEADLINE_SECONDS', 'RECONCILE_STALE_SECONDS'] },
  ])('names the variable at fault: $names', ({ env, names }) => {
    expect(() => loadConfig(env)).toThrow(new RegExp(names.join('.*')));
  });
});
