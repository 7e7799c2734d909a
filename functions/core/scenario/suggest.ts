/**
 * "Did you mean …?" for names a person typed: placeholders, fields, categories, scenarios, command
 * options, file names. One rule everywhere, so the api and the commands suggest the same names.
 * A suggestion is offered only when one known name is clearly closest, so it never misleads.
 */

/**
 * Edit distance with adjacent transpositions (optimal string alignment), so `wether`/`weather` and
 * `cuont`/`count` are 1 apart: a swapped pair is the commonest typo. Exits early once every value in
 * a row exceeds `limit`, since later rows can only grow.
 */
export function editDistance(a: string, b: string, limit = Infinity): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let beforePrevious: number[] = [];
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min((previous[j] as number) + 1, (current[j - 1] as number) + 1, (previous[j - 1] as number) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) value = Math.min(value, (beforePrevious[j - 2] as number) + 1);
      current.push(value);
      rowMin = Math.min(rowMin, value);
    }
    if (rowMin > limit) return limit + 1;
    [beforePrevious, previous] = [previous, current];
  }
  return previous[b.length] as number;
}

/**
 * The known name closest to `typed` (letter case ignored): within a third of its length in edits
 * (at least 1, at most 3; none for fewer than 3 letters, where everything is close), or one that
 * contains the typed text when that is 4 letters or more (`protest` → `protest_scenes`).
 * Undefined when none qualifies or two qualify equally well.
 */
export function closestName(typed: string, known: Iterable<string>): string | undefined {
  const lower = typed.toLowerCase();
  const limit = typed.length < 3 ? 0 : Math.min(3, Math.max(1, Math.floor(typed.length / 3)));
  let best: string | undefined;
  let bestDistance = Infinity;
  let tie = false;
  for (const name of new Set(known)) {
    if (name === typed) continue;
    const other = name.toLowerCase();
    const contains = lower.length >= 4 && other.includes(lower);
    const distance = editDistance(lower, other, contains ? Infinity : limit);
    if (distance > limit && !contains) continue;
    if (distance < bestDistance) [best, bestDistance, tie] = [name, distance, false];
    else if (distance === bestDistance) tie = true;
  }
  return tie ? undefined : best;
}

/** `; did you mean "x"?` or nothing; `quote` formats the name as it would be typed. */
export function didYouMean(typed: string, known: Iterable<string>, quote: (name: string) => string = (name) => `"${name}"`): string {
  const match = closestName(typed, known);
  return match === undefined ? '' : `; did you mean ${quote(match)}?`;
}
