/**
 * How the daemon serves the web console (src/http/console-routes.ts), over fastify's inject:
 * index.html with its import map and a CSP that allows exactly that inline script; our modules
 * and the vendor ESM files as JavaScript, cached for a year under the build's prefix; conditional
 * GETs; and nothing outside the console's files (no path out, no index.html or tsconfig.json as a
 * static file, no dotfile, no other package of node_modules).
 */
import { createHash } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerConsoleRoutes } from '../../src/http/console-routes.ts';
import { errorHandler, notFoundHandler } from '../../src/http/http-errors.ts';

let app: FastifyInstance;
let build: string | null;
let base: string;

beforeAll(async () => {
  app = Fastify();
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler(notFoundHandler);
  ({ build } = registerConsoleRoutes(app));
  if (!build) throw new Error('console not served');
  base = `/console/static/${build}`;
  await app.ready();
});

afterAll(async () => {
  await app.close();
});

const get = (url: string, headers: Record<string, string> = {}) => app.inject({ method: 'GET', url, headers });

describe('console files', () => {
  it('/console redirects to /console/, which is index.html with the import map and its CSP', async () => {
    const r = await get('/console');
    expect(r.statusCode).toBe(301);
    expect(r.headers.location).toBe('/console/');

    const page = await get('/console/');
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['cache-control']).toBe('no-cache');
    expect(page.body).not.toMatch(/%BASE%|%IMPORT_MAP%/);
    expect(page.body).toContain(`src="${base}/main.js"`);
    const map = /<script type="importmap">(.*?)<\/script>/s.exec(page.body)![1]!;
    const imports = (JSON.parse(map) as { imports: Record<string, string> }).imports;
    expect(Object.keys(imports).sort()).toEqual(['@kurkle/color', 'chart.js', 'htm', 'htm/preact', 'preact', 'preact/hooks']);
    const hash = createHash('sha256').update(map).digest('base64');
    expect(page.headers['content-security-policy']).toContain(`script-src 'self' 'sha256-${hash}'`);
    expect(page.headers['content-security-policy']).toContain("default-src 'self'");

    const again = await get('/console/', { 'if-none-match': String(page.headers.etag) });
    expect(again.statusCode).toBe(304);

    // Every module of the import map is there, as JavaScript, cached for a year.
    for (const url of Object.values(imports)) {
      const m = await get(url);
      expect(m.statusCode, url).toBe(200);
      expect(m.headers['content-type']).toBe('text/javascript; charset=utf-8');
      expect(m.headers['cache-control']).toBe('public, max-age=31536000, immutable');
      expect(m.body).toMatch(/export/);
    }
  });

  it('serves our modules and styles with their types, an ETag, and 304 to a conditional GET', async () => {
    const js = await get(`${base}/i18n/zh-CN.js`);
    expect(js.statusCode).toBe(200);
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(js.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(js.headers['x-content-type-options']).toBe('nosniff');
    expect(js.body).toContain('登录');
    expect(js.headers.etag).toBeTruthy();
    const again = await get(`${base}/i18n/zh-CN.js`, { 'if-none-match': String(js.headers.etag) });
    expect(again.statusCode).toBe(304);

    const css = await get(`${base}/console.css`);
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
    const svg = await get(`${base}/icon.svg`);
    expect(svg.headers['content-type']).toBe('image/svg+xml');
  });

  it('serves an older build’s URL with today’s file, revalidated rather than cached for a year', async () => {
    const r = await get('/console/static/0123456789abcdef/main.js');
    expect(r.statusCode).toBe(200);
    expect(r.headers['cache-control']).toBe('no-cache');
  });

  it('serves no console, and says so, where its folder is missing', async () => {
    const bare = Fastify();
    bare.setNotFoundHandler(notFoundHandler);
    expect(registerConsoleRoutes(bare, { dir: '/nonexistent' }).build).toBeNull();
    expect((await bare.inject({ method: 'GET', url: '/console/' })).statusCode).toBe(404);
    await bare.close();
  });

  it('serves nothing else', async () => {
    for (const url of [
      `${base}/index.html`,
      `${base}/tsconfig.json`,
      `${base}/../../src/daemon.ts`,
      `${base}/%2e%2e/%2e%2e/package.json`,
      `${base}/i18n/../../package.json`,
      `${base}/.hidden.js`,
      `${base}/nope.js`,
      `${base}/i18n`,
      `${base}/vendor/preact/package.json`,
      `${base}/vendor/ws/index.js`,
      `${base}/vendor/../package.json`,
    ]) {
      const r = await get(url);
      expect(r.statusCode, url).toBe(404);
      expect(r.body, url).not.toContain('"name"');
    }
  });
});
