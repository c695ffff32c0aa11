/**
 * The web console (docs/console.md): the daemon serves it at /console/ with no build step and no
 * CDN. Our ES modules (console/*.js) and the ESM files of preact and htm (from node_modules) are
 * served as they are; the browser resolves `preact`, `preact/hooks`, `htm` and `htm/preact`
 * through an import map written into index.html.
 *
 * Trade-off: the files are not renamed by a bundler, so their URLs carry a build id instead — a
 * hash of every console file and of the vendor files, taken once at start. Everything under
 * /console/static/<build>/ is cached for a year (`immutable`); index.html is revalidated on each
 * load (ETag), so a new daemon with new files is picked up at the next load. Editing console/
 * while the daemon runs needs a restart to be seen (the build id is taken at start).
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, extname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import send from '@fastify/send';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../core/errors.ts';

export const CONSOLE_PREFIX = '/console';

/** The console's own files, in the repository (and in the image) next to src/ or dist/. */
export const DEFAULT_CONSOLE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'console');

/** What may be fetched from console/: code, styles and images — not index.html (served
 * rendered), not tsconfig.json or anything else lying there. */
const CONTENT_TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.map': 'application/json; charset=utf-8',
};

/** The bare module names the console imports, each the file its package exports for `import`;
 * `name: null` for a file only reached by a relative import of another (a chunk). */
const VENDOR: readonly { name: string | null; pkg: string; file: string }[] = [
  { name: 'preact', pkg: 'preact', file: 'dist/preact.mjs' },
  { name: 'preact/hooks', pkg: 'preact', file: 'hooks/dist/hooks.mjs' },
  { name: 'htm', pkg: 'htm', file: 'dist/htm.mjs' },
  { name: 'htm/preact', pkg: 'htm', file: 'preact/index.mjs' },
  // The Reports page's charts: Chart.js's ESM build imports its chunk by a relative URL and
  // @kurkle/color by name.
  { name: 'chart.js', pkg: 'chart.js', file: 'dist/chart.js' },
  { name: null, pkg: 'chart.js', file: 'dist/chunks/index.js' },
  { name: '@kurkle/color', pkg: '@kurkle/color', file: 'dist/color.esm.js' },
];

const YEAR_S = 365 * 24 * 3600;

export interface ConsoleRoutesOptions {
  /** Where index.html and the modules are; default: the repository's console/. */
  dir?: string;
}

interface VendorFile {
  /** URL path under /console/static/<build>/vendor/ */
  urlPath: string;
  abs: string;
}

/** Resolves the vendor files (and their source maps) and fails at start, not at the first page
 * load, when a package is missing or has moved its files. */
function vendorFiles(): { files: Map<string, VendorFile>; imports: Record<string, string> } {
  const require = createRequire(import.meta.url);
  const files = new Map<string, VendorFile>();
  const imports: Record<string, string> = {};
  for (const v of VENDOR) {
    const root = packageRoot(require.resolve(v.pkg), v.pkg);
    const abs = join(root, v.file);
    if (!existsSync(abs)) throw new Error(`console: ${v.name ?? v.pkg} has no ${v.file} (package ${v.pkg} changed its layout?)`);
    const urlPath = `${v.pkg}/${v.file}`;
    files.set(urlPath, { urlPath, abs });
    if (existsSync(`${abs}.map`)) files.set(`${urlPath}.map`, { urlPath: `${urlPath}.map`, abs: `${abs}.map` });
    if (v.name !== null) imports[v.name] = urlPath;
  }
  return { files, imports };
}

/** The folder of package `name` that holds `file` (htm does not export its package.json). */
function packageRoot(file: string, name: string): string {
  for (let dir = dirname(file); dir !== dirname(dir); dir = dirname(dir)) {
    const pj = join(dir, 'package.json');
    if (existsSync(pj) && (JSON.parse(readFileSync(pj, 'utf8')) as { name?: string }).name === name) return dir;
  }
  throw new Error(`console: no package.json of ${name} above ${file}`);
}

function listFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((f) => join(dir, f))
    .filter((f) => statSync(f).isFile())
    .sort();
}

/** A hash of every file served: it changes whenever any of them does. */
function buildId(consoleDir: string, vendor: Iterable<VendorFile>): string {
  const h = createHash('sha256');
  for (const f of listFiles(consoleDir)) h.update(relative(consoleDir, f)).update('\0').update(readFileSync(f));
  for (const v of vendor) h.update(v.urlPath).update('\0').update(readFileSync(v.abs));
  return h.digest('hex').slice(0, 16);
}

/** index.html with the build's URLs and its import map; and the page's Content-Security-Policy,
 * which allows that one inline script (the import map) by its hash and nothing from elsewhere. */
