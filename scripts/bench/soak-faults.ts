import { createHash } from 'node:crypto';

/**
 * The fault soak's pure half: which prompts a fake Gemini API fails and how, what it
 * answered each call with, and the figures a run's call log yields. No I/O, so it is tested
 * with tables.
 */
export type FaultKind = '429' | '429-bare' | '503' | 'slow';

export interface FaultPlan {
  kind: FaultKind;
  /** How many calls fail before one succeeds (slow answers succeed on the first call). */
  failingCalls: number;
}

/** Roughly one prompt in five gets a fault; each seed picks different prompts and kinds. */
export function faultFor(seed: number, prompt: string): FaultPlan | null {
  const [pick = 0, kind = 0] = createHash('sha256').update(`${seed}\n${prompt}`).digest();
  if (pick % 5 !== 0) return null;
  switch (kind % 5) {
    case 0:
    case 1:
      return { kind: '429', failingCalls: 1 };
    case 2:
      return { kind: '429-bare', failingCalls: 1 };
    case 3:
      return { kind: '503', failingCalls: 1 + (kind % 2) };
    default:
      return { kind: 'slow', failingCalls: 0 };
  }
}

/**
 * A quota is shared by the whole project, so real 429s come in bursts: every call in a short
 * stretch of the run fails at once. The burst covers first calls number `start` to `start + length - 1`.
 */
export function quotaBurst(seed: number): { start: number; length: number } {
  return { start: 3 + (seed % 8), length: 4 };
}

export interface CallRecord {
  prompt: string;
  at: number;
  /** The fault answered, or null for an image. Slow answers are images. */
  fault: Exclude<FaultKind, 'slow'> | null;
}

export interface Bounds {
  /** The server's RetryInfo delay for a 429 that carries one. */
  retryInfoMs: number;
  /** The generator's own backoff after the n-th failed call, when the server gave no delay. */
  backoffMs: (attempt: number) => number;
  /** The delivery's longest backoff between a nack and the redelivery. */
  maxRedeliveryMs: number;
}

export interface RunFigures {
  faults: number;
  faultedPrompts: number;
  reAsked: number;
  neverReAsked: string[];
  longestWaitMs: number;
  /** Waits longer than the server's delay plus the longest redelivery backoff. */
  lateReAsks: Array<{ prompt: string; waitMs: number; boundMs: number }>;
  billedTwice: string[];
  calls: number;
  images: number;
}

/** Figures for one run, from every call the fake API received (in time order). */
export function runFigures(calls: CallRecord[], bounds: Bounds): RunFigures {
  const byPrompt = new Map<string, CallRecord[]>();
  for (const call of calls) byPrompt.set(call.prompt, [...(byPrompt.get(call.prompt) ?? []), call]);
  const figures: RunFigures = { faults: 0, faultedPrompts: 0, reAsked: 0, neverReAsked: [], longestWaitMs: 0, lateReAsks: [], billedTwice: [], calls: calls.length, images: 0 };
  for (const [prompt, history] of byPrompt) {
    const images = history.filter((call) => call.fault === null).length;
    figures.images += Math.min(1, images);
    if (images > 1) figures.billedTwice.push(prompt);
    if (!history.some((call) => call.fault !== null)) continue;
    figures.faultedPrompts += 1;
    let reAskedAll = true;
    history.forEach((call, index) => {
      if (call.fault === null) return;
      figures.faults += 1;
      const next = history[index + 1];
      if (!next) {
        reAskedAll = false;
        return;
      }
      const waitMs = next.at - call.at;
      const serverDelay = call.fault === '429' ? bounds.retryInfoMs : bounds.backoffMs(index + 1);
      const boundMs = serverDelay + bounds.maxRedeliveryMs;
      figures.longestWaitMs = Math.max(figures.longestWaitMs, waitMs);
      if (waitMs > boundMs) figures.lateReAsks.push({ prompt, waitMs, boundMs });
    });
    if (reAskedAll) figures.reAsked += 1;
    else figures.neverReAsked.push(prompt);
  }
  return figures;
}

/** What makes the soak fail, in words; empty when the run held. */
export function violations(figures: RunFigures): string[] {
  const problems: string[] = [];
  for (const prompt of figures.neverReAsked) problems.push(`never asked again after a fault: "${prompt.slice(0, 80)}"`);
  for (const late of figures.lateReAsks) problems.push(`asked again after ${(late.waitMs / 1000).toFixed(1)} s, over the ${(late.boundMs / 1000).toFixed(1)} s bound: "${late.prompt.slice(0, 80)}"`);
  for (const prompt of figures.billedTwice) problems.push(`billed twice (two images): "${prompt.slice(0, 80)}"`);
  return problems;
}
