import { describe, expect, it } from 'vitest';
import { usableVerdict, type UsableInput } from '../../functions/core/runs/index.js';
// The gallery's copy, so its counts change as soon as a rating does; it must agree with the export's.
const { usableVerdict: galleryVerdict } = (await import(new URL('../../functions/gallery/assets/usable.js', import.meta.url).href)) as { usableVerdict: typeof usableVerdict };

const review = (relevance: number | null, inappropriate = false) => ({ relevance, inappropriate });

describe('usableVerdict', () => {
  const cases: Array<[string, UsableInput, boolean, string[]]> = [
    ['no issue, no review', { issues: [], review: null }, true, []],
    ['an issue flag', { issues: ['dark'], review: null }, false, ['issue:dark']],
    ['rated 3', { issues: [], review: review(3) }, true, []],
    ['rated 2', { issues: [], review: review(2) }, false, ['rated 2 (below 3)']],
    ['reviewed without a rating', { issues: [], review: review(null) }, true, []],
    ['marked inappropriate', { issues: [], review: review(5, true) }, false, ['marked inappropriate']],
    ['every reason at once', { issues: ['blurry', 'constructor'], review: review(1, true) }, false, ['issue:blurry', 'issue:constructor', 'rated 1 (below 3)', 'marked inappropriate']],
  ];
  it.each(cases)('%s', (_name, input, usable, reasons) => {
    expect(usableVerdict(input)).toEqual({ usable, reasons });
    expect(galleryVerdict(input)).toEqual({ usable, reasons });
  });
});
