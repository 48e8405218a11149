import type * as tfl from '@tensorflow/tfjs-layers';
import type { CreateModelOptions } from './types.js';
import { buildZooModel } from './zoo/build.js';

/**
 * Builds a zoo model: an uncompiled `tf.LayersModel` from NHWC images to **logits**
 * `[batch, numClasses]` (no softmax). Layer names are stable (`conv1`, `stage2_block1_out`,
 * `logits`, …) and every initializer is seeded from `SeededRandom(seed).fork('<layer>/<weight>')`,
 * so the same options always give the same weights. The model is named after the architecture.
 *
 * Names: `mlp-1200`, `mlp-800`, `lenet5`, `cnn-teacher`, `cnn-student`, `resnet8`, `resnet20`,
 * `vgg8`, `mobilenet-v2` (see {@link listModels}). Defaults: inputShape [28, 28, 1],
 * numClasses 10, seed 0, width 1 (a channel/unit multiplier: `resnet8` with width 4 is resnet8x4).
 * Dispose it with `model.dispose()`.
 *
 * @throws KdkitError UNKNOWN_NAME for an unknown name (listing the valid ones), OUT_OF_RANGE or
 * INVALID_ARGUMENT for bad options.
 * @example
 * const teacher = createModel('resnet8', { inputShape: [32, 32, 3], width: 4, seed: 1 });
 * const logits = teacher.predict(images) as tf.Tensor2D; // [batch, 10]
 */
export function createModel(name: string, options: CreateModelOptions = {}): tfl.LayersModel {
  return buildZooModel('createModel', name, options, 'seeded');
}
