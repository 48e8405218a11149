import type * as tfl from '@tensorflow/tfjs-layers';
import { scaled } from './builder.js';
import type { ZooEntry } from './entry.js';

/**
 * LeNet-5 with ReLU and max pooling: conv5×5(6)-pool, conv5×5(16)-pool, dense 120, dense 84.
 * Inputs smaller than 32×32 get a 'same' first conv, as if padded to 32×32 (the MNIST convention).
 */
export const lenet5: ZooEntry = {
  name: 'lenet5',
  role: 'student',
  description:
    'LeNet-5 (ReLU, max pooling): conv5x5(6)-pool, conv5x5(16)-pool, dense 120, dense 84',
  defaultTaps: ['pool1', 'pool2', 'fc2_relu'],
  build(b, input, numClasses, width) {
    const height = input.shape[1] ?? 32;
    const c = (n: number) => scaled(n, width);
    let x: tfl.SymbolicTensor = b.conv(input, 'conv1', c(6), {
      kernel: 5,
      padding: height < 32 ? 'same' : 'valid',
      bias: true,
    });
    x = b.maxPool(b.relu(x, 'conv1_relu'), 'pool1');
    x = b.conv(x, 'conv2', c(16), { kernel: 5, padding: 'valid', bias: true });
    x = b.maxPool(b.relu(x, 'conv2_relu'), 'pool2');
    x = b.flatten(x, 'flatten');
    x = b.relu(b.dense(x, 'fc1', c(120)), 'fc1_relu');
    x = b.relu(b.dense(x, 'fc2', c(84)), 'fc2_relu');
    return b.dense(x, 'logits', numClasses);
  },
};
