import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe } from 'vitest';

/** Makes the named backend current. The root vitest setup wires this to @kdkit/engine. */
export type BackendActivator = (name: 'cpu' | 'wasm' | 'tensorflow') => Promise<void>;

let activator: BackendActivator = async (name) => {
  if (name === 'cpu') await import('@tensorflow/tfjs-backend-cpu');
  if (!(await tf.setBackend(name))) throw new Error(`backend '${name}' failed to initialize`);
};

/** Replaces how {@link describeBackends} switches backends (the root setup uses @kdkit/backend's initBackend). */
export function setBackendActivator(next: BackendActivator): void {
  activator = next;
}

/**
 * Runs the same suite once per backend: `describe('[cpu] …')`, `describe('[wasm] …')`.
 * Each suite switches to its backend before its tests.
 */
export function describeBackends(
  names: readonly ('cpu' | 'wasm')[],
  title: string,
  body: (backend: 'cpu' | 'wasm') => void,
): void {
  for (const name of names) {
    describe(`[${name}] ${title}`, () => {
      beforeAll(async () => {
        await activator(name);
      });
      body(name);
    });
  }
}
