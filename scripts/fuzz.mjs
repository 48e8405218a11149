#!/usr/bin/env node
// Runs the property-based fuzz tests (fast-check) with many more cases than CI does.
//   node scripts/fuzz.mjs                 5,000 runs per property, a random seed
//   KDKIT_FUZZ_RUNS=50000 KDKIT_FUZZ_SEED=7 node scripts/fuzz.mjs
// A failure prints fast-check's counterexample and the seed that reproduces it.
import { spawnSync } from 'node:child_process';

const FILES = [
  'packages/datasets/src/fuzz-properties.test.ts',
  'packages/models/src/node/load-safety.test.ts',
  'packages/trainers/src/node/checkpoint-safety.test.ts',
  'apps/cli/src/config-safety.test.ts',
];
const runs = process.env.KDKIT_FUZZ_RUNS ?? '5000';
const seed = process.env.KDKIT_FUZZ_SEED ?? String(Math.floor(Math.random() * 2 ** 31));
console.error(`fuzz: ${runs} runs per property, seed ${seed}`);
const result = spawnSync('pnpm', ['exec', 'vitest', 'run', ...FILES, '--testTimeout', '0'], {
  stdio: 'inherit',
  env: { ...process.env, KDKIT_FUZZ_RUNS: runs, KDKIT_FUZZ_SEED: seed },
});
process.exit(result.status ?? 1);
