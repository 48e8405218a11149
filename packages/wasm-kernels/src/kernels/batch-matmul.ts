import * as tf from '@tensorflow/tfjs-core';
import { callStock, type KernelArgs, type KernelFactory } from './stock-kernel.js';

/** Swaps the last two axes. */
function swapInner(t: tf.Tensor): tf.Tensor {
  const perm = t.shape.map((_, i) => i);
  const last = perm.length - 1;
  [perm[last - 1], perm[last]] = [last, last - 1];
  return tf.transpose(t, perm);
}

/**
 * `BatchMatMul` with `transposeA`/`transposeB` (what dense-layer gradients use): stock wasm
 * runs those as a scalar loop; transposing the operand first lets XNNPACK's GEMM do the product.
 * Without transposes it is the stock kernel.
 *
 * @example
 * tf.registerKernel({ kernelName: tf.BatchMatMul, backendName: 'wasm', kernelFunc: batchMatMulViaTranspose(stock) });
 */
export const batchMatMulViaTranspose: KernelFactory = (stock) => (args: KernelArgs) => {
  const attrs = (args.attrs ?? {}) as { transposeA?: boolean; transposeB?: boolean };
  if (!attrs.transposeA && !attrs.transposeB) return callStock(stock, args);
  const a = args.inputs['a'] as tf.Tensor;
  const b = args.inputs['b'] as tf.Tensor;
  const at = attrs.transposeA ? swapInner(a) : a;
  const bt = attrs.transposeB ? swapInner(b) : b;
  try {
    return callStock(
      stock,
      args,
      { a: at, b: bt },
      {
        ...args.attrs,
        transposeA: false,
        transposeB: false,
      },
    );
  } finally {
    if (at !== a) at.dispose();
    if (bt !== b) bt.dispose();
  }
};
