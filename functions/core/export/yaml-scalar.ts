/**
 * A YAML double-quoted scalar for any string, so text from a request can never break the YAML
 * header of the dataset card. JSON.stringify is not enough: it leaves DEL, the C1 controls, NEL and
 * the line and paragraph separators raw, and YAML forbids the first two and folds the others.
 * Pure; no YAML library is needed for one kind of scalar.
 */

/** What YAML lets stand raw in a double-quoted scalar without changing its value (YAML 1.2 §5.1, minus line breaks and the BOM). */
const safe = (code: number): boolean =>
  (code >= 0x20 && code <= 0x7e && code !== 0x22 && code !== 0x5c) ||
  (code >= 0xa0 && code <= 0xd7ff && code !== 0x2028 && code !== 0x2029) ||
  (code >= 0xe000 && code <= 0xfffd && code !== 0xfeff) ||
  (code >= 0x10000 && code <= 0x10ffff);

const SHORT_ESCAPES: ReadonlyMap<number, string> = new Map([
  [0x00, '\\0'],
  [0x09, '\\t'],
  [0x0a, '\\n'],
  [0x0d, '\\r'],
  [0x22, '\\"'],
  [0x5c, '\\\\'],
]);

const hex = (code: number, digits: number): string => code.toString(16).toUpperCase().padStart(digits, '0');

export function yamlString(value: string): string {
  let out = '"';
  for (const char of value) {
    const code = char.codePointAt(0) ?? 0xfffd;
    // A lone surrogate cannot be written as UTF-8 at all: it becomes the replacement character.
    if (code >= 0xd800 && code <= 0xdfff) out += '\\uFFFD';
    else if (safe(code)) out += char;
    else out += SHORT_ESCAPES.get(code) ?? (code <= 0xff ? `\\x${hex(code, 2)}` : `\\u${hex(code, 4)}`);
  }
  return `${out}"`;
}
