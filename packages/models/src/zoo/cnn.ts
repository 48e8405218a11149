import type * as tfl from '@tensorflow/tfjs-layers';
import { scaled } from './builder.js';
import type { ZooEntry } from './entry.js';

/**
 * The teacher of the wasm-kernels benchmark: conv(32)-BN-ReLU, conv(64)-BN-ReLU, maxpool,
 * conv(128)-BN-ReLU, maxpool, dense 256-ReLU, dropout 0.5, dense. All convs 3×3 'same', no bias.
 */
export const cnnTeacher: ZooEntry = {
  name: 'cnn-teacher',
  role: 'teacher',
  description:
    'conv(32)-BN-ReLU, conv(64)-BN-ReLU, pool, conv(128)-BN-ReLU, pool, dense 256, dropout 0.5 (3x3 convs)',
  defaultTaps: ['pool1', 'pool2', 'fc1_relu'],
  build(b, input, numClasses, width) {
    const c = (n: number) => scaled(n, width);
    let x: tfl.SymbolicTensor = input;
    x = b.relu(b.bn(b.conv(x, 'conv1', c(32)), 'bn1'), 'conv1_relu');
    x = b.relu(b.bn(b.conv(x, 'conv2', c(64)), 'bn2'), 'conv2_relu');
    x = b.maxPool(x, 'pool1');
    x = b.relu(b.bn(b.conv(x, 'conv3', c(128)), 'bn3'), 'conv3_relu');
    x = b.maxPool(x, 'pool2');
    x = b.flatten(x, 'flatten');
    x = b.relu(b.dense(x, 'fc1', c(256)), 'fc1_relu');
    x = b.dropout(x, 'dropout', 0.5);
    return b.dense(x, 'logits', numClasses);
  },
};

/**
 * The student of the wasm-kernels benchmark: conv(8)-ReLU-pool, conv(16)-ReLU-pool, dense 32-ReLU,
 * dense. Convs 3×3 'same' with bias.
 */
export const cnnStudent: ZooEntry = {
  name: 'cnn-student',
  role: 'student',
  description: 'conv(8)-ReLU-pool, conv(16)-ReLU-pool, dense 32, dense (3x3 convs)',
  defaultTaps: ['pool1', 'pool2', 'fc1_relu'],
  build(b, input, numClasses, width) {
    const c = (n: number) => scaled(n, width);
    let x: tfl.SymbolicTensor = input;
    x = b.maxPool(b.relu(b.conv(x, 'conv1', c(8), { bias: true }), 'conv1_relu'), 'pool1');
    x = b.maxPool(b.relu(b.conv(x, 'conv2', c(16), { bias: true }), 'conv2_relu'), 'pool2');
    x = b.flatten(x, 'flatten');
    x = b.relu(b.dense(x, 'fc1', c(32)), 'fc1_relu');
    return b.dense(x, 'logits', numClasses);
  },
};
