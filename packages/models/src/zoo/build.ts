import { assertInteger, assertPositive, KdkitError } from '@kdkit/engine';
import * as tfl from '@tensorflow/tfjs-layers';
import type { CreateModelOptions } from '../types.js';
import { type InitMode, NetBuilder } from './builder.js';
import { rememberZooModel, zooEntry } from './registry.js';

/** Options with their defaults filled in. */
export interface ResolvedOptions {
  readonly inputShape: readonly [number, number, number];
  readonly numClasses: number;
  readonly seed: number;
  readonly width: number;
}

/** Validates options and fills defaults. `where` names the calling function in errors. */
export function resolveOptions(where: string, options: CreateModelOptions = {}): ResolvedOptions {
  const { inputShape = [28, 28, 1], numClasses = 10, seed = 0, width = 1 } = options;
  if (
    !Array.isArray(inputShape) ||
    inputShape.length !== 3 ||
    !inputShape.every((d) => Number.isInteger(d) && d > 0)
  ) {
    throw new KdkitError(
      'INVALID_ARGUMENT',
      `${where}: 'inputShape' must be [height, width, channels] of positive integers, got ${JSON.stringify(inputShape)}.`,
    );
  }
  assertInteger(where, 'numClasses', numClasses, 1);
  assertInteger(where, 'seed', seed, 0);
  assertPositive(where, 'width', width);
  return { inputShape, numClasses, seed, width };
}

/** Builds zoo model `name`; `init: 'zeros'` skips random init (for counting params and FLOPs). */
export function buildZooModel(
  where: string,
  name: string,
  options: CreateModelOptions | undefined,
  init: InitMode,
): tfl.LayersModel {
  const entry = zooEntry(name);
  const { inputShape, numClasses, seed, width } = resolveOptions(where, options);
  const builder = new NetBuilder(seed, init);
  const input = builder.input(inputShape);
  const logits = entry.build(builder, input, numClasses, width);
  const model = tfl.model({ inputs: input, outputs: logits, name: entry.name });
  const collapsed = model.layers.find((layer) =>
    (layer.outputShape as (number | null)[]).some((d) => d !== null && d <= 0),
  );
  if (collapsed) {
    const shape = JSON.stringify(collapsed.outputShape);
    model.dispose();
    throw new KdkitError(
      'SHAPE_MISMATCH',
      `${where}: model '${name}' cannot be built for inputShape [${inputShape.join(', ')}]: layer '${collapsed.name}' would output ${shape}. Use larger images.`,
    );
  }
  rememberZooModel(model, entry.name);
  return model;
}
