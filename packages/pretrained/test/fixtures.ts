import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileSystemLoadHandler, fileSystemSaveHandler, saveModel } from '@kdkit/models/node';
import * as tfl from '@tensorflow/tfjs-layers';
import { float16Artifacts } from '../src/float16.js';
import { PRETRAINED_FORMAT, type PretrainedEntry } from '../src/manifest.js';
import { weightFileEntries } from '../src/node/weight-files.js';

/** A tiny conv classifier on [4, 4, 1] images with 3 classes, seeded. */
export function tinyModel(): tfl.LayersModel {
  const input = tfl.input({ shape: [4, 4, 1] });
  const conv = tfl.layers
    .conv2d({
      filters: 2,
      kernelSize: 3,
      padding: 'same',
      activation: 'relu',
      kernelInitializer: tfl.initializers.glorotNormal({ seed: 1 }),
    })
    .apply(input) as tfl.SymbolicTensor;
  const flat = tfl.layers.flatten().apply(conv) as tfl.SymbolicTensor;
  const out = tfl.layers
    .dense({
      units: 3,
      kernelInitializer: tfl.initializers.glorotNormal({ seed: 2 }),
      biasInitializer: 'ones',
    })
    .apply(flat) as tfl.SymbolicTensor;
  return tfl.model({ inputs: input, outputs: out, name: 'tiny' });
}

/**
 * A package-like folder in `root` (manifest.json, weights/tiny.toy/) holding `model` in float16,
 * as scripts/publish-teacher.ts writes it. Returns the manifest entry.
 */
export async function publishTiny(root: string, model: tfl.LayersModel): Promise<PretrainedEntry> {
  const float32 = join(root, 'float32');
  await saveModel(model, float32);
  const artifacts = await fileSystemLoadHandler(float32).load?.();
  if (!artifacts) throw new Error('publishTiny: no artifacts');
  const weights = join(root, 'weights');
  await mkdir(weights, { recursive: true });
  await fileSystemSaveHandler(join(weights, 'tiny.toy')).save?.(float16Artifacts(artifacts));
  const entry: PretrainedEntry = {
    id: 'tiny.toy',
    model: 'tiny',
    dataset: 'toy',
    inputShape: [4, 4, 1],
    numClasses: 3,
    params: model.countParams(),
    testAccuracy: 0.5,
    validationAccuracy: 0.5,
    dtype: 'float16',
    precision: { float32: { validation: 0.5, test: 0.5 }, float16: { validation: 0.5, test: 0.5 } },
    recipe: { path: 'recipes/tiny.toy.json', sha256: '0'.repeat(64) },
    trainingSeconds: 1,
    commit: 'test',
    backend: 'cpu',
    files: await weightFileEntries(weights, 'tiny.toy'),
  };
  await writeFile(
    join(root, 'manifest.json'),
    JSON.stringify({ format: PRETRAINED_FORMAT, teachers: [entry] }),
  );
  return entry;
}
