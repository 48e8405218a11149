import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Tests import workspace packages from src/ through the `@kdkit/source` export condition,
// so `pnpm test` needs no build first.
const setupFile = fileURLToPath(new URL('./vitest.setup.ts', import.meta.url));
const conditions = ['@kdkit/source', 'node', 'import', 'module', 'default'];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: ['node'] } },
  test: {
    include: ['**/src/**/*.test.ts', '**/test/**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**'],
    // tfjs-node misbehaves in worker threads.
    pool: 'forks',
    setupFiles: [setupFile],
    // Test files run two at a time on two cores: one wasm thread each. The threaded start has
    // its own tests, in child processes.
    env: { KDKIT_WASM_THREADS: '1' },
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
