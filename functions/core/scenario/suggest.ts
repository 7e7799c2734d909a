/**
 * "Did you mean …?" for names a person typed: placeholders, fields, categories, scenarios.
 * A suggestion is offered only when one known name is clearly closest, so it never misleads.
 */

/** Levenshtein distance, with an early exit once it exceeds `limit`. */
export function editDistance(a: string, b: string, limit = Infinity): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      const value = Math.min((previous[j] as number) + 1, (current[j - 1] as number) + 1, (previous[j - 1] as number) + cost);
      current.push(value);
      rowMin = Math.min(rowMin, value);
    }
    if (rowMin > limit) return limit + 1;
    previous = current;
  }
  return previous[b.length] as number;
}

/**
 * The known name closest to `typed`, within a third of its length (at least 1, at most 3 edits,
 * letter case ignored), or undefined when none is that close or two are equally close.
 */
export function closestName(typed: string, known: Iterable<string>): string | undefined {
  const limit = Math.min(3, Math.max(1, Math.floor(typed.length / 3)));
  let best: string | undefined;
  let bestDistance = limit + 1;
  let tie = false;
  for (const name of new Set(known)) {
    if (name === typed) continue;
    const distance = editDistance(typed.toLowerCase(), name.toLowerCase(), limit);
    if (distance < bestDistance) [best, bestDistance, tie] = [name, distance, false];
    else if (distance === bestDistance) tie = true;
  }
  return tie || bestDistance > limit ? undefined : best;
}
