/**
 * Evaluates the HCL expressions that @cdktf/hcl2json leaves as `${…}` strings, for the subset infra/
 * uses in values a function sees: literals, templates, `var.`/`local.` and resource references,
 * arithmetic, comparisons, `&&`/`||`/`!`, conditionals, tuples, objects, `for` expressions and a few
 * functions. Anything else is an error that names it, so a new construct in infra/ is noticed, not
 * silently read as something else.
 */

import { interpolationEnd, tokenize } from './hcl-tokens.js';

export type HclValue = string | number | boolean | null | HclValue[] | { [key: string]: HclValue };

/** What names resolve to: variables, locals (evaluated on demand), and references to resources. */
export interface HclScope {
  variable(name: string): HclValue;
  local(name: string): HclValue;
  /** A reference outside var/local/path, e.g. `google_storage_bucket.images.name`. */
  resource(address: string): HclValue;
  path?: Record<string, HclValue>;
}

const BINARY: Array<string[]> = [['||'], ['&&'], ['==', '!='], ['<', '>', '<=', '>='], ['+', '-'], ['*', '/', '%']];

const truthy = (value: HclValue, where: string): boolean => {
  if (typeof value !== 'boolean') throw new Error(`${where} needs a bool, got ${JSON.stringify(value)}`);
  return value;
};
const numeric = (value: HclValue, where: string): number => {
  const number = typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value) ? Number(value) : value;
  if (typeof number !== 'number') throw new Error(`${where} needs a number, got ${JSON.stringify(value)}`);
  return number;
};
export const hclString = (value: HclValue): string => {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new Error(`cannot turn ${JSON.stringify(value)} into a string`);
};
const isObject = (value: HclValue): value is Record<string, HclValue> => typeof value === 'object' && value !== null && !Array.isArray(value);

const FUNCTIONS: Record<string, (args: HclValue[]) => HclValue> = {
  tostring: ([value]) => hclString(value!),
  tonumber: ([value]) => numeric(value!, 'tonumber'),
  upper: ([value]) => hclString(value!).toUpperCase(),
  lower: ([value]) => hclString(value!).toLowerCase(),
  min: (args) => Math.min(...args.map((arg) => numeric(arg, 'min'))),
  max: (args) => Math.max(...args.map((arg) => numeric(arg, 'max'))),
  ceil: ([value]) => Math.ceil(numeric(value!, 'ceil')),
  floor: ([value]) => Math.floor(numeric(value!, 'floor')),
  join: ([separator, list]) => (list as HclValue[]).map(hclString).join(hclString(separator!)),
  contains: ([list, value]) => (list as HclValue[]).some((item) => JSON.stringify(item) === JSON.stringify(value)),
  length: ([value]) => (Array.isArray(value) ? value.length : isObject(value!) ? Object.keys(value).length : hclString(value!).length),
  merge: (args) => Object.assign({}, ...args.map((arg) => (isObject(arg) ? arg : {}))),
};

/** A template: text with `${…}` interpolations. Exactly one interpolation and nothing else keeps its value's type, as in HCL. */
export function evaluateTemplate(text: string, scope: HclScope, names: Map<string, HclValue> = new Map()): HclValue {
  if (text.startsWith('${') && interpolationEnd(text, 2) === text.length - 1) return evaluateExpression(text.slice(2, -1), scope, names);
  let result = '';
  for (let i = 0; i < text.length; ) {
    if (text.startsWith('$${', i)) {
      result += '${';
      i += 3;
    } else if (text.startsWith('${', i)) {
      const end = interpolationEnd(text, i + 2);
      result += hclString(evaluateExpression(text.slice(i + 2, end), scope, names));
      i = end + 1;
    } else if (text[i] === '\\' && i + 1 < text.length) {
      const escaped = text[i + 1]!;
      result += escaped === 'n' ? '\n' : escaped === 't' ? '\t' : escaped;
      i += 2;
    } else result += text[i++];
  }
  return result;
}

