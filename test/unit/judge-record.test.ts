import { describe, expect, it } from 'vitest';
import { decideJudgeCall, decideJudgeClaim, decideJudgeRecord, decideJudgeRelease, type JudgeRecord } from '../../functions/core/judge/index.js';

const answer = { relevance: 5 } as never;
const usage = { promptTokens: 1, outputTokens: 1, totalTokens: 2 } as never;
const options = (now: number) => ({ owner: 'second', now, leaseMs: 100 });

/** A prompt whose verdict was claimed by `first` at time 0 (lease until 100). */
function claimed(): { judge: JudgeRecord } {
  const { update } = decideJudgeClaim({ judge: null }, 'g1', 'judge-m', { owner: 'first', now: 0, leaseMs: 100 });
  return update as { judge: JudgeRecord };
}

describe('the judge call mark', () => {
  it('a claim after an expired lease with no call made claims again', () => {
    expect(decideJudgeClaim(claimed(), 'g1', 'judge-m', options(200)).result).toEqual({ kind: 'claimed', attempts: 2 });
  });

  it('a claim after an expired lease whose call went out ends the verdict failed as unknown, without a call', () => {
    const marked = decideJudgeCall(claimed(), 'g1', 'first', 10).update as { judge: JudgeRecord };
    expect(decideJudgeCall(claimed(), 'g1', 'first', 10).result).toBe(true);
    const { result, update } = decideJudgeClaim(marked, 'g1', 'judge-m', options(200));
    expect(result.kind).toBe('unknown outcome');
    expect(update?.judge).toMatchObject({ status: 'failed', reason: expect.stringMatching(/^unknown_outcome: /) as unknown });
    // A later claim sees it done: a verdict is claimed, and paid, at most once.
    expect(decideJudgeClaim(update, 'g1', 'judge-m', options(300)).result).toEqual({ kind: 'done', status: 'failed' });
    // The slow first worker's verdict arrives after all: it was paid for, so it is kept.
    expect(decideJudgeRecord(update, 'g1', 'first', { answer, usage, model: 'judge-m' }, 400)?.judge).toMatchObject({ status: 'judged', reason: null, callAt: null });
    expect(decideJudgeRecord(update, 'g1', 'someone else', { answer, usage, model: 'judge-m' }, 400)).toBeNull();
  });

  it('a live lease is busy whether or not its call went out', () => {
    const marked = decideJudgeCall(claimed(), 'g1', 'first', 10).update;
    expect(decideJudgeClaim(marked, 'g1', 'judge-m', options(50)).result.kind).toBe('busy');
  });

  it('only the lease holder marks a call; an error answer (known unpaid) clears the mark', () => {
    expect(decideJudgeCall(claimed(), 'g1', 'second', 10)).toEqual({ result: false, update: null });
    const marked = decideJudgeCall(claimed(), 'g1', 'first', 10).update;
    const released = decideJudgeRelease(marked, 'g1', 'first', '503', null);
    expect(released?.judge).toMatchObject({ callAt: null, callOwner: null });
    expect(decideJudgeClaim(released, 'g1', 'judge-m', options(20)).result).toEqual({ kind: 'claimed', attempts: 2 });
  });
});