function renderIndex(consoleDir: string, base: string, imports: Record<string, string>): { html: string; etag: string; csp: string } {
  const importMap = JSON.stringify({ imports: Object.fromEntries(Object.entries(imports).map(([k, v]) => [k, `${base}/vendor/${v}`])) });
  const template = readFileSync(join(consoleDir, 'index.html'), 'utf8');
  if (!template.includes('%IMPORT_MAP%') || !template.includes('%BASE%')) throw new Error('console/index.html lacks %IMPORT_MAP% or %BASE%');
  const html = template.replaceAll('%IMPORT_MAP%', importMap).replaceAll('%BASE%', base);
  const mapHash = createHash('sha256').update(importMap).digest('base64');
  const csp = [
    "default-src 'self'",
    `script-src 'self' 'sha256-${mapHash}'`,
    // Components may set style attributes; charts and waveforms draw with inline styles.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "media-src 'self' blob:",
    "connect-src 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "form-action 'self'",
  ].join('; ');
  return { html, etag: `"${createHash('sha256').update(html).digest('hex').slice(0, 27)}"`, csp };
}

/** Streams one file with conditional GET and Range handled by @fastify/send. */
async function serveFile(req: FastifyRequest, reply: FastifyReply, abs: string, cache: 'immutable' | 'revalidate'): Promise<FastifyReply> {
  const type = CONTENT_TYPES[extname(abs)];
  if (!type) throw new AppError('NOT_FOUND', `no console file ${req.url.split('?')[0]}`);
  const r = await send(req.raw, `/${encodeURIComponent(basename(abs))}`, {
    root: dirname(abs),
    dotfiles: 'deny',
    index: false,
    extensions: false,
    cacheControl: false,
    etag: true,
    lastModified: true,
  });
  if (r.type === 'error') {
    r.stream.destroy();
    if (r.statusCode === 404 || r.statusCode === 403) throw new AppError('NOT_FOUND', `no console file ${req.url.split('?')[0]}`);
    return reply.status(r.statusCode).headers(r.headers).send();
  }
  if (r.type === 'directory') throw new AppError('NOT_FOUND', `no console file ${req.url.split('?')[0]}`);
  void reply.status(r.statusCode).headers(r.headers);
  void reply.header('cache-control', cache === 'immutable' ? `public, max-age=${YEAR_S}, immutable` : 'no-cache');
  void reply.header('x-content-type-options', 'nosniff');
  if (r.statusCode < 300) void reply.header('content-type', type);
  return reply.send(r.stream);
}

/** Registers GET /console, /console/ and /console/static/<build>/… on `app`. */
export function registerConsoleRoutes(app: FastifyInstance, opts: ConsoleRoutesOptions = {}): { build: string | null } {
  const dir = opts.dir ?? DEFAULT_CONSOLE_DIR;
  if (!existsSync(join(dir, 'index.html'))) {
    // An install without the console's files (an image built without console/): the API works,
    // /console/ answers 404, and the log says why.
    app.log.warn({ dir }, 'web console not served: no index.html in its folder');
    return { build: null };
  }
  const vendor = vendorFiles();
  const build = buildId(dir, vendor.files.values());
  const base = `${CONSOLE_PREFIX}/static/${build}`;
  const index = renderIndex(dir, base, vendor.imports);

  app.get(CONSOLE_PREFIX, async (_req, reply) => reply.redirect(`${CONSOLE_PREFIX}/`, 301));
  app.get(`${CONSOLE_PREFIX}/`, async (req, reply) => {
    void reply.header('cache-control', 'no-cache').header('etag', index.etag).header('content-security-policy', index.csp).header('x-content-type-options', 'nosniff').header('referrer-policy', 'no-referrer');
    if (req.headers['if-none-match'] === index.etag) return reply.status(304).send();
    return reply.type('text/html; charset=utf-8').send(index.html);
  });
  app.get<{ Params: { build: string; '*': string } }>(`${CONSOLE_PREFIX}/static/:build/*`, async (req, reply) => {
    const path = req.params['*'];
    // An old build's URL (a page loaded before a restart) still gets today's file, but is not
    // cached for long: the next load of index.html moves it to the new build.
    const cache = req.params.build === build ? 'immutable' : 'revalidate';
    if (path.startsWith('vendor/')) {
      const v = vendor.files.get(path.slice('vendor/'.length));
      if (!v) throw new AppError('NOT_FOUND', `no console file ${req.url.split('?')[0]}`);
      return serveFile(req, reply, v.abs, cache);
    }
    const abs = join(dir, ...path.split('/'));
    if (!abs.startsWith(dir + sep) || path.split('/').some((s) => s === '..' || s.startsWith('.'))) throw new AppError('NOT_FOUND', `no console file ${req.url.split('?')[0]}`);
    return serveFile(req, reply, abs, cache);
  });
  return { build };
}