/** One expression, e.g. `tostring(var.lease_seconds * 60)`; `names` holds the variables of enclosing `for` expressions. */
export function evaluateExpression(text: string, scope: HclScope, names: Map<string, HclValue> = new Map()): HclValue {
  const tokens = tokenize(text);
  let at = 0;
  const peek = (value?: string): boolean => tokens[at]?.kind === 'op' && (value === undefined || tokens[at]!.value === value);
  const expect = (value: string): void => {
    if (!peek(value)) throw new Error(`expected "${value}" at token ${at} of ${text}`);
    at++;
  };
  const name = (): string => {
    const token = tokens[at++];
    if (token?.kind !== 'name') throw new Error(`expected a name at token ${at - 1} of ${text}`);
    return token.value;
  };

  // Each parse function returns a thunk, so a conditional or `&&` evaluates only the side it takes.
  type Lazy = (bound: Map<string, HclValue>) => HclValue;
  const conditional = (): Lazy => {
    const test = binary(0);
    if (!peek('?')) return test;
    at++;
    const yes = conditional();
    expect(':');
    const no = conditional();
    return (bound) => (truthy(test(bound), '?:') ? yes(bound) : no(bound));
  };
  const binary = (level: number): Lazy => {
    if (level === BINARY.length) return unary();
    let left = binary(level + 1);
    for (let token = tokens[at]; token?.kind === 'op' && BINARY[level]!.includes(token.value); token = tokens[at]) {
      const op = token.value;
      at++;
      const [l, r] = [left, binary(level + 1)];
      left = (bound) => {
        if (op === '&&') return truthy(l(bound), op) && truthy(r(bound), op);
        if (op === '||') return truthy(l(bound), op) || truthy(r(bound), op);
        const [a, b] = [l(bound), r(bound)];
        if (op === '==') return JSON.stringify(a) === JSON.stringify(b);
        if (op === '!=') return JSON.stringify(a) !== JSON.stringify(b);
        const [x, y] = [numeric(a, op), numeric(b, op)];
        return ({ '<': x < y, '>': x > y, '<=': x <= y, '>=': x >= y, '+': x + y, '-': x - y, '*': x * y, '/': x / y, '%': x % y } as Record<string, HclValue>)[op]!;
      };
    }
    return left;
  };
  const unary = (): Lazy => {
    if (peek('!')) return (at++, ((operand) => (bound) => !truthy(operand(bound), '!'))(unary()));
    if (peek('-')) return (at++, ((operand) => (bound) => -numeric(operand(bound), '-'))(unary()));
    return postfix(primary());
  };
  const postfix = (base: { value: Lazy; path: string | null }): Lazy => {
    let { value, path } = base;
    for (;;) {
      if (peek('.')) {
        at++;
        const key = name();
        const from = value;
        value = (bound) => {
          const object = from(bound);
          if (!isObject(object) || !(key in object)) throw new Error(`no attribute "${key}" in ${text}`);
          return object[key]!;
        };
        if (path !== null) path += `.${key}`;
      } else if (peek('[') && path === null) {
        at++;
        const [from, index] = [value, conditional()];
        expect(']');
        value = (bound) => {
          const list = from(bound);
          const key = index(bound);
          const item = Array.isArray(list) ? list[numeric(key, '[]')] : isObject(list) ? list[hclString(key)] : undefined;
          if (item === undefined) throw new Error(`no element ${JSON.stringify(key)} in ${text}`);
          return item;
        };
      } else if (peek('[') && path !== null) {
        at++;
        const index = tokens[at++];
        expect(']');
        path += `[${index?.kind === 'string' ? `"${index.value}"` : String(index?.value)}]`;
      } else break;
    }
    if (path === null) return value;
    const address = path;
    return () => scope.resource(address);
  };
  const primary = (): { value: Lazy; path: string | null } => {
    const token = tokens[at++];
    if (!token) throw new Error(`unexpected end of ${text}`);
    if (token.kind === 'number') return { value: () => token.value, path: null };
    if (token.kind === 'string') return { value: (bound) => evaluateTemplate(token.value, scope, bound), path: null };
    if (token.kind === 'op' && token.value === '(') {
      const inner = conditional();
      expect(')');
      return { value: inner, path: null };
    }
    if (token.kind === 'op' && token.value === '[') return { value: tuple(), path: null };
    if (token.kind === 'op' && token.value === '{') return { value: object(), path: null };
    if (token.kind !== 'name') throw new Error(`unexpected "${token.value}" in ${text}`);
    const word = token.value;
    if (word === 'true' || word === 'false') return { value: () => word === 'true', path: null };
    if (word === 'null') return { value: () => null, path: null };
    if (peek('(')) {
      at++;
      const args: Lazy[] = [];
      while (!peek(')')) {
        args.push(conditional());
        if (peek(',')) at++;
      }
      at++;
      const fn = FUNCTIONS[word];
      if (!fn) throw new Error(`the function ${word}() is not supported here (in ${text})`);
      return { value: (bound) => fn(args.map((arg) => arg(bound))), path: null };
    }
    if (word === 'var' || word === 'local' || word === 'path') {
      expect('.');
      const key = name();
      const read = word === 'var' ? () => scope.variable(key) : word === 'local' ? () => scope.local(key) : () => scope.path?.[key] ?? null;
      return { value: read, path: null };
    }
    // A name a `for` binds, or the start of a resource reference (`google_pubsub_topic.generation.name`).
    if (names.has(word)) return { value: (bound) => bound.get(word)!, path: null };
    return { value: () => scope.resource(word), path: word };
  };
  const forBody = (close: string): Lazy => {
    const first = name();
    const second = peek(',') ? (at++, name()) : null;
    if (name() !== 'in') throw new Error(`expected "in" in ${text}`);
    const collection = conditional();
    expect(':');
    const boundNames = new Map(names);
    boundNames.set(first, null);
    if (second) boundNames.set(second, null);
    const saved = names;
    names = boundNames;
    const body = conditional();
    names = saved;
    expect(close);
    return (bound) => {
      const items = collection(bound);
      // HCL iterates a map in lexical order of its keys.
      const pairs: Array<[HclValue, HclValue]> = Array.isArray(items) ? items.map((item, index) => [index, item]) : isObject(items) ? Object.keys(items).sort().map((key) => [key, items[key]!]) : [];
      return pairs.map(([key, item]) => body(new Map([...bound, ...(second ? [[first, key], [second, item]] : [[first, item]]) as Array<[string, HclValue]>])));
    };
  };
  const tuple = (): Lazy => {
    if (tokens[at]?.kind === 'name' && tokens[at]!.value === 'for') return (at++, forBody(']'));
    const items: Lazy[] = [];
    while (!peek(']')) {
      items.push(conditional());
      if (peek(',')) at++;
    }
    at++;
    return (bound) => items.map((item) => item(bound));
  };
  const object = (): Lazy => {
    const entries: Array<[string, Lazy]> = [];
    while (!peek('}')) {
      const key = tokens[at++];
      if (key?.kind !== 'name' && key?.kind !== 'string') throw new Error(`expected an object key in ${text}`);
      if (!peek('=') && !peek(':')) throw new Error(`expected "=" after ${key.value} in ${text}`);
      at++;
      entries.push([String(key.value), conditional()]);
      if (peek(',')) at++;
    }
    at++;
    return (bound) => Object.fromEntries(entries.map(([key, value]) => [key, value(bound)]));
  };

  const expression = conditional();
  if (at !== tokens.length) throw new Error(`unexpected "${String(tokens[at]!.value)}" in ${text}`);
  return expression(names);
}
