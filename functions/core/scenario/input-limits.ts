/**
 * Limits on what a client may send, checked before any costly work: how deep a JSON body may
 * nest, which names Firestore reserves, and how long a planned prompt may be. Pure.
 */

/** Our deepest schema (a run request's scenario → categories → category → variables → axis → value) is 6; 32 leaves room. */
export const MAX_JSON_DEPTH = 32;

/**
 * The longest prompt a scenario may produce, in UTF-8 bytes. A prompt is stored in one Firestore
 * document (1 MiB at most) and sent to the model; 16 KiB holds the longest context, template and
 * style the scenario schema allows, each used once, and bounds a 500-prompt run's text at 8 MiB.
 */
export const MAX_PROMPT_BYTES = 16 * 1024;

/**
 * Distinct placeholders one template may use. Each becomes a field of every prompt document,
 * indexed by Firestore, so this bounds the index writes per prompt; real scenarios use about 10.
 */
export const MAX_TEMPLATE_AXES = 64;

/**
 * Reference photographs one prompt may carry (a category's and the run's together). Each is an
 * image part of the model's input (up to 1,032 tokens at the stored 1024 px), and three keep the
 * request well inside Gemini's input budget while a prompt stays mostly text-led.
 */
export const MAX_REFERENCES_PER_PROMPT = 3;

/** Distinct references one run may name in all: each is read (and checked) before the run is accepted. */
export const MAX_REFERENCES_PER_RUN = 20;

/** A reference id as the api hands them out; the same shape as every other id in a path. */
export const REFERENCE_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** Firestore reserves document ids and field names of the form `__…__`. */
export const isReservedName = (name: string): boolean => /^__.*__$/s.test(name);

/** True when `value` nests deeper than `max` arrays or objects. Iterative, so no depth can overflow the stack. */
export function nestsDeeperThan(value: unknown, max: number): boolean {
  const stack: Array<{ value: unknown; depth: number }> = [{ value, depth: 0 }];
  while (stack.length > 0) {
    const { value: current, depth } = stack.pop() as { value: unknown; depth: number };
    if (current === null || typeof current !== 'object') continue;
    if (depth + 1 > max) return true;
    for (const child of Object.values(current)) if (child !== null && typeof child === 'object') stack.push({ value: child, depth: depth + 1 });
  }
  return false;
}

const ownKeys = (value: unknown): string[] => (value !== null && typeof value === 'object' && !Array.isArray(value) ? Object.keys(value) : []);

/**
 * The first category or axis name in a raw (unvalidated) scenario that Firestore reserves, with its
 * path. Checked on the raw JSON because a schema parser may drop a key such as `__proto__` silently.
 */
export function reservedScenarioName(scenario: unknown): { path: string; name: string } | null {
  const raw = scenario as { variables?: unknown; categories?: unknown } | null;
  const found = (path: string, names: string[]) => {
    const name = names.find(isReservedName);
    return name === undefined ? null : { path: `${path}.${name}`, name };
  };
  const inShared = found('scenario.variables', ownKeys(raw?.variables));
  if (inShared) return inShared;
  const categories = ownKeys(raw?.categories);
  const inCategories = found('scenario.categories', categories);
  if (inCategories) return inCategories;
  for (const name of categories) {
    const category = (raw?.categories as Record<string, { variables?: unknown }>)[name];
    const inAxes = found(`scenario.categories.${name}.variables`, ownKeys(category?.variables));
    if (inAxes) return inAxes;
  }
  return null;
}

/**
 * The path of the first object, at any depth, with an own `__proto__` key, such as `scenario.image`
 * ('' for the value itself). JSON.parse makes `__proto__` an ordinary own key, but a schema parser
 * copying a record assigns it and so sets the copy's prototype instead: the key vanishes without an
 * error. So it is looked for on the raw JSON, iteratively, and refused like any unknown field.
 */
export function ownPrototypeKeyPath(value: unknown): string | null {
  const stack: Array<{ value: unknown; path: string }> = [{ value, path: '' }];
  while (stack.length > 0) {
    const { value: current, path } = stack.pop() as { value: unknown; path: string };
    if (current === null || typeof current !== 'object') continue;
    if (!Array.isArray(current) && Object.hasOwn(current, '__proto__')) return path;
    for (const [key, child] of Object.entries(current)) {
      if (child !== null && typeof child === 'object') stack.push({ value: child, path: path ? `${path}.${key}` : key });
    }
  }
  return null;
}

const PLACEHOLDER = /\{([^{}]*)\}/g;

/**
 * An upper bound, in UTF-8 bytes, on every prompt a template can produce: each placeholder filled
 * with the longest value it can take. Linear in the template; no prompt is built to find it.
 */
export function longestPromptBytes(template: string, longestValueBytes: (placeholder: string) => number): number {
  let bytes = Buffer.byteLength(template.replace(PLACEHOLDER, ''));
  for (const match of template.matchAll(PLACEHOLDER)) bytes += longestValueBytes(match[1] ?? '');
  return bytes;
}
