// `pnpm web`: builds the site when dist/ is stale, then serves it like `vite preview` (COOP/COEP
// headers, so wasm gets threads) at http://127.0.0.1:4173/ (PORT=… for another port).
import { ensureBuilt, WEB_ROOT } from './harness.mjs';

ensureBuilt({ log: (/** @type {string} */ line) => process.stderr.write(`${line}\n`) });
const { preview } = await import('vite');
const server = await preview({
  root: WEB_ROOT,
  preview: { host: '127.0.0.1', port: Number(process.env.PORT ?? 4173), strictPort: false },
});
server.printUrls();
