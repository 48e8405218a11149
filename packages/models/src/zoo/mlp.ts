import type * as tfl from '@tensorflow/tfjs-layers';
import type { NetBuilder } from './builder.js';
import { scaled } from './builder.js';
import type { ZooEntry } from './entry.js';

function mlp(hidden: number, dropout: boolean) {
  return (b: NetBuilder, input: tfl.SymbolicTensor, numClasses: number, width: number) => {
    const units = scaled(hidden, width);
    let x = b.flatten(input, 'flatten');
    if (dropout) x = b.dropout(x, 'dropout_in', 0.2);
    for (const i of [1, 2]) {
      x = b.relu(b.dense(x, `fc${i}`, units), `fc${i}_relu`);
      if (dropout) x = b.dropout(x, `dropout${i}`, 0.5);
    }
    return b.dense(x, 'logits', numClasses);
  };
}

/** Hinton et al. 2015's teacher: 784-1200-1200-10, dropout 0.2 on inputs and 0.5 on hidden units. */
export const mlp1200: ZooEntry = {
  name: 'mlp-1200',
  role: 'teacher',
  description:
    'Hinton 2015 teacher: two 1200-unit ReLU layers, dropout 0.2 on the input and 0.5 after each hidden layer',
  defaultTaps: ['fc1_relu', 'fc2_relu'],
  build: mlp(1200, true),
};

/** Hinton et al. 2015's student: 784-800-800-10, no dropout. */
export const mlp800: ZooEntry = {
  name: 'mlp-800',
  role: 'student',
  description: 'Hinton 2015 student: two 800-unit ReLU layers, no dropout',
  defaultTaps: ['fc1_relu', 'fc2_relu'],
  build: mlp(800, false),
};
