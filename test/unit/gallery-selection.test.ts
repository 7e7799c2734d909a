/** The gallery's card selection (selection.js): what Shift+arrows, Ctrl+click, Ctrl+A, Esc and a filter change leave selected. */
import { describe, expect, it } from 'vitest';

interface Prompt { promptId: string }
interface SelectionLike {
  cursor: number;
  count: number;
  moveTo(index: number): void;
  extendTo(index: number, visible: Prompt[]): void;
  toggle(index: number, visible: Prompt[]): void;
  all(visible: Prompt[]): void;
  clear(): void;
  keepOnly(visible: Prompt[]): void;
  prompts(visible: Prompt[]): Prompt[];
}
// The gallery's plain-JS module, loaded by URL: it has no type declarations.
const { Selection } = (await import(new URL('../../functions/gallery/assets/selection.js', import.meta.url).href)) as { Selection: new () => SelectionLike };

const grid = Array.from({ length: 10 }, (_, i) => ({ promptId: `p${i + 1}` }));
const ids = (selection: SelectionLike, visible = grid) => selection.prompts(visible).map((p) => p.promptId);

describe('gallery selection', () => {
  it('is the cursor alone until Shift extends it, in either direction, from where it began', () => {
    const selection = new Selection();
    selection.moveTo(4);
    expect(ids(selection)).toEqual(['p5']);
    selection.extendTo(6, grid);
    expect(ids(selection)).toEqual(['p5', 'p6', 'p7']);
    selection.extendTo(2, grid); // back past the start: the range flips around the anchor
    expect(ids(selection)).toEqual(['p3', 'p4', 'p5']);
    expect(selection.cursor).toBe(2);
    selection.moveTo(8); // a plain move drops the marks
    expect([ids(selection), selection.count]).toEqual([['p9'], 0]);
  });

  it('toggles single cards with Ctrl, keeping the one it started from', () => {
    const selection = new Selection();
    selection.moveTo(0);
    selection.toggle(3, grid);
    selection.toggle(5, grid);
    expect(ids(selection)).toEqual(['p1', 'p4', 'p6']);
    selection.toggle(3, grid);
    expect(ids(selection)).toEqual(['p1', 'p6']);
  });

  it('selects every card shown, forgets cards a filter hides, and Esc leaves the cursor alone', () => {
    const selection = new Selection();
    selection.moveTo(1);
    selection.all(grid);
    expect(selection.count).toBe(10);
    const shown = grid.filter((_, i) => i % 2 === 0);
    selection.keepOnly(shown);
    expect(ids(selection, grid)).toEqual(['p1', 'p3', 'p5', 'p7', 'p9']); // a hidden card is never acted on
    selection.clear();
    expect(ids(selection)).toEqual(['p2']);
  });
});
