/** Suggestions for a mistyped name: the closest known name, when it is close enough to be the one meant. */

/** Edit distance with adjacent transpositions (optimal string alignment), so `wether`/`weather` and `cuont`/`count` are 1 apart. */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min((d[i - 1]?.[j] ?? 0) + 1, (d[i]?.[j - 1] ?? 0) + 1, (d[i - 1]?.[j - 1] ?? 0) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, (d[i - 2]?.[j - 2] ?? 0) + 1);
      (d[i] as number[])[j] = best;
    }
  }
  return d[a.length]?.[b.length] ?? 0;
}

/** The known name closest to `typed`: within a third of its length in edits, or one that contains the typed text. */
export function closest(typed: string, known: Iterable<string>): string | undefined {
  const lower = typed.toLowerCase();
  let best: { name: string; distance: number } | undefined;
  for (const name of known) {
    if (name === typed) continue;
    const distance = name.toLowerCase() === lower ? 0 : editDistance(lower, name.toLowerCase());
    const limit = typed.length < 3 ? 0 : Math.max(1, Math.floor(typed.length / 3));
    const contains = lower.length >= 4 && name.toLowerCase().includes(lower);
    if ((distance <= limit || contains) && (!best || distance < best.distance)) best = { name, distance };
  }
  return best?.name;
}

/** `; did you mean "x"?` or nothing; `quote` formats the name as it would be typed. */
export function didYouMean(typed: string, known: Iterable<string>, quote: (name: string) => string = (name) => `"${name}"`): string {
  const match = closest(typed, known);
  return match === undefined ? '' : `; did you mean ${quote(match)}?`;
}
