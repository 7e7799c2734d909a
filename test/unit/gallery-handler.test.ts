import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Request, Response } from '@google-cloud/functions-framework';
import { describe, expect, it } from 'vitest';
import { GALLERY_CSP, makeGalleryHandler } from '../../functions/handlers/gallery.js';
import { scratchDir } from '../support/scratch.js';

/** Just enough of Express's request and response for the handler. */
function fakeRequest(method: string, path: string): Request {
  return { method, path } as unknown as Request;
}

function fakeResponse() {
  const sent = { status: 0, headers: {} as Record<string, string>, body: undefined as Buffer | undefined, ended: false };
  const res = {
    status(code: number) { sent.status = code; return res; },
    set(name: string, value: string) { sent.headers[name.toLowerCase()] = value; return res; },
    end(body?: Buffer) { sent.body = body; sent.ended = true; return res; },
  };
  return { res: res as unknown as Response, sent };
}

async function get(handler: ReturnType<typeof makeGalleryHandler>, path: string, method = 'GET') {
  const { res, sent } = fakeResponse();
  const handled = await handler(fakeRequest(method, path), res);
  return { handled, ...sent };
}

describe('gallery handler', () => {
  const handler = makeGalleryHandler();

  it.each([
    ['/', 'text/html; charset=utf-8', '<!doctype html>'],
    ['/index.html', 'text/html; charset=utf-8', '<!doctype html>'],
    ['/assets/gallery.js', 'text/javascript; charset=utf-8', 'import'],
    ['/assets/gallery.css', 'text/css; charset=utf-8', '{'],
  ])('serves %s as %s with the security headers', async (path, type, snippet) => {
    const answer = await get(handler, path);
    expect(answer.handled).toBe(true);
    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toBe(type);
    expect(answer.headers['content-security-policy']).toBe(GALLERY_CSP);
    expect(answer.headers['x-content-type-options']).toBe('nosniff');
    expect(answer.headers['referrer-policy']).toBe('no-referrer');
    expect(answer.headers['x-frame-options']).toBe('DENY');
    expect(answer.headers['cache-control']).toBe('no-cache');
    expect(answer.body?.toString('utf8').toLowerCase()).toContain(snippet);
    expect(answer.headers['content-length']).toBe(String(answer.body?.length));
  });

  it('serves every file in the assets folder, so each module the page imports loads', async () => {
    const dir = new URL('../../functions/gallery/assets/', import.meta.url);
    const files = readdirSync(dir);
    for (const file of files.filter((name) => name !== 'index.html')) {
      const answer = await get(handler, `/assets/${file}`);
      expect(answer.handled, file).toBe(true);
      expect(answer.body?.equals(readFileSync(new URL(file, dir))), file).toBe(true);
    }
    const imports = files
      .filter((name) => name.endsWith('.js'))
      .flatMap((name) => [...readFileSync(new URL(name, dir), 'utf8').matchAll(/from '\.\/([\w-]+\.js)'/g)].map((m) => m[1]));
    expect(imports.length).toBeGreaterThan(0);
    for (const name of imports) expect(files, `imported ${name}`).toContain(name);
  });

  it('has a CSP without inline scripts, inline styles, eval or other origins', () => {
    expect(GALLERY_CSP).toContain("default-src 'none'");
    expect(GALLERY_CSP).toContain("script-src 'self';");
    expect(GALLERY_CSP).toContain("style-src 'self';");
    expect(GALLERY_CSP).not.toMatch(/unsafe|https?:|\*/);
  });

  it('answers HEAD with the headers and no body', async () => {
    const answer = await get(handler, '/', 'HEAD');
    expect(answer.handled).toBe(true);
    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(Number(answer.headers['content-length'])).toBeGreaterThan(0);
    expect(answer.ended).toBe(true);
    expect(answer.body).toBeUndefined();
  });

  it('serves only the allow-listed names, whatever is in the folder', async () => {
    const root = scratchDir('gallery-');
    const assets = join(root, 'assets');
    mkdirSync(assets);
    writeFileSync(join(assets, 'index.html'), '<!doctype html><title>t</title>');
    writeFileSync(join(assets, 'secret.txt'), 'secret');
    writeFileSync(join(root, 'package.json'), '{"secret":true}');
    const local = makeGalleryHandler({ assetsDir: assets });

    expect((await get(local, '/')).body?.toString()).toBe('<!doctype html><title>t</title>');
    for (const path of [
      '/assets/../../package.json',
      '/assets/../package.json',
      '/assets/%2e%2e/x',
      '/assets/%2e%2e/package.json',
      '/assets/..%2fpackage.json',
      '/assets/secret.txt',
      '/assets/',
      '/assets/index.html/',
      '/assets//gallery.js',
      '/assets/gallery.js/../../package.json',
    ]) {
      const answer = await get(local, path);
      expect(answer, path).toMatchObject({ handled: false, status: 0, ended: false });
    }
  });

  it('leaves API routes and other methods to the api router', async () => {
    for (const [method, path] of [
      ['GET', '/v1/runs'],
      ['GET', '/v1/me'],
      ['POST', '/v1/runs'],
      ['PUT', '/v1/runs/r1/prompts/p1/review'],
      ['GET', '/healthz'],
      ['POST', '/'],
      ['DELETE', '/assets/gallery.js'],
    ] as const) {
      expect(await get(handler, path, method), `${method} ${path}`).toMatchObject({ handled: false, status: 0, ended: false });
    }
  });

  it('returns false for an allow-listed file that is not shipped', async () => {
    const empty = scratchDir('gallery-empty-');
    expect((await get(makeGalleryHandler({ assetsDir: empty }), '/assets/review.js')).handled).toBe(false);
  });

  it('reads each file once', async () => {
    const dir = scratchDir('gallery-cache-');
    writeFileSync(join(dir, 'gallery.css'), 'body { color: red; }');
    const cached = makeGalleryHandler({ assetsDir: dir });
    expect((await get(cached, '/assets/gallery.css')).body?.toString()).toBe('body { color: red; }');
    writeFileSync(join(dir, 'gallery.css'), 'body { color: blue; }');
    expect((await get(cached, '/assets/gallery.css')).body?.toString()).toBe('body { color: red; }');
  });
});
