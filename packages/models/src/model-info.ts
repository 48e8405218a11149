import { countFlops } from './count-flops.js';
import type { CreateModelOptions, ModelInfo } from './types.js';
import { buildZooModel, resolveOptions } from './zoo/build.js';
import { zooEntry } from './zoo/registry.js';

const cache = new Map<string, ModelInfo>();

/**
 * Name, role, description, parameter count (trainable + non-trainable, e.g. batch-norm moving
 * statistics) and forward FLOPs of one image (see {@link countFlops}) of a zoo model for the given
 * options (default 28×28×1, 10 classes, width 1), and the layers `withFeatures` taps by default.
 * Counted on a zero-initialized build, so it is cheap; results are cached.
 *
 * @throws KdkitError UNKNOWN_NAME for an unknown name.
 * @example
 * modelInfo('cnn-student').params; // 26698
 */
export function modelInfo(name: string, options: CreateModelOptions = {}): ModelInfo {
  const entry = zooEntry(name);
  const resolved = resolveOptions('modelInfo', options);
  const key = JSON.stringify([name, resolved.inputShape, resolved.numClasses, resolved.width]);
  const cached = cache.get(key);
  if (cached) return cached;
  const model = buildZooModel('modelInfo', name, resolved, 'zeros');
  try {
    const info: ModelInfo = {
      name: entry.name,
      role: entry.role,
      description: entry.description,
      params: model.countParams(),
      flops: countFlops(model),
      defaultTaps: entry.defaultTaps,
    };
    cache.set(key, info);
    return info;
  } finally {
    model.dispose();
  }
}
