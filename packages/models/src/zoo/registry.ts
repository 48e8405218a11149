import { lookupByName } from '@kdkit/engine';
import type * as tfl from '@tensorflow/tfjs-layers';
import { cnnStudent, cnnTeacher } from './cnn.js';
import type { ZooEntry } from './entry.js';
import { lenet5 } from './lenet5.js';
import { mlp800, mlp1200 } from './mlp.js';
import { mobilenetV2 } from './mobilenet-v2.js';
import { resnet8, resnet20 } from './resnet.js';
import { vgg8 } from './vgg8.js';

/** Every zoo architecture by name, in the order listModels reports them. */
export const ZOO: ReadonlyMap<string, ZooEntry> = new Map(
  [mlp1200, mlp800, lenet5, cnnTeacher, cnnStudent, resnet8, resnet20, vgg8, mobilenetV2].map(
    (entry) => [entry.name, entry],
  ),
);

/** Looks a zoo entry up, or throws UNKNOWN_NAME listing the valid names. */
export function zooEntry(name: string): ZooEntry {
  return lookupByName('model', ZOO, name);
}

const built = new WeakMap<tfl.LayersModel, string>();

/** Records that `model` was built by the zoo as `name`. */
export function rememberZooModel(model: tfl.LayersModel, name: string): void {
  built.set(model, name);
}

/**
 * The zoo name of a model: the one createModel built it as, or else its model name when that is a
 * zoo name (zoo models are named after their architecture, and the name survives save/load).
 */
export function zooNameOf(model: tfl.LayersModel): string | undefined {
  return built.get(model) ?? (ZOO.has(model.name) ? model.name : undefined);
}
