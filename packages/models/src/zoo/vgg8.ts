import type * as tfl from '@tensorflow/tfjs-layers';
import { scaled } from './builder.js';
import type { ZooEntry } from './entry.js';

const CHANNELS = [64, 128, 256, 512, 512] as const;

/**
 * VGG-8 as in the CRD benchmark: five conv3×3-BN-ReLU blocks (64, 128, 256, 512, 512 × width),
 * max pooling after the first four, global average pooling, one dense layer.
 */
export const vgg8: ZooEntry = {
  name: 'vgg8',
  role: 'teacher',
  description:
    'VGG-8 (CRD): conv3x3-BN-ReLU blocks of 64/128/256/512/512 × width, max pooling between, global average pooling',
  defaultTaps: ['block1_relu', 'block2_relu', 'block3_relu', 'block4_relu', 'block5_relu', 'pool'],
  build(b, input, numClasses, width) {
    let x: tfl.SymbolicTensor = input;
    for (const [i, channels] of CHANNELS.entries()) {
      const n = i + 1;
      x = b.relu(
        b.bn(b.conv(x, `block${n}_conv`, scaled(channels, width)), `block${n}_bn`),
        `block${n}_relu`,
      );
      if (n < CHANNELS.length) x = b.maxPool(x, `block${n}_pool`);
    }
    return b.dense(b.globalAvgPool(x, 'pool'), 'logits', numClasses);
  },
};
