// Trains one pretrained teacher from its recipe (recipes/<id>.json), resumable:
//   tsx --conditions=@kdkit/source scripts/train.ts recipes/cnn-teacher.fashion-mnist.json [--resume]
// The checkpoint lives in checkpoints/<id>/ and is committed between sessions; the finished
// model goes to weights/<id>/ and its record to training-log/<id>.json.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadFashionMnist, trainValSplit } from '@kdkit/datasets';
import { initBackend } from '@kdkit/engine';
import { createModel, saveModel } from '@kdkit/models';
import { checkpoint, evaluate, trainSupervised } from '@kdkit/trainers';
import '@tensorflow/tfjs-layers';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const recipePath = resolve(process.argv[2] ?? '');
const resume = process.argv.includes('--resume');
const recipe = JSON.parse(await readFile(recipePath, 'utf8'));
const started = Date.now();
const backend = await initBackend('auto');

const full = await loadFashionMnist({ split: 'train' });
const { train, val } = trainValSplit(full, {
  valFraction: recipe.validation.size / full.size,
  seed: recipe.validation.seed,
  stratified: recipe.validation.stratified,
});
const model = createModel(recipe.model, {
  inputShape: train.shape,
  numClasses: train.numClasses,
  seed: recipe.seed,
});
const checkpointDir = join(root, 'checkpoints', recipe.id);
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
  ...(resume ? { resumeFrom: checkpointDir } : {}),
  callbacks: [
    checkpoint({ dir: checkpointDir }),
    {
      name: 'log',
      async onEpochEnd(logs) {
        const line = JSON.stringify({ ...logs, backend: backend.name, at: new Date().toISOString() });
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
await saveModel(model, outDir, { meta: { dataset: recipe.dataset, accuracy: testMetrics.accuracy } });
const tmp = join(root, 'training-log', `${recipe.id}.result.json.tmp`);
await writeFile(tmp, `${JSON.stringify(record, null, 2)}\n`);
await rename(tmp, join(root, 'training-log', `${recipe.id}.result.json`));
console.log(JSON.stringify(record));
