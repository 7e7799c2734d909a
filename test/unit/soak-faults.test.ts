import { describe, expect, it } from 'vitest';
import { faultFor, runFigures, violations, type CallRecord } from '../../scripts/bench/soak-faults.js';

const bounds = { retryInfoMs: 2000, backoffMs: (attempt: number) => 1000 * 2 ** (attempt - 1), maxRedeliveryMs: 10_000 };
const call = (prompt: string, at: number, fault: CallRecord['fault'] = null): CallRecord => ({ prompt, at, fault });

describe('fault soak figures', () => {
  it.each([
    { name: 'a clean run', calls: [call('a', 0), call('b', 5)], expected: { faults: 0, reAsked: 0, neverReAsked: [], longestWaitMs: 0, billedTwice: [] }, problems: 0 },
    { name: 'a 429 re-asked in time', calls: [call('a', 0, '429'), call('a', 3000)], expected: { faults: 1, reAsked: 1, longestWaitMs: 3000 }, problems: 0 },
    { name: 'a 429 never re-asked', calls: [call('a', 0, '429'), call('b', 10)], expected: { faults: 1, reAsked: 0, neverReAsked: ['a'] }, problems: 1 },
    { name: 'a 429 re-asked too late', calls: [call('a', 0, '429'), call('a', 12_001)], expected: { lateReAsks: [{ prompt: 'a', waitMs: 12_001, boundMs: 12_000 }] }, problems: 1 },
    { name: 'two 503s, the second waits twice as long', calls: [call('a', 0, '503'), call('a', 11_000, '503'), call('a', 23_000)], expected: { faults: 2, reAsked: 1, longestWaitMs: 12_000, lateReAsks: [] }, problems: 0 },
    { name: 'a prompt billed twice', calls: [call('a', 0), call('a', 100)], expected: { billedTwice: ['a'], calls: 2, images: 1 }, problems: 1 },
  ])('$name', ({ calls, expected, problems }) => {
    const figures = runFigures(calls, bounds);
    expect(figures).toMatchObject(expected);
    expect(violations(figures)).toHaveLength(problems);
  });

  it('faults about one prompt in five, differently for each seed', () => {
    const prompts = Array.from({ length: 2000 }, (_, i) => `prompt ${i}`);
    const faulted = prompts.filter((prompt) => faultFor(1, prompt) !== null);
    expect(faulted.length / prompts.length).toBeGreaterThan(0.15);
    expect(faulted.length / prompts.length).toBeLessThan(0.25);
    expect(new Set(faulted.map((prompt) => faultFor(1, prompt)?.kind))).toEqual(new Set(['429', '429-bare', '503', 'slow']));
    expect(prompts.filter((prompt) => faultFor(2, prompt) !== null)).not.toEqual(faulted);
  });
});
