// Shared by the e2e test, the screenshot and the bench scripts: build the site when stale, serve
// dist/ with vite preview (COOP/COEP) on 127.0.0.1 at a free port, drive Debian's chromium.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const WEB_ROOT = fileURLToPath(new URL('..', import.meta.url));
const REPO_ROOT = join(WEB_ROOT, '..', '..');
const DIST_INDEX = join(WEB_ROOT, 'dist', 'index.html');

/** Debian's chromium unless CHROMIUM_PATH names another (Playwright's own downloads can't work here). */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * Newest modification time (ms) of the files under `path`, skipping tests, dist and node_modules.
 * @param {string} path
 * @returns {number}
 */
function newestMtime(path) {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const name of readdirSync(path)) {
    if (name === 'node_modules' || name === 'dist' || name.endsWith('.test.ts')) continue;
    newest = Math.max(newest, newestMtime(join(path, name)));
  }
  return newest;
}

/** Inputs of the bundle: the app and every package's sources, assets and pretrained teachers. */
function sourcesMtime() {
  const app = ['index.html', 'vite.config.ts', 'package.json', 'src', 'build', 'public'].map((p) =>
    newestMtime(join(WEB_ROOT, p)),
  );
  const packagesDir = join(REPO_ROOT, 'packages');
  const packages = readdirSync(packagesDir).flatMap((name) =>
    ['src', 'assets', 'package.json', 'manifest.json', 'weights'].map((p) =>
      newestMtime(join(packagesDir, name, p)),
    ),
  );
  return Math.max(...app, ...packages);
}

/** True when dist/ is missing or older than a source it is built from. */
export function distIsStale() {
  return !existsSync(DIST_INDEX) || statSync(DIST_INDEX).mtimeMs < sourcesMtime();
}

/**
 * Builds the site (`vite build`) unless dist/ is fresher than every source.
 * @param {{ log?: (line: string) => void }} [options]
 */
export function ensureBuilt({ log = () => {} } = {}) {
  if (!distIsStale()) {
    log('web: dist/ is up to date');
    return;
  }
  log('web: building apps/web (vite build)');
  const vite = join(WEB_ROOT, 'node_modules', 'vite', 'bin', 'vite.js');
  const result = spawnSync(process.execPath, [vite, 'build', '--logLevel', 'warn'], {
    cwd: WEB_ROOT,
    encoding: 'utf8',
    timeout: 300_000,
  });
  if (result.status !== 0) {
    throw new Error(
      `web: vite build failed (exit ${result.status ?? result.signal}):\n${result.stdout}\n${result.stderr}`,
    );
  }
}

/**
 * Serves dist/ like `pnpm web` (vite preview: COOP/COEP from vite.config.ts) on 127.0.0.1 at a
 * free port. Returns its URL and `close()`.
 */
export async function serveDist() {
  const { preview } = await import('vite');
  const server = await preview({
    root: WEB_ROOT,
    logLevel: 'warn',
    preview: { host: '127.0.0.1', port: 0, strictPort: true, open: false },
  });
  const address = server.httpServer.address();
  if (!address || typeof address === 'string') throw new Error('web: preview server has no port');
  return {
    url: `http://127.0.0.1:${address.port}/`,
    close: () => server.close(),
  };
}

/** Headless Debian chromium through playwright-core. */
export async function launchChromium() {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `web: no chromium at ${CHROMIUM_PATH}; install it (apt-get install -y chromium) or set CHROMIUM_PATH`,
    );
  }
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    // Root in a container has no user namespaces for chromium's sandbox.
    args: ['--no-sandbox', '--disable-dev-shm-usage'],
  });
}

/**
 * Waits for the page's result contract and returns the parsed JSON (a result or `{ error }`).
 * @param {import('playwright-core').Page} page
 * @param {number} timeoutMs
 * @returns {Promise<any>}
 */
export async function waitForResult(page, timeoutMs) {
  const handle = await page.waitForFunction(
    () => document.getElementById('result')?.dataset.json ?? false,
    undefined,
    { timeout: timeoutMs, polling: 500 },
  );
  return JSON.parse(String(await handle.jsonValue()));
}

/**
 * Console errors and uncaught exceptions of `page`, collected as they happen.
 * @param {import('playwright-core').Page} page
 * @returns {string[]}
 */
export function collectErrors(page) {
  /** @type {string[]} */
  const errors = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(`console: ${msg.text()}`);
  });
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
  return errors;
}

/**
 * Builds if needed, serves, opens `query` in chromium, hands the page to `use`, cleans up.
 * @template T
 * @param {string} query
 * @param {(page: import('playwright-core').Page, errors: string[], url: string) => Promise<T>} use
 * @param {{ log?: (line: string) => void }} [options]
 * @returns {Promise<T>}
 */
export async function withPage(query, use, { log = () => {} } = {}) {
  ensureBuilt({ log });
  const server = await serveDist();
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1100, height: 1100 } });
    const errors = collectErrors(page);
    await page.goto(new URL(query, server.url).href);
    return await use(page, errors, server.url);
  } finally {
    await browser.close();
    await server.close();
  }
}

export const REPO = REPO_ROOT;
