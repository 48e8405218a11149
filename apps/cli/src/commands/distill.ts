import { rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { type Command, InvalidArgumentError } from '@commander-js/extra-typings';
import { KdkitError } from '@kdkit/engine';
import type * as tfl from '@tensorflow/tfjs-layers';
import { z } from 'zod';
import { resolveOptions } from '../config.js';
import { startCommand } from '../context.js';
import { loadLossModules } from '../loss-modules.js';
import {
  addBackendOption,
  addLossModuleOption,
  addOutputOptions,
  addTrainingOptions,
  backendShape,
  integerArg,
  lossModuleShape,
  numberArg,
  outputShape,
  trainingShape,
} from '../options.js';
import { count, percent, renderTable, seconds } from '../output.js';

const lossOptionValue = z.union([z.number(), z.string(), z.boolean()]);

export const distillSchema = z.strictObject({
  ...outputShape,
  ...backendShape,
  ...trainingShape,
  ...lossModuleShape,
  teacher: z.string({ error: 'required: the directory of a saved teacher (kdkit train --out)' }),
  student: z.string({ error: 'required: a zoo model name or the directory of a saved model' }),
  loss: z.string().default('hinton'),
  temperature: z.number().positive().optional(),
  alpha: z.number().min(0).max(1).optional(),
  lossOptions: z.record(z.string(), lossOptionValue).optional(),
  dataset: z.string().optional(),
  width: z.number().positive().optional(),
  epochs: z.int().min(1).default(5),
  testLimit: z.int().min(1).optional(),
  validate: z.boolean().optional(),
  teacherCache: z.enum(['auto', 'off']).default('auto'),
  out: z.string().optional(),
  checkpointDir: z.string().optional(),
});
export type DistillOptions = z.infer<typeof distillSchema>;

/** `--loss-option beta=8` → `{ beta: 8 }` (numbers and booleans parsed). */
function collectLossOption(
  pair: string,
  previous: Record<string, number | string | boolean> | undefined,
): Record<string, number | string | boolean> {
  const at = pair.indexOf('=');
  if (at <= 0) throw new InvalidArgumentError(`expected key=value, got '${pair}'.`);
  const key = pair.slice(0, at);
  const raw = pair.slice(at + 1);
  const number = Number(raw);
  const value =
    raw === 'true'
      ? true
      : raw === 'false'
        ? false
        : raw !== '' && Number.isFinite(number)
          ? number
          : raw;
  return { ...previous, [key]: value };
}

export function registerDistill(program: Command): void {
  const command = program
    .command('distill')
    .summary('distil a student from a saved teacher (offline KD with a teacher cache)')
    .description(
      'Trains a student (a zoo name, or a saved model directory) to match a saved teacher with a ' +
        'distillation loss. The teacher is frozen in inference mode and its logits are computed ' +
        'once per image and cached. The student is evaluated on the test split (accuracy and ' +
        'agreement with the teacher) and saved to --out with its metadata.',
    )
    .option('--teacher <dir>', 'directory of the saved teacher (from kdkit train)')
    .option('--student <model|dir>', 'zoo name of a fresh student, or a saved model directory')
    .option('--loss <name>', 'distillation loss (kdkit list losses)', 'hinton')
    .option(
      '-T, --temperature <t>',
      "softmax temperature (the loss's default if omitted)",
      numberArg,
    )
    .option('--alpha <a>', "weight of the soft term (the loss's default if omitted)", numberArg)
    .option(
      '--loss-option <key=value>',
      'any other loss option, e.g. beta=8 (repeatable)',
      collectLossOption,
    )
    .option('--dataset <name>', "dataset (default: the teacher's)")
    .option('--width <x>', 'width multiplier of a zoo student', numberArg);
  addTrainingOptions(command, 5);
  addLossModuleOption(command);
  addBackendOption(command);
  addOutputOptions(command);

  command
    .option('--test-limit <n>', 'evaluate on the first n test images only', integerArg(1))
    .option('--validate', 'also score the test split after every epoch (monitoring only)')
    .option(
      '--teacher-cache <mode>',
      "'auto' caches the teacher's logits per image, 'off' recomputes them",
      'auto',
    )
    .option('--out <dir>', 'where to save the student (default: runs/<student>-kd)')
    .option(
      '--checkpoint-dir <dir>',
      'where to keep the per-epoch checkpoint (default: <out>.checkpoint)',
    )
    .addHelpText(
      'after',
      `
Examples:
  $ kdkit distill --teacher runs/teacher --student cnn-student --loss hinton -T 4 --alpha 0.9 --out runs/kd
  $ kdkit distill --teacher runs/teacher --student cnn-student --loss dkd --loss-option beta=8
  $ kdkit distill --teacher runs/teacher --student lenet5 --loss-module ./my-loss.mjs --loss my-loss`,
    )
    .action(async (_options, self) => {
      await runDistill(await resolveOptions(self, distillSchema));
    });
  // Commander names the repeatable flag's attribute after the flag: `lossOption`.
  command.hook('preAction', (self) => {
    const values = self.opts() as Record<string, unknown>;
    if (values['lossOption'] !== undefined) {
      self.setOptionValueWithSource('lossOptions', values['lossOption'], 'cli');
    }
  });
}

async function isModelDir(path: string): Promise<boolean> {
  return (await stat(join(path, 'model.json')).catch(() => undefined))?.isFile() === true;
}

export async function runDistill(options: DistillOptions): Promise<void> {
  const started = Date.now();
  const { getLoss } = await import('@kdkit/losses');
  const { configHash } = await import('@kdkit/experiments');
  const { createModel, loadModel, modelInfo, saveModel, withFeatures } = await import(
    '@kdkit/models'
  );
  const { distill, evaluate } = await import('@kdkit/trainers');
  const { checkpointDirFor, loadSplit, resumeSource, runTraining } = await import('../training.js');
  await loadLossModules(options.lossModule);
  const lossOptions = {
    ...options.lossOptions,
    ...(options.temperature === undefined ? {} : { temperature: options.temperature }),
    ...(options.alpha === undefined ? {} : { alpha: options.alpha }),
  };
  const loss = getLoss(options.loss, lossOptions); // an unknown name fails before any work
  const { out } = await startCommand(options);
  const teacherDir = resolve(options.teacher);
  if (!(await isModelDir(teacherDir))) {
    throw new KdkitError(
      'FILE_NOT_FOUND',
      `--teacher: ${teacherDir} holds no saved model (model.json). Train one with: kdkit train --model cnn-teacher --out ${options.teacher}`,
    );
  }
  const studentIsDir = await isModelDir(resolve(options.student));
  if (!studentIsDir && /[/\\]|^\./.test(options.student)) {
    throw new KdkitError(
      'FILE_NOT_FOUND',
      `--student: ${resolve(options.student)} holds no saved model (model.json); give a saved model directory or a zoo name (kdkit list models).`,
    );
  }
  if (!studentIsDir) modelInfo(options.student); // an unknown zoo name fails here
  const { model: teacher, meta: teacherMeta } = await loadModel(teacherDir);
  let student: tfl.LayersModel | undefined;
  try {
    const dataset = options.dataset ?? teacherMeta.dataset;
    if (dataset === undefined) {
      throw new KdkitError(
        'INVALID_ARGUMENT',
        `--dataset: the teacher in ${teacherDir} does not record its dataset; pass --dataset <name>.`,
      );
    }
    const [train, test] = await Promise.all([
      loadSplit(dataset, 'train', options),
      loadSplit(dataset, 'test', { dataDir: options.dataDir, limit: options.testLimit }),
    ]);
    const studentName = studentIsDir ? undefined : options.student;
    student = studentIsDir
      ? (await loadModel(resolve(options.student))).model
      : createModel(options.student, {
          inputShape: train.shape,
          numClasses: train.numClasses,
          seed: options.seed,
          ...(options.width === undefined ? {} : { width: options.width }),
        });
    const studentLabel = studentName ?? options.student;
    const outDir = resolve(options.out ?? `runs/${studentName ?? 'student'}-kd`);
    const checkpointDir = checkpointDirFor(outDir, options.checkpointDir);
    const resumeFrom = await resumeSource(options.resume, checkpointDir);
    out.info(
      `kdkit distill: ${teacherMeta.zooName ?? 'teacher'} → ${studentLabel} (${count(student.countParams())} params), loss '${options.loss}'${Object.keys(lossOptions).length ? ` ${JSON.stringify(lossOptions)}` : ''}, ${dataset}, ${count(train.size)} images, ${options.epochs} epoch${options.epochs === 1 ? '' : 's'}${resumeFrom ? `, resuming from ${resumeFrom}` : ''}`,
    );
    const trainedStudent = student;
    // Feature losses (FitNets, AT, SP, PKT, RKD) read the zoo's default taps of both models.
    const tapped = loss.needsFeatures
      ? { teacher: withFeatures(teacher).model, student: withFeatures(trainedStudent).model }
      : { teacher, student: trainedStudent };
    const result = await runTraining(
      studentLabel,
      options.epochs,
      checkpointDir,
      out,
      (callbacks) =>
        distill({
          teacher: tapped.teacher,
          student: tapped.student,
          train,
          loss,
          epochs: options.epochs,
          batchSize: options.batchSize,
          optimizer: { name: options.optimizer, learningRate: options.lr },
          lrSchedule: options.schedule,
          seed: options.seed,
          teacherCache: options.teacherCache === 'auto' ? 'auto' : 'off',
          ...(options.validate ? { validation: test } : {}),
          callbacks,
          ...(resumeFrom ? { resumeFrom } : {}),
        }),
    );
    const metrics = await evaluate(student, test, { teacher });
    const recipe = {
      teacher: teacherMeta.configHash ?? teacherDir,
      student: options.student,
      loss: options.loss,
      lossOptions,
      dataset,
      epochs: options.epochs,
      batchSize: options.batchSize,
      optimizer: options.optimizer,
      lr: options.lr,
      schedule: options.schedule,
      seed: options.seed,
      limit: options.limit,
    };
    await saveModel(student, outDir, {
      meta: {
        ...(studentName ? { zooName: studentName } : {}),
        dataset,
        inputShape: train.shape,
        numClasses: train.numClasses,
        classNames: train.classNames,
        accuracy: metrics.accuracy,
        agreement: metrics.agreement,
        configHash: configHash(recipe),
        recipe,
        teacher: teacherDir,
        trainedBy: 'kdkit distill',
      },
    });
    await rm(checkpointDir, { recursive: true, force: true });
    const elapsed = Date.now() - started;
    out.result(
      {
        teacher: {
          dir: teacherDir,
          model: teacherMeta.zooName,
          accuracy: teacherMeta.accuracy,
          params: teacher.countParams(),
        },
        student: {
          out: outDir,
          model: studentLabel,
          params: trainedStudent.countParams(),
          accuracy: metrics.accuracy,
          topK: metrics.topK,
          k: metrics.k,
          ece: metrics.ece,
          agreement: metrics.agreement,
        },
        loss: options.loss,
        lossOptions,
        dataset,
        epochs: result.completedEpochs,
        history: result.history,
        seconds: elapsed / 1000,
      },
      () =>
        renderTable(
          ['', 'model', 'params', 'test accuracy', 'agreement with teacher'],
          [
            [
              'teacher',
              String(teacherMeta.zooName ?? teacherDir),
              count(teacher.countParams()),
              typeof teacherMeta.accuracy === 'number'
                ? `${percent(teacherMeta.accuracy)} (saved)`
                : '-',
              '100.00%',
            ],
            [
              `student (${options.loss})`,
              studentLabel,
              count(trainedStudent.countParams()),
              percent(metrics.accuracy),
              percent(metrics.agreement),
            ],
          ],
        ) +
        `\n${result.completedEpochs} epoch${result.completedEpochs === 1 ? '' : 's'} in ${seconds(elapsed)} · saved to ${outDir}`,
    );
  } finally {
    teacher.dispose();
    student?.dispose();
    loss.dispose?.();
  }
}
