// The two nets, built with tfjs-layers (bench only; the PyTorch twins are in torch_nets.py).
import * as tfl from '@tensorflow/tfjs-layers';

/**
 * Teacher: conv(1→32)-BN-ReLU, conv(32→64)-BN-ReLU, maxpool, conv(64→128)-BN-ReLU, maxpool,
 * dense 6272→256 (ReLU), dropout 0.5, dense 256→10. 3×3 same convs without bias. ≈1.7M params.
 */
export function buildTeacher(): tfl.LayersModel {
  const convBnRelu = (filters: number, inputShape?: number[]): tfl.layers.Layer[] => [
    tfl.layers.conv2d({
      filters,
      kernelSize: 3,
      padding: 'same',
      useBias: false,
      ...(inputShape ? { inputShape } : {}),
    }),
    tfl.layers.batchNormalization(),
    tfl.layers.reLU(),
  ];
  return tfl.sequential({
    layers: [
      ...convBnRelu(32, [28, 28, 1]),
      ...convBnRelu(64),
      tfl.layers.maxPooling2d({ poolSize: 2 }),
      ...convBnRelu(128),
      tfl.layers.maxPooling2d({ poolSize: 2 }),
      tfl.layers.flatten(),
      tfl.layers.dense({ units: 256, activation: 'relu' }),
      tfl.layers.dropout({ rate: 0.5 }),
      tfl.layers.dense({ units: 10 }),
    ],
  });
}

/** Student: the test suite's conv(1→8)-ReLU-pool, conv(8→16)-ReLU-pool, dense 784→32, dense 32→10. */
export { tinyStudent as buildStudent } from '../test/models.js';
