import { resolve } from 'node:path';
import type { Command } from '@commander-js/extra-typings';
import { KdkitError } from '@kdkit/engine';
import { z } from 'zod';
import { resolveOptions } from '../config.js';
import { startCommand } from '../context.js';
import {
  addBackendOption,
  addOutputOptions,
  backendShape,
  integerArg,
  outputShape,
} from '../options.js';
import { count, percent, renderTable } from '../output.js';
import {
  type ResolvedTeacher,
  TEACHER_FLAG_HELP,
  TEACHER_INPUT_HELP,
  TEACHER_LAYOUT_HELP,
  teacherShape,
} from '../teachers.js';

export const evalSchema = z.strictObject({
  ...outputShape,
  ...backendShape,
  model: z.string({ error: 'required: the directory of a saved model' }),
  teacher: z.string().optional(),
  ...teacherShape,
  dataset: z.string().optional(),
  split: z.enum(['train', 'test']).default('test'),
  dataDir: z.string().optional(),
  testLimit: z.int().min(1).optional(),
  topK: z.int().min(1).default(5),
  bins: z.int().min(1).default(15),
  batchSize: z.int().min(1).default(256),
});
export type EvalOptions = z.infer<typeof evalSchema>;

export function registerEval(program: Command): void {
  const command = program
    .command('eval')
    .summary('score a saved model: accuracy, top-k, calibration (ECE), agreement with a teacher')
    .description(
      'Evaluates a saved model in inference mode on a dataset split and prints accuracy, top-k ' +
        'accuracy, mean cross-entropy, expected calibration error and, with --teacher, the fraction ' +
        'of images on which student and teacher predict the same class.',
    )
    .option('--model <dir>', 'directory of the saved model')
    .option('--teacher <dir|file.onnx|pretrained:NAME>', `${TEACHER_FLAG_HELP}, for agreement`)
    .option('--teacher-layout <layout>', TEACHER_LAYOUT_HELP)
    .option('--teacher-input <scaling>', TEACHER_INPUT_HELP)
    .option('--dataset <name>', 'dataset (default: the one the model was trained on)')
    .option('--split <split>', 'train or test', 'test')
    .option('--data-dir <dir>', 'directory holding the dataset files')
    .option('--test-limit <n>', 'score the first n images of the split only', integerArg(1))
    .option('--top-k <k>', 'k of the top-k accuracy', integerArg(1), 5)
    .option('--bins <n>', 'confidence bins of the ECE', integerArg(1), 15)
    .option('--batch-size <n>', 'images per forward pass', integerArg(1), 256);
  addBackendOption(command);
  addOutputOptions(command);
  command
    .addHelpText(
      'after',
      `
Examples:
  $ kdkit eval --model runs/kd --teacher runs/teacher
  $ kdkit eval --model runs/kd --test-limit 1000          a quick score
  $ kdkit eval --model runs/teacher --dataset fashion-mnist --json`,
    )
    .action(async (_options, self) => {
      await runEval(await resolveOptions(self, evalSchema));
    });
}

export async function runEval(options: EvalOptions): Promise<void> {
  const { loadModel } = await import('@kdkit/models/node');
  const { evaluate } = await import('@kdkit/trainers');
  const { loadSplit } = await import('../training.js');
  const { out } = await startCommand(options);
  const modelDir = resolve(options.model);
  const { model, meta } = await loadModel(modelDir);
  let teacher: ResolvedTeacher | undefined;
  try {
    const dataset = options.dataset ?? meta.dataset;
    if (dataset === undefined) {
      throw new KdkitError(
        'INVALID_ARGUMENT',
        `--dataset: the model in ${modelDir} does not record its dataset; pass --dataset <name>.`,
      );
    }
    const data = await loadSplit(dataset, options.split, {
      dataDir: options.dataDir,
      limit: options.testLimit,
    });
    if (options.teacher !== undefined) {
      const { checkTeacherFitsData, resolveTeacher } = await import('../teachers.js');
      teacher = await resolveTeacher({ ...options, teacher: options.teacher }, dataset);
      checkTeacherFitsData(teacher, data);
    }
    const metrics = await evaluate(model, data, {
      ...(teacher ? { teacher: teacher.teacher } : {}),
      topK: options.topK,
      bins: options.bins,
      batchSize: options.batchSize,
    });
    const name = typeof meta.zooName === 'string' ? meta.zooName : modelDir;
    out.result(
      {
        model: modelDir,
        zooName: meta.zooName,
        dataset,
        split: options.split,
        count: metrics.count,
        params: model.countParams(),
        accuracy: metrics.accuracy,
        topK: metrics.topK,
        k: metrics.k,
        meanLoss: metrics.meanLoss,
        ece: metrics.ece,
        ...(metrics.agreement === undefined ? {} : { agreement: metrics.agreement }),
        ...(teacher ? { teacher: { source: teacher.source, kind: teacher.kind } } : {}),
        confusion: metrics.confusion,
      },
      () =>
        renderTable(
          [
            'model',
            'images',
            'accuracy',
            `top-${metrics.k}`,
            'mean CE',
            'ECE',
            'agreement with teacher',
          ],
          [
            [
              name,
              count(metrics.count),
              percent(metrics.accuracy),
              percent(metrics.topK),
              metrics.meanLoss.toFixed(4),
              metrics.ece.toFixed(4),
              metrics.agreement === undefined ? '-' : percent(metrics.agreement),
            ],
          ],
        ) + `\n${dataset} (${options.split})`,
    );
  } finally {
    model.dispose();
    teacher?.dispose();
  }
}
