// Publishes a finished teacher (weights/<id>/, written by scripts/train.ts) into the package:
//   tsx --conditions=@kdkit/source scripts/publish-teacher.ts weights/<id> [--commit <sha>] [--replace]
// It measures the float32 model and its float16 copy on the recipe's validation split and on the
// test split (test accuracy is recorded, never used to choose), keeps float16 unless it loses more
// than 0.05 points on validation, writes the chosen weights back to weights/<id>/ and the entry
// (accuracy, recipe hash, training time, commit, backend, SHA-256 of every file) to manifest.json.
// A published teacher of the same model and dataset under another id (an older recipe) is refused
// unless --replace is given; then its entry and its weights/ folder go (its recipe and log stay).
import { execFileSync } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { initBackend } from '@kdkit/backend';
import { loadFashionMnist } from '@kdkit/datasets/node';
import { KdkitError } from '@kdkit/engine';
import { writeFileAtomically } from '@kdkit/engine/node';
import { fileSystemLoadHandler, fileSystemSaveHandler } from '@kdkit/models/node';
import { evaluate } from '@kdkit/trainers';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { float16Artifacts } from '../src/float16.js';
import {
  PRETRAINED_FORMAT,
  type PretrainedEntry,
  parsePretrainedManifest,
} from '../src/manifest.js';
import { weightFileEntries } from '../src/node/weight-files.js';
import { sha256Hex } from '../src/sha256.js';
import { teachersAfterPublish, teacherToReplace } from './publish-plan.js';
import { readRecipe, recipeSplit } from './recipe.js';

/** The most validation accuracy float16 may lose (0.05 points). */
const MAX_FLOAT16_LOSS = 0.0005;

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
const source = resolve(process.argv[2] ?? '');
const id = basename(source);
const at = process.argv.indexOf('--commit');
const commit =
  (at > 0 ? process.argv[at + 1] : undefined) ??
  execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();

const recipeFile = join('recipes', `${id}.json`);
const recipe = await readRecipe(join(root, recipeFile));
const manifestPath = join(root, 'manifest.json');
const manifest = parsePretrainedManifest(
  JSON.parse(await readFile(manifestPath, 'utf8')),
  manifestPath,
);
const replaced = teacherToReplace(
  manifest,
  { id, model: recipe.model, dataset: recipe.dataset },
  process.argv.includes('--replace'),
);
if (recipe.dataset !== 'fashion-mnist') {
  throw new KdkitError(
    'INVALID_ARGUMENT',
    `publish-teacher: no loader for dataset '${recipe.dataset}'`,
  );
}
const artifacts = await fileSystemLoadHandler(source).load?.();
if (!artifacts?.weightSpecs) {
  throw new KdkitError('CORRUPT_FILE', `publish-teacher: ${source} holds no tfjs layers model`);
}
if (artifacts.weightSpecs.some((s) => s.quantization)) {
  throw new KdkitError(
    'INVALID_ARGUMENT',
    `publish-teacher: ${source} is already quantized; publish the float32 model that scripts/train.ts wrote`,
  );
}

// Training time: every epoch's wall time in the log, summed over resumed sessions (the last line per epoch counts).
const log = (await readFile(join(root, 'training-log', `${id}.jsonl`), 'utf8'))
  .split('\n')
  .filter(Boolean)
  .map((line) => JSON.parse(line) as { epoch: number; seconds: number; backend: string });
const perEpoch = new Map(log.map((l) => [l.epoch, l]));
const trainingSeconds = [...perEpoch.values()].reduce((s, l) => s + l.seconds, 0);
const backend = log.at(-1)?.backend ?? 'unknown';

await initBackend('auto');
const { val } = recipeSplit(recipe, await loadFashionMnist({ split: 'train' }));
const test = await loadFashionMnist({ split: 'test' });

const measure = async (a: tf.io.ModelArtifacts) => {
  const model = await tfl.loadLayersModel(tf.io.fromMemory(a));
  try {
    const validation = (await evaluate(model, val)).accuracy;
    const testAccuracy = (await evaluate(model, test)).accuracy;
    return { validation, test: testAccuracy, params: model.countParams() };
  } finally {
    model.dispose();
  }
};
const half = float16Artifacts(artifacts);
const float32 = await measure(artifacts);
const float16 = await measure(half);
const dtype = float32.validation - float16.validation > MAX_FLOAT16_LOSS ? 'float32' : 'float16';
const chosen = dtype === 'float16' ? float16 : float32;

const weightsDir = join(root, 'weights');
await fileSystemSaveHandler(join(weightsDir, id)).save?.(dtype === 'float16' ? half : artifacts);

const entry: PretrainedEntry = {
  id,
  model: recipe.model,
  dataset: recipe.dataset,
  inputShape: [...val.shape],
  numClasses: val.numClasses,
  params: chosen.params,
  testAccuracy: chosen.test,
  validationAccuracy: chosen.validation,
  dtype,
  precision: {
    float32: { validation: float32.validation, test: float32.test },
    float16: { validation: float16.validation, test: float16.test },
  },
  recipe: { path: recipeFile, sha256: await sha256Hex(await readFile(join(root, recipeFile))) },
  trainingSeconds,
  commit,
  backend,
  files: await weightFileEntries(weightsDir, id),
};
const teachers = teachersAfterPublish(manifest, entry, replaced);
const next = parsePretrainedManifest({ format: PRETRAINED_FORMAT, teachers }, manifestPath);
await writeFileAtomically(manifestPath, `${JSON.stringify(next, null, 2)}\n`);
if (replaced) await rm(join(weightsDir, replaced.id), { recursive: true, force: true });
console.log(
  JSON.stringify({ id, dtype, float32, float16, trainingSeconds, commit, replaced: replaced?.id }),
);
