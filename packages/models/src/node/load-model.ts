import { KdkitError } from '@kdkit/engine';
import * as tfl from '@tensorflow/tfjs-layers';
import type { ModelMeta } from '../types.js';
import { rememberZooModel, ZOO } from '../zoo/registry.js';
import { fileSystemLoadHandler } from './file-system-load-handler.js';
import { META_KEY } from './save-model.js';

export interface LoadedModel {
  readonly model: tfl.LayersModel;
  /** What {@link saveModel} stored; `{}` for a model saved by plain tfjs. */
  readonly meta: ModelMeta;
}

/**
 * Loads a model saved by {@link saveModel} (or by any tfjs `model.save` in the layers format) from
 * directory `dir` (or its model.json), with no tfjs-node, and returns it with its meta. A zoo
 * model comes back recognized by `withFeatures` (its default taps work).
 *
 * @throws KdkitError FILE_NOT_FOUND for a missing model.json or shard, CORRUPT_FILE for invalid
 * JSON, a non-tfjs model.json, a topology tfjs cannot build, or a shard of the wrong size (naming
 * the file and both sizes).
 * @example
 * const { model, meta } = await loadModel('runs/teacher');
 * console.log(meta.zooName, meta.accuracy);
 */
export async function loadModel(dir: string): Promise<LoadedModel> {
  let model: tfl.LayersModel;
  try {
    model = await tfl.loadLayersModel(fileSystemLoadHandler(dir));
  } catch (error) {
    if (error instanceof KdkitError) throw error;
    throw new KdkitError(
      'CORRUPT_FILE',
      `loadModel: the model.json in '${dir}' does not describe a loadable tfjs layers model (${error instanceof Error ? error.message : String(error)}).`,
      { cause: error },
    );
  }
  const stored = model.getUserDefinedMetadata() as Record<string, unknown> | undefined;
  const candidate = stored?.[META_KEY];
  const meta = (candidate !== null && typeof candidate === 'object' ? candidate : {}) as ModelMeta;
  if (typeof meta.zooName === 'string' && ZOO.has(meta.zooName))
    rememberZooModel(model, meta.zooName);
  return { model, meta };
}
