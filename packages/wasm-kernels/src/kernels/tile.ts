import * as tf from '@tensorflow/tfjs-core';
import { callStock, type KernelArgs, type KernelFactory } from './stock-kernel.js';

/**
 * `Tile` when it is a broadcast over leading axes, e.g. `[1, 1, 1, C]` tiled to `[N, H, W, C]`
 * (the BatchNorm gradient does this): an outer product `ones[R, 1] · x[1, S]` on XNNPACK, exact
 * (each output is 1·x), instead of stock wasm's element loop. Other tilings use the stock kernel.
 *
 * @example
 * tf.registerKernel({ kernelName: tf.Tile, backendName: 'wasm', kernelFunc: tileAsBroadcast(stock) });
 */
export const tileAsBroadcast: KernelFactory = (stock) => (args: KernelArgs) => {
  const x = args.inputs['x'] as tf.Tensor;
  const reps = ((args.attrs ?? {}) as { reps?: number[] }).reps ?? [];
  const shape = x.shape;
  let lead = 0;
  while (lead < shape.length && shape[lead] === 1) lead++;
  const repeats = reps.slice(0, lead).reduce((p, r) => p * r, 1);
  const broadcastOnly = reps.length === shape.length && reps.slice(lead).every((r) => r === 1);
  if (x.dtype !== 'float32' || !broadcastOnly || repeats <= 1) return callStock(stock, args);
  const outShape = shape.map((d, i) => d * (reps[i] ?? 1));
  return tf.tidy(() =>
    tf.reshape(tf.matMul(tf.ones([repeats, 1]), tf.reshape(x, [1, x.size])), outShape),
  );
};
