/**
 * What a dataset path may be made of. A client writing files from a server's answers checks
 * every component it received against these, since a compromised server could send
 * `../../x` as a category. Pure; the writer also confirms each resolved path stays inside.
 */
export const SAFE_CATEGORY = /^[a-z0-9_-]{1,100}$/;
export const SAFE_PROMPT_ID = /^p[0-9]{1,6}$/;
export const SAFE_RUN_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** The first prompt field that cannot be a path component, described for an error message; null when all are safe. */
export function unsafePathComponent(runId: unknown, prompts: Array<{ category: unknown; promptId: unknown }>): string | null {
  if (typeof runId !== 'string' || !SAFE_RUN_ID.test(runId)) return `run id ${JSON.stringify(runId)}`;
  for (const prompt of prompts) {
    if (typeof prompt.promptId !== 'string' || !SAFE_PROMPT_ID.test(prompt.promptId)) return `prompt id ${JSON.stringify(prompt.promptId)}`;
    if (typeof prompt.category !== 'string' || !SAFE_CATEGORY.test(prompt.category)) return `category ${JSON.stringify(prompt.category)} of prompt ${prompt.promptId}`;
  }
  return null;
}

/**
 * A relative POSIX path of plain components: no absolute path, no `.` or `..`, no backslash,
 * no empty segment and no control character. Checked on text, before any path is resolved.
 */
export function isPlainRelativePath(path: string): boolean {
  if (path.length === 0 || path.length > 1024 || path.includes('\\') || [...path].some((char) => char.charCodeAt(0) < 0x20)) return false;
  return path.split('/').every((segment) => segment !== '' && segment !== '.' && segment !== '..' && !/^[A-Za-z]:$/.test(segment));
}
