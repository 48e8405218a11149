import { rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from '@commander-js/extra-typings';
import { z } from 'zod';
import { resolveOptions } from '../config.js';
import { startCommand } from '../context.js';
import {
  addBackendOption,
  addOutputOptions,
  addTrainingOptions,
  augmentEntry,
  backendShape,
  integerArg,
  numberArg,
  outputShape,
  trainingRecipe,
  trainingShape,
} from '../options.js';
import { count, percent, renderTable, seconds } from '../output.js';

export const trainSchema = z.strictObject({
  ...outputShape,
  ...backendShape,
  ...trainingShape,
  model: z.string({ error: 'required: a zoo model name (see kdkit list models)' }),
  dataset: z.string().default('fashion-mnist-mini'),
  width: z.number().positive().optional(),
  epochs: z.int().min(1).default(5),
  testLimit: z.int().min(1).optional(),
  validate: z.boolean().optional(),
  out: z.string().optional(),
  checkpointDir: z.string().optional(),
});
export type TrainOptions = z.infer<typeof trainSchema>;

export function registerTrain(program: Command): void {
  const command = program
    .command('train')
    .summary('train a zoo model (a teacher, or any model) and save it with its metadata')
    .description(
      'Trains a model from the zoo on a dataset with cross-entropy, evaluates it on the test split, ' +
        'and saves it (tfjs model.json + weights, and meta.json) to --out. A checkpoint is written ' +
        'after every epoch; Ctrl-C stops and prints the --resume command.',
    )
    .option('--model <name>', 'zoo model name (kdkit list models)')
    .option('--dataset <name>', 'dataset name (kdkit list datasets)', 'fashion-mnist-mini')
    .option('--width <x>', 'channel/unit multiplier of the architecture', numberArg);
  addTrainingOptions(command, 5);
  addBackendOption(command);
  addOutputOptions(command);

  command
    .option('--test-limit <n>', 'evaluate on the first n test images only', integerArg(1))
    .option('--validate', 'also score the test split after every epoch (monitoring only)')
    .option('--out <dir>', 'where to save the model (default: runs/<model>)')
    .option(
      '--checkpoint-dir <dir>',
      'where to keep the per-epoch checkpoint (default: <out>.checkpoint)',
    );
  command
    .addHelpText(
      'after',
      `
Examples:
  $ kdkit train --model cnn-teacher --dataset fashion-mnist --epochs 4 --out runs/teacher
  $ kdkit train --config teacher.yaml --epochs 2     flags override the file
  $ kdkit train --model cnn-teacher --dataset fashion-mnist --augment crop2,flip --out runs/teacher
  $ kdkit train --model cnn-teacher --out runs/teacher --resume   after a Ctrl-C`,
    )
    .action(async (_options, self) => {
      await runTrain(await resolveOptions(self, trainSchema));
    });
}

export async function runTrain(options: TrainOptions): Promise<void> {
  const started = Date.now();
  const { runConfigHash } = await import('@kdkit/experiments');
  const { createModel, modelInfo } = await import('@kdkit/models');
  const { saveModel } = await import('@kdkit/models/node');
  const { DEFAULT_LR_SCHEDULE, evaluate, trainSupervised } = await import('@kdkit/trainers');
  const lrSchedule = options.schedule ?? DEFAULT_LR_SCHEDULE;
  const { checkpointDirFor, checkpointStore, loadSplit, resumeSource, runTraining } = await import(
    '../training.js'
  );
  const { checkRunPaths, checkSplits } = await import('../preflight.js');
  const { out } = await startCommand(options);
  const outDir = resolve(options.out ?? `runs/${options.model}`);
  const checkpointDir = checkpointDirFor(outDir, options.checkpointDir);
  const modelOptions = { ...(options.width === undefined ? {} : { width: options.width }) };
  // Everything that can be checked is checked here, before data loads or a step runs.
  modelInfo(options.model, modelOptions);
  await checkRunPaths('kdkit train', { out: outDir, checkpointDir, protect: [] });
  const resumeFrom = await resumeSource(options.resume, checkpointDir);
  const [train, test] = await Promise.all([
    loadSplit(options.dataset, 'train', options),
    loadSplit(options.dataset, 'test', { dataDir: options.dataDir, limit: options.testLimit }),
  ]);
  checkSplits('kdkit train', train, test);
  const recipe = {
    model: options.model,
    dataset: options.dataset,
    width: options.width,
    ...trainingRecipe(options, lrSchedule),
  };
  const model = createModel(options.model, {
    inputShape: train.shape,
    numClasses: train.numClasses,
    seed: options.seed,
    ...modelOptions,
  });
  try {
    out.info(
      `kdkit train: ${options.model} (${count(model.countParams())} params) on ${options.dataset}, ${count(train.size)} images, ${options.epochs} epoch${options.epochs === 1 ? '' : 's'}${recipe.augment ? `, augment ${recipe.augment}` : ''}${resumeFrom ? `, resuming from ${resumeFrom}` : ''}`,
    );
    const result = await runTraining(
      options.model,
      options.epochs,
      checkpointDir,
      out,
      ({ callbacks, signal }) =>
        trainSupervised({
          model,
          train,
          epochs: options.epochs,
          batchSize: options.batchSize,
          optimizer: { name: options.optimizer, learningRate: options.lr },
          lrSchedule,
          seed: options.seed,
          ...(options.augment ? { augment: options.augment } : {}),
          ...(options.validate ? { validation: test } : {}),
          callbacks,
          signal,
          recipe,
          ...(resumeFrom ? { resumeFrom: checkpointStore(resumeFrom) } : {}),
        }),
    );
    const metrics = await evaluate(model, test);
    await saveModel(model, outDir, {
      meta: {
        zooName: options.model,
        dataset: options.dataset,
        inputShape: train.shape,
        numClasses: train.numClasses,
        classNames: train.classNames,
        accuracy: metrics.accuracy,
        recipeHash: runConfigHash(recipe),
        recipe,
        trainedBy: 'kdkit train',
      },
    });
    await rm(checkpointDir, { recursive: true, force: true });
    const elapsed = Date.now() - started;
    out.result(
      {
        model: options.model,
        dataset: options.dataset,
        out: outDir,
        params: model.countParams(),
        epochs: result.completedEpochs,
        ...augmentEntry(options.augment),
        accuracy: metrics.accuracy,
        topK: metrics.topK,
        k: metrics.k,
        ece: metrics.ece,
        history: result.history,
        seconds: elapsed / 1000,
      },
      () =>
        renderTable(
          ['model', 'dataset', 'params', 'epochs', 'test accuracy', `top-${metrics.k}`, 'time'],
          [
            [
              options.model,
              options.dataset,
              count(model.countParams()),
              String(result.completedEpochs),
              percent(metrics.accuracy),
              percent(metrics.topK),
              seconds(elapsed),
            ],
          ],
        ) + `\nsaved to ${outDir}`,
    );
  } finally {
    model.dispose();
  }
}
