import { describe, expect, it } from 'vitest';
import { createProgress, imagesPerSecond, renderBar, type ProgressState } from '../../scripts/client/progress.js';

const states: ProgressState[] = [
  { total: 500, done: 0, failed: 0, detail: 'queued 500 · generating 0 · assessing 0' },
  { total: 500, done: 137, failed: 12, detail: 'queued 250 · generating 100 · assessing 13' },
  { total: 500, done: 500, failed: 499, detail: 'queued 0 · generating 0 · assessing 0' },
  { total: 1, done: 1, failed: 0, detail: '' },
];

describe('renderBar', () => {
  it.each([40, 80, 200, 12, 5, 1])('never draws a line wider than %i columns', (width) => {
    for (const state of states) {
      for (const elapsed of [0, 1500, 3_600_000]) expect(renderBar(state, width, elapsed).length).toBeLessThanOrEqual(width);
    }
  });

  it.each([
    [200, '[########----------------------] 137/500 done · 12 failed · 12.50 images/s · queued 250 · generating 100 · assessing 13'],
    [80, '[########----------------------] 137/500 done · 12 failed · 12.50 images/s'],
    [40, '[####---------] 137/500 done · 12 failed'],
    [20, '137/500 done'],
  ])('keeps what matters most at %i columns', (width, expected) => {
    expect(renderBar(states[1] as ProgressState, width, 10_000)).toBe(expected);
  });
});

describe('createProgress on a terminal', () => {
  it.each([40, 80, 200])('redraws in place within %i columns', (columns) => {
    const writes: string[] = [];
    const stream = { isTTY: true, columns, write: (text: string) => writes.push(text) } as unknown as NodeJS.WriteStream;
    let clock = 0;
    const progress = createProgress({ stream, now: () => clock, startedAt: 0, interactive: true });
    for (const state of states) {
      clock += 2000;
      progress.update(state);
    }
    progress.finish();
    const lines = writes.join('').replaceAll('\r\u001b[2K', '\n').split('\n');
    expect(lines.filter(Boolean).length).toBe(states.length);
    for (const line of lines) expect(line.length).toBeLessThan(columns);
  });
});

describe('imagesPerSecond', () => {
  it.each([
    [10, 4000, '2.50 images/s'],
    [0, 1000, '0.00 images/s'],
    [5, 0, '0.00 images/s'],
  ])('%i images in %i ms is %s', (images, ms, expected) => expect(imagesPerSecond(images, ms)).toBe(expected));
});
