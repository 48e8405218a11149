import { KdkitError } from '@kdkit/engine';
import type * as tfl from '@tensorflow/tfjs-layers';
import { architectureHash } from '../architecture-hash.js';
import type { ModelMeta } from '../types.js';
import { zooNameOf } from '../zoo/registry.js';
import { fileSystemSaveHandler } from './file-system-save-handler.js';

/** Key of kdkit's {@link ModelMeta} inside model.json's `userDefinedMetadata`. */
export const META_KEY = 'kdkit';

export interface SaveModelOptions {
  /** Stored in model.json under `userDefinedMetadata.kdkit`; must be JSON-serializable. */
  readonly meta?: ModelMeta;
}

function describeModel(model: tfl.LayersModel): ModelMeta {
  const input = model.inputs[0]?.shape;
  const output = model.outputs[0]?.shape;
  const zooName = zooNameOf(model);
  return {
    ...(zooName ? { zooName } : {}),
    ...(input?.length === 4 && input.slice(1).every((d) => typeof d === 'number')
      ? { inputShape: input.slice(1) as [number, number, number] }
      : {}),
    ...(output?.length === 2 && typeof output[1] === 'number' ? { numClasses: output[1] } : {}),
    architectureHash: architectureHash(model),
  };
}

/**
 * Saves `model` to directory `dir` in the standard tfjs format (model.json + weight shards, see
 * {@link fileSystemSaveHandler}), atomically, with no tfjs-node. `meta` is stored in model.json
 * under `userDefinedMetadata.kdkit`; `zooName`, `inputShape`, `numClasses` and `architectureHash` are
 * filled in from the model unless given. Returns the meta as written.
 *
 * @throws KdkitError INVALID_ARGUMENT when `meta` is not JSON-serializable, when `dir` is a file or
 * a non-empty directory that holds no model.json, or when the write fails.
 * @example
 * await saveModel(teacher, 'runs/teacher', { meta: { dataset: 'fashion-mnist', accuracy: 0.91 } });
 */
export async function saveModel(
  model: tfl.LayersModel,
  dir: string,
  options: SaveModelOptions = {},
): Promise<ModelMeta> {
  const meta: ModelMeta = { ...describeModel(model), ...options.meta };
  let plain: object;
  try {
    plain = JSON.parse(JSON.stringify(meta)) as object;
  } catch (error) {
    throw new KdkitError(
      'INVALID_ARGUMENT',
      `saveModel: 'meta' must be JSON-serializable (${error instanceof Error ? error.message : String(error)}).`,
      { cause: error },
    );
  }
  await model.save(fileSystemSaveHandler(dir, { userDefinedMetadata: { [META_KEY]: plain } }));
  return plain as ModelMeta;
}
