import { readFile } from 'node:fs/promises';
import type { Request, Response } from '@google-cloud/functions-framework';

/**
 * The review gallery's static files, served by the `api` function before its router.
 * Only the files named here are served, so no request path ever reaches the file system.
 */

export const GALLERY_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; connect-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'";

/** Headers for every gallery response; the API can reuse them on its JSON answers. */
export const GALLERY_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': GALLERY_CSP,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
};

const HTML = 'text/html; charset=utf-8';
const JS = 'text/javascript; charset=utf-8';
const CSS = 'text/css; charset=utf-8';

/** URL path → [file under the assets folder, Content-Type]. */
const FILES: ReadonlyMap<string, readonly [string, string]> = new Map([
  ['/', ['index.html', HTML]],
  ['/index.html', ['index.html', HTML]],
  ['/assets/gallery.js', ['gallery.js', JS]],
  ['/assets/api.js', ['api.js', JS]],
  ['/assets/cards.js', ['cards.js', JS]],
  ['/assets/detail.js', ['detail.js', JS]],
  ['/assets/dom.js', ['dom.js', JS]],
  ['/assets/filters.js', ['filters.js', JS]],
  ['/assets/judge.js', ['judge.js', JS]],
  ['/assets/review.js', ['review.js', JS]],
  ['/assets/review-checks.js', ['review-checks.js', JS]],
  ['/assets/spot-check.js', ['spot-check.js', JS]],
  ['/assets/runs.js', ['runs.js', JS]],
  ['/assets/newrun.js', ['newrun.js', JS]],
  ['/assets/regenerate.js', ['regenerate.js', JS]],
  ['/assets/keys.js', ['keys.js', JS]],
  ['/assets/session.js', ['session.js', JS]],
  ['/assets/run-view.js', ['run-view.js', JS]],
  ['/assets/download.js', ['download.js', JS]],
  ['/assets/explain.js', ['explain.js', JS]],
  ['/assets/legend.js', ['legend.js', JS]],
  ['/assets/usable.js', ['usable.js', JS]],
  ['/assets/selection.js', ['selection.js', JS]],
  ['/assets/bulk-review.js', ['bulk-review.js', JS]],
  ['/assets/zoom.js', ['zoom.js', JS]],
  ['/assets/grid-actions.js', ['grid-actions.js', JS]],
  ['/assets/reference-copy.js', ['reference-copy.js', JS]],
  ['/assets/gallery.css', ['gallery.css', CSS]],
]);

export interface GalleryOptions {
  /** Folder holding the files; defaults to the assets folder next to the compiled handlers. */
  assetsDir?: string | URL;
}

export function makeGalleryHandler(options: GalleryOptions = {}): (req: Request, res: Response) => Promise<boolean> {
  const base = options.assetsDir ?? new URL('../gallery/assets/', import.meta.url);
  const dir = typeof base === 'string' ? (base.endsWith('/') ? base : `${base}/`) : base;
  const cache = new Map<string, Promise<Buffer>>();

  function load(file: string): Promise<Buffer> {
    let bytes = cache.get(file);
    if (!bytes) {
      bytes = typeof dir === 'string' ? readFile(`${dir}${file}`) : readFile(new URL(file, dir));
      // A failed read is not cached, so a file that appears later (a rebuild) is served then.
      bytes.catch(() => cache.delete(file));
      cache.set(file, bytes);
    }
    return bytes;
  }

  return async function gallery(req: Request, res: Response): Promise<boolean> {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    const entry = FILES.get(req.path);
    if (!entry) return false;
    const [file, type] = entry;
    let body: Buffer;
    try {
      body = await load(file);
    } catch {
      // An optional module that is not shipped is a plain 404 from the router.
      return false;
    }
    res.status(200);
    for (const [name, value] of Object.entries(GALLERY_SECURITY_HEADERS)) res.set(name, value);
    res.set('Content-Type', type).set('Cache-Control', 'no-cache').set('Content-Length', String(body.length));
    if (req.method === 'HEAD') res.end();
    else res.end(body);
    return true;
  };
}
