/** The tokens of one HCL expression, and where a `${…}` or a quoted string inside it ends. */
export type Token = { kind: 'number'; value: number } | { kind: 'string'; value: string } | { kind: 'name'; value: string } | { kind: 'op'; value: string };

const OPERATORS = ['==', '!=', '<=', '>=', '&&', '||', '(', ')', '[', ']', '{', '}', ',', '.', ':', '?', '=', '<', '>', '!', '+', '-', '*', '/', '%'];

/** The end (exclusive) of a `${…}` whose `${` ends at `start`, skipping quoted strings and nested braces. */
export function interpolationEnd(text: string, start: number): number {
  let depth = 1;
  for (let i = start; i < text.length; i++) {
    const char = text[i];
    if (char === '"') i = stringEnd(text, i + 1);
    else if (char === '{') depth++;
    else if (char === '}' && --depth === 0) return i;
  }
  throw new Error(`unclosed \${ in ${text}`);
}

/** The index of the quote closing a string that starts at `start` (just after its opening quote). */
function stringEnd(text: string, start: number): number {
  for (let i = start; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text.startsWith('${', i)) i = interpolationEnd(text, i + 2);
    else if (text[i] === '"') return i;
  }
  throw new Error(`unclosed string in ${text}`);
}

export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  for (let i = 0; i < text.length; ) {
    const rest = text.slice(i);
    const space = /^\s+/.exec(rest);
    const number = /^\d+(\.\d+)?/.exec(rest);
    const name = /^[A-Za-z_][A-Za-z0-9_-]*/.exec(rest);
    if (space) i += space[0].length;
    else if (number) {
      tokens.push({ kind: 'number', value: Number(number[0]) });
      i += number[0].length;
    } else if (name) {
      tokens.push({ kind: 'name', value: name[0] });
      i += name[0].length;
    } else if (text[i] === '"') {
      const end = stringEnd(text, i + 1);
      tokens.push({ kind: 'string', value: text.slice(i + 1, end) });
      i = end + 1;
    } else {
      const op = OPERATORS.find((candidate) => rest.startsWith(candidate));
      if (!op) throw new Error(`unexpected "${text[i]}" in ${text}`);
      tokens.push({ kind: 'op', value: op });
      i += op.length;
    }
  }
  return tokens;
}

