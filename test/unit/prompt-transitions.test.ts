import { describe, expect, it } from 'vitest';
import { decideAssessment, decideClaim, decideFailed, decideGenerated, decideModelCall, decideRelease } from '../../functions/core/runs/index.js';
import { newPromptRecord, type PromptRecord } from '../../functions/core/runs/index.js';

const base = newPromptRecord('r1', { promptId: 'p0001', index: 1, category: 'c', prompt: 'p', variables: {}, seed: 1 });
const prompt = (patch: Partial<PromptRecord>): PromptRecord => ({ ...base, ...patch });
const metrics = { width: 1, height: 1, resolutionScore: 0, colourVariance: 0, brightness: 0 } as never;

describe('decideClaim', () => {
  const options = { owner: 'me', now: 1000, leaseMs: 100 };
  it.each([
    { name: 'a missing prompt', current: null, kind: 'missing' },
    { name: 'a planned prompt', current: prompt({}), kind: 'claimed' },
    { name: 'an expired lease', current: prompt({ status: 'generating', leaseOwner: 'other', leaseExpiresAt: 999, attempts: 1 }), kind: 'claimed' },
    { name: 'a released lease', current: prompt({ status: 'generating', leaseOwner: null, leaseExpiresAt: null, attempts: 1 }), kind: 'claimed' },
    { name: 'a live lease', current: prompt({ status: 'generating', leaseOwner: 'other', leaseExpiresAt: 1001, attempts: 1 }), kind: 'busy' },
    { name: 'a generated prompt', current: prompt({ status: 'generated' }), kind: 'finished' },
    { name: 'an assessed prompt', current: prompt({ status: 'assessed' }), kind: 'finished' },
    { name: 'a failed prompt', current: prompt({ status: 'failed' }), kind: 'finished' },
  ])('$name → $kind', ({ current, kind }) => {
    const { result, update } = decideClaim(current, options);
    expect(result.kind).toBe(kind);
    expect(update !== null).toBe(kind === 'claimed');
    if (update) expect(update).toMatchObject({ status: 'generating', leaseOwner: 'me', leaseExpiresAt: 1100, attempts: (current?.attempts ?? 0) + 1 });
  });
});

describe('decideGenerated', () => {
  const info = { objectName: 'o', objectGeneration: '5', model: 'm', renderMs: 12, now: 0 };
  it.each([
    { name: 'generating → generated', current: prompt({ status: 'generating' }), status: 'generated' },
    { name: 'assessed stays assessed (the assessor was first)', current: prompt({ status: 'assessed' }), status: 'assessed' },
    { name: 'failed stays failed', current: prompt({ status: 'failed' }), status: undefined },
    { name: 'cancelled stays cancelled', current: prompt({ status: 'failed', failureReason: 'cancelled' }), status: undefined },
    { name: 'an outcome given up as unknown is revived by the late image', current: prompt({ status: 'failed', failureReason: 'unknown_outcome: x' }), status: 'generated' },
  ])('$name', ({ current, status }) => {
    expect(decideGenerated(current, info)?.status).toBe(status === 'assessed' ? undefined : status);
  });
});

describe('decideModelCall', () => {
  it.each([
    { name: 'the lease holder', current: prompt({ status: 'generating', leaseOwner: 'me' }), result: 'go' },
    { name: 'a lease taken over', current: prompt({ status: 'generating', leaseOwner: 'other' }), result: 'lease lost' },
    { name: 'a cancelled prompt', current: prompt({ status: 'failed', failureReason: 'cancelled' }), result: 'cancelled' },
    { name: 'a purged prompt', current: null, result: 'missing' },
  ])('$name → $result, marking the call only when it goes', ({ current, result }) => {
    const decision = decideModelCall(current, 'me', 4242);
    expect(decision.result).toBe(result);
    expect(decision.update).toEqual(result === 'go' ? { modelCallAt: 4242 } : null);
  });
  it('the mark is cleared by every recorded outcome, and kept when another worker holds the lease', () => {
    const marked = prompt({ status: 'generating', leaseOwner: 'me', modelCallAt: 4242 });
    expect(decideGenerated(marked, { objectName: 'o', objectGeneration: '5', model: 'm', renderMs: 1, now: 0 })?.modelCallAt).toBeNull();
    expect(decideFailed(marked, 'x')?.modelCallAt).toBeNull();
    expect(decideRelease(marked, 'me', 'e')?.modelCallAt).toBeNull();
    expect(decideRelease(marked, 'other', 'e')).toEqual({ lastError: 'e' });
  });
});

describe('decideFailed and decideRelease', () => {
  it('never turns a finished prompt into a failure', () => {
    expect(decideFailed(prompt({ status: 'assessed' }), 'x')).toBeNull();
    expect(decideFailed(prompt({ status: 'generating' }), 'x')).toMatchObject({ status: 'failed', failureReason: 'x' });
  });
  it('releases only its own lease', () => {
    expect(decideRelease(prompt({ status: 'generating', leaseOwner: 'me' }), 'me', 'e')).toEqual({ lastError: 'e', leaseOwner: null, leaseExpiresAt: null, modelCallAt: null });
    expect(decideRelease(prompt({ status: 'generating', leaseOwner: 'other' }), 'me', 'e')).toEqual({ lastError: 'e' });
  });
  it('gives the attempt back when no model call was made, and only then', () => {
    const held = prompt({ status: 'generating', leaseOwner: 'me', attempts: 2 });
    expect(decideRelease(held, 'me', 'e', 5000, { refundAttempt: true })).toEqual({ lastError: 'e', leaseOwner: 'backoff', leaseExpiresAt: 5000, modelCallAt: null, attempts: 1 });
    expect(decideRelease(held, 'me', 'e', 5000)).toEqual({ lastError: 'e', leaseOwner: 'backoff', leaseExpiresAt: 5000, modelCallAt: null });
    expect(decideRelease(prompt({ status: 'generating', leaseOwner: 'other', attempts: 2 }), 'me', 'e', null, { refundAttempt: true })).toEqual({ lastError: 'e' });
  });
});

describe('decideAssessment', () => {
  it.each([
    { name: 'records metrics', current: prompt({ status: 'generated' }), outcome: { metrics }, result: 'recorded', status: 'assessed' },
    { name: 'records before the generator finishes', current: prompt({ status: 'generating' }), outcome: { metrics }, result: 'recorded', status: 'assessed' },
    { name: 'records an unreadable image as failed', current: prompt({ status: 'generated' }), outcome: { failure: 'unreadable: x' }, result: 'recorded', status: 'failed' },
    { name: 'ignores the same generation twice', current: prompt({ status: 'assessed', assessedGeneration: '7' }), outcome: { metrics }, result: 'duplicate', status: undefined },
  ])('$name', ({ current, outcome, result, status }) => {
    const decision = decideAssessment(current, '7', outcome, 0);
    expect(decision.result).toBe(result);
    expect(decision.update?.status).toBe(status);
    if (decision.update) expect(decision.update.objectName).toBe('runs/r1/c/p0001.png');
  });
});
