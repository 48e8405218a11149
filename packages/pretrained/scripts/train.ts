// Trains one pretrained teacher from its recipe (recipes/<id>.json), resumable:
//   tsx --conditions=@kdkit/source scripts/train.ts recipes/cnn-teacher.fashion-mnist.json [--resume]
// The checkpoint lives in checkpoints/<id>/ and is committed between sessions; the finished
// model goes to weights/<id>/ and its record to training-log/<id>.json.
// --resume continues from the last epoch checkpointed in checkpoints/<id>/ (same recipe, split and
// batch order): pass it on every run after the first. Then publish the model with
// scripts/publish-teacher.ts weights/<id> (float16 where it holds, manifest entry).
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { initBackend } from '@kdkit/backend';
import { loadFashionMnist } from '@kdkit/datasets/node';
import { writeFileAtomically } from '@kdkit/engine/node';
import { createModel } from '@kdkit/models';
import { saveModel } from '@kdkit/models/node';
import { checkpoint, evaluate, trainSupervised } from '@kdkit/trainers';
import { fileCheckpointStore } from '@kdkit/trainers/node';
import '@tensorflow/tfjs-layers';
import { readRecipe, recipeSplit } from './recipe.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const recipePath = resolve(process.argv[2] ?? '');
const resume = process.argv.includes('--resume');
const recipe = await readRecipe(recipePath);
const started = Date.now();
const backend = await initBackend('auto');

const full = await loadFashionMnist({ split: 'train' });
const { train, val } = recipeSplit(recipe, full);
const model = createModel(recipe.model, {
  inputShape: train.shape,
  numClasses: train.numClasses,
  seed: recipe.seed,
});
const checkpoints = fileCheckpointStore(join(root, 'checkpoints', recipe.id));
const logPath = join(root, 'training-log', `${recipe.id}.jsonl`);
await mkdir(dirname(logPath), { recursive: true });
const result = await trainSupervised({
  model,
  train,
  validation: val,
  epochs: recipe.epochs,
  batchSize: recipe.batchSize,
  optimizer: recipe.optimizer,
  lrSchedule: recipe.lrSchedule,
  augment: recipe.augment,
  seed: recipe.seed,
  ...(resume ? { resumeFrom: checkpoints } : {}),
  callbacks: [
    checkpoint({ store: checkpoints }),
    {
      name: 'log',
      async onEpochEnd(logs) {
        const line = JSON.stringify({
          ...logs,
          backend: backend.name,
          at: new Date().toISOString(),
        });
        process.stderr.write(`${line}\n`);
        await writeFile(logPath, `${line}\n`, { flag: 'a' });
      },
    },
  ],
});
const test = await loadFashionMnist({ split: 'test' });
const testMetrics = await evaluate(model, test);
const valMetrics = await evaluate(model, val);
const outDir = join(root, 'weights', recipe.id);
const record = {
  id: recipe.id,
  recipe,
  valAccuracy: valMetrics.accuracy,
  testAccuracy: testMetrics.accuracy,
  epochs: result.history.length,
  sessionSeconds: (Date.now() - started) / 1000,
  backend: backend.name,
};
await saveModel(model, outDir, {
  meta: { dataset: recipe.dataset, accuracy: testMetrics.accuracy },
});
await writeFileAtomically(
  join(root, 'training-log', `${recipe.id}.result.json`),
  `${JSON.stringify(record, null, 2)}\n`,
);
console.log(JSON.stringify(record));
