import { describeBackends } from '@kdkit/test-utils';
import * as tfl from '@tensorflow/tfjs-layers';
import { expect, it } from 'vitest';
import { countFlops } from './count-flops.js';

describeBackends(['cpu'], 'countFlops', () => {
  it('counts 2 × MACs of conv, depthwise, separable and dense layers (closed form)', () => {
    const input = tfl.input({ shape: [8, 8, 3] });
    const conv = tfl.layers
      .conv2d({ filters: 4, kernelSize: 3, strides: 2, padding: 'same' })
      .apply(input) as tfl.SymbolicTensor; // 4×4×4
    const dw = tfl.layers
      .depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, padding: 'same' })
      .apply(conv) as tfl.SymbolicTensor; // 4×4×8
    const sep = tfl.layers
      .separableConv2d({ filters: 5, kernelSize: 3, padding: 'valid' })
      .apply(dw) as tfl.SymbolicTensor; // 2×2×5
    const bn = tfl.layers.batchNormalization().apply(sep) as tfl.SymbolicTensor;
    const flat = tfl.layers.flatten().apply(bn) as tfl.SymbolicTensor; // 20
    const out = tfl.layers.dense({ units: 6 }).apply(flat) as tfl.SymbolicTensor;
    const model = tfl.model({ inputs: input, outputs: out });
    const macs =
      4 * 4 * 4 * 9 * 3 + // conv
      4 * 4 * 8 * 9 + // depthwise, multiplier 2
      2 * 2 * (8 * 9 + 8 * 5) + // separable: depthwise then pointwise
      20 * 6; // dense
    expect(countFlops(model)).toBe(2 * macs);
    model.dispose();
  });
});
