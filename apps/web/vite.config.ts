import { fileURLToPath } from 'node:url';
import { defaultClientConditions, defineConfig } from 'vite';
import { pretrainedTeachers } from './build/pretrained-teachers.js';
import { refuseNodeBuiltins } from './build/refuse-node-builtins.js';

/**
 * Cross-origin isolation (COOP + COEP) gives the page SharedArrayBuffer, which the threaded
 * wasm backend needs. Both the dev and the preview server send them.
 */
export const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
} as const;

/**
 * Shipped teachers: @kdkit/pretrained's manifest.json and weights/, or another folder laid out
 * the same way (KDKIT_PRETRAINED_DIR).
 */
const pretrainedDir =
  process.env['KDKIT_PRETRAINED_DIR'] ??
  fileURLToPath(new URL('../../packages/pretrained/', import.meta.url));

export default defineConfig({
  // Relative asset URLs: the site works from any sub-path (GitHub Pages, a file server).
  base: './',
  // Workspace packages are bundled from their TypeScript sources: no package build needed first.
  resolve: {
    conditions: ['@kdkit/source', ...defaultClientConditions],
    // ONNX teachers run on onnxruntime-web's CPU (wasm) build: its default entry carries the
    // WebGPU/WebNN build, twice the wasm binary, which the page does not use.
    alias: [{ find: /^onnxruntime-web$/, replacement: 'onnxruntime-web/wasm' }],
  },
  // Pre-bundling would move onnxruntime-web away from the wasm file it locates by import.meta.url.
  optimizeDeps: { exclude: ['onnxruntime-web'] },
  plugins: [refuseNodeBuiltins(), pretrainedTeachers(pretrainedDir)],
  build: {
    target: 'es2022',
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 4096,
    // Whitespace-only minification. tfjs's threaded wasm hands its emscripten factory to each
    // pthread worker as source text (Function.prototype.toString): renaming its outer variables
    // (mangle) or rewriting `typeof _scriptDir !== "undefined"` to `_scriptDir !== void 0`
    // (compress) makes every worker throw a ReferenceError, and the backend never starts.
    rolldownOptions: { output: { minify: { compress: false, mangle: false } } },
  },
  worker: { format: 'es' },
  server: { host: '127.0.0.1', headers: ISOLATION_HEADERS },
  preview: { host: '127.0.0.1', headers: ISOLATION_HEADERS },
});
