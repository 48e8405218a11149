import { rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { type Command, InvalidArgumentError } from '@commander-js/extra-typings';
import { augmentsImages, formatAugmentSpec } from '@kdkit/datasets';
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
  augmentEntry,
  augmentedTeacherNote,
  backendShape,
  integerArg,
  lossModuleShape,
  numberArg,
  outputShape,
  trainingRecipe,
  trainingShape,
} from '../options.js';
import { count, percent, renderTable, seconds } from '../output.js';
import {
  TEACHER_FLAG_HELP,
  TEACHER_INPUT_HELP,
  TEACHER_LAYOUT_HELP,
  teacherShape,
} from '../teachers.js';

const lossOptionValue = z.union([z.number(), z.string(), z.boolean()]);

export const distillSchema = z.strictObject({
  ...outputShape,
  ...backendShape,
  ...trainingShape,
  ...lossModuleShape,
  teacher: z.string().optional(),
  ...teacherShape,
  teacherStore: z.string().optional(),
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
    .option('--teacher <dir|file.onnx|pretrained:NAME>', TEACHER_FLAG_HELP)
    .option('--teacher-layout <layout>', TEACHER_LAYOUT_HELP)
    .option('--teacher-input <scaling>', TEACHER_INPUT_HELP)
    .option(
      '--teacher-store <dir>',
      'a soft-target store (kdkit soft-targets) as the teacher, instead of --teacher',
    )
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
  $ kdkit distill --teacher runs/teacher --student cnn-student --augment crop2,flip,views4
  $ kdkit distill --teacher runs/teacher --student lenet5 --loss-module ./my-loss.mjs --loss my-loss
  $ kdkit distill --teacher model.onnx --teacher-input mean=0.286,std=0.353 --dataset fashion-mnist
  $ kdkit distill --teacher pretrained:cnn-teacher --dataset fashion-mnist
  $ kdkit distill --teacher-store stores/fmnist --dataset fashion-mnist`,
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
  const { runConfigHash } = await import('@kdkit/experiments');
  const { createModel, modelInfo, withFeatures } = await import('@kdkit/models');
  const { loadModel, saveModel } = await import('@kdkit/models/node');
  const { DEFAULT_LR_SCHEDULE, distill, evaluate } = await import('@kdkit/trainers');
  const lrSchedule = options.schedule ?? DEFAULT_LR_SCHEDULE;
  const { checkpointDirFor, checkpointStore, loadSplit, resumeSource, runTraining } = await import(
    '../training.js'
  );
  await loadLossModules(options.lossModule);
  const lossOptions = {
    ...options.lossOptions,
    ...(options.temperature === undefined ? {} : { temperature: options.temperature }),
    ...(options.alpha === undefined ? {} : { alpha: options.alpha }),
  };
  // An unknown loss and contradicting flags fail before any work (and before the backend loads).
  const loss = getLoss(options.loss, lossOptions);
  if ((options.teacher === undefined) === (options.teacherStore === undefined)) {
    throw new KdkitError(
      'INVALID_ARGUMENT',
      '--teacher: give exactly one of --teacher (a saved model folder, an .onnx file or pretrained:NAME) or --teacher-store (a soft-target store).',
    );
  }
  if (options.teacherStore !== undefined && augmentsImages(options.augment)) {
    throw new KdkitError(
      'INVALID_ARGUMENT',
      `--augment ${formatAugmentSpec(options.augment ?? {})}: a soft-target store (--teacher-store) holds the teacher's logits of the un-augmented training images only; drop --augment, or give the teacher itself with --teacher.`,
    );
  }
  const { out } = await startCommand(options);
  const studentIsDir = await isModelDir(resolve(options.student));
  if (!studentIsDir && /[/\\]|^\./.test(options.student)) {
    throw new KdkitError(
      'FILE_NOT_FOUND',
      `--student: ${resolve(options.student)} holds no saved model (model.json); give a saved model directory or a zoo name (kdkit list models).`,
    );
  }
  if (!studentIsDir) modelInfo(options.student); // an unknown zoo name fails here (modelInfo builds it: after the backend)
  const {
    checkTeacherFitsData,
    cacheAgreement,
    openTeacherStore,
    resolveStoreTeacher,
    resolveTeacher,
  } = await import('../teachers.js');
  const store =
    options.teacherStore === undefined ? undefined : await openTeacherStore(options.teacherStore);
  let resolved =
    options.teacher === undefined
      ? undefined
      : await resolveTeacher({ ...options, teacher: options.teacher }, options.dataset);
  const studentName = studentIsDir ? undefined : options.student;
  const outDir = resolve(options.out ?? `runs/${studentName ?? 'student'}-kd`);
  const checkpointDir = checkpointDirFor(outDir, options.checkpointDir);
  const { checkRunPaths, checkSplits } = await import('../preflight.js');
  await checkRunPaths('kdkit distill', {
    out: outDir,
    checkpointDir,
    protect: [
      ...(resolved?.kind === 'model' ? [{ arg: '--teacher', dir: resolved.source }] : []),
      ...(studentIsDir ? [{ arg: '--student', dir: resolve(options.student) }] : []),
    ],
  });
  const resumeFrom = await resumeSource(options.resume, checkpointDir);
  let student: tfl.LayersModel | undefined;
  try {
    const dataset = options.dataset ?? resolved?.dataset ?? store?.manifest.dataset.name;
    if (dataset === undefined) {
      throw new KdkitError(
        'INVALID_ARGUMENT',
        `--dataset: the teacher ${resolved?.source ?? options.teacher} does not record its dataset; pass --dataset <name>.`,
      );
    }
    const [train, test] = await Promise.all([
      loadSplit(dataset, 'train', options),
      loadSplit(dataset, 'test', { dataDir: options.dataDir, limit: options.testLimit }),
    ]);
    checkSplits('kdkit distill', train, test);
    // A teacher of other classes or image shape, or a store of other ids, is refused here.
    if (store) resolved = await resolveStoreTeacher(store, train);
    const teacher = resolved as NonNullable<typeof resolved>;
    checkTeacherFitsData(teacher, train);
    student = studentIsDir
      ? (await loadModel(resolve(options.student))).model
      : createModel(options.student, {
          inputShape: train.shape,
          numClasses: train.numClasses,
          seed: options.seed,
          ...(options.width === undefined ? {} : { width: options.width }),
        });
    const studentLabel = studentName ?? options.student;
    const teacherNote = augmentedTeacherNote(
      options.augment,
      options.teacherCache === 'auto' && !loss.needsFeatures,
    );
    out.info(
      `kdkit distill: ${teacher.label} (${teacher.kind}) → ${studentLabel} (${count(student.countParams())} params), loss '${options.loss}'${Object.keys(lossOptions).length ? ` ${JSON.stringify(lossOptions)}` : ''}, ${dataset}, ${count(train.size)} images, ${options.epochs} epoch${options.epochs === 1 ? '' : 's'}${options.augment ? `, augment ${formatAugmentSpec(options.augment)}${teacherNote ? ` (${teacherNote})` : ''}` : ''}${resumeFrom ? `, resuming from ${resumeFrom}` : ''}`,
    );
    const trainedStudent = student;
    // Feature losses (FitNets, AT, SP, PKT, RKD) read the zoo's default taps of both models.
    const tapped =
      loss.needsFeatures && teacher.model
        ? {
            teacher: withFeatures(teacher.model).model,
            student: withFeatures(trainedStudent).model,
          }
        : { teacher: teacher.teacher, student: trainedStudent };
    const result = await runTraining(
      studentLabel,
      options.epochs,
      checkpointDir,
      out,
      ({ callbacks, signal }) =>
        distill({
          teacher: tapped.teacher,
          student: tapped.student,
          train,
          loss,
          epochs: options.epochs,
          batchSize: options.batchSize,
          optimizer: { name: options.optimizer, learningRate: options.lr },
          lrSchedule,
          seed: options.seed,
          teacherCache: teacher.cache ?? (options.teacherCache === 'auto' ? 'auto' : 'off'),
          ...(options.augment ? { augment: options.augment } : {}),
          ...(options.validate ? { validation: test } : {}),
          callbacks,
          signal,
          recipe: {
            teacher: teacher.identity,
            student: options.student,
            width: options.width,
            loss: options.loss,
            lossOptions,
            dataset,
            limit: options.limit,
            optimizer: options.optimizer,
            teacherCache: options.teacherCache,
            ...augmentEntry(options.augment),
          },
          ...(resumeFrom ? { resumeFrom: checkpointStore(resumeFrom) } : {}),
        }),
    );
    // A store holds the training images' logits only: agreement is measured on those.
    const scored = await evaluate(student, test, teacher.cache ? {} : { teacher: teacher.teacher });
    const metrics = teacher.cache
      ? { ...scored, agreement: await cacheAgreement(student, train, teacher.cache) }
      : scored;
    const agreementOn = teacher.cache ? 'train images, stored logits' : 'test images';
    const recipe = {
      teacher: teacher.identity,
      student: options.student,
      loss: options.loss,
      lossOptions,
      dataset,
      ...trainingRecipe(options, lrSchedule),
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
        recipeHash: runConfigHash(recipe),
        recipe,
        teacher: teacher.source,
        trainedBy: 'kdkit distill',
      },
    });
    await rm(checkpointDir, { recursive: true, force: true });
    const elapsed = Date.now() - started;
    out.result(
      {
        teacher: {
          source: teacher.source,
          kind: teacher.kind,
          model: teacher.label,
          accuracy: teacher.accuracy,
          params: teacher.params,
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
          agreementOn,
        },
        loss: options.loss,
        lossOptions,
        dataset,
        ...augmentEntry(options.augment),
        epochs: result.completedEpochs,
        ...(result.teacherCache ? { teacherCache: result.teacherCache } : {}),
        history: result.history,
        seconds: elapsed / 1000,
      },
      () =>
        renderTable(
          ['', 'model', 'params', 'test accuracy', 'agreement with teacher'],
          [
            [
              'teacher',
              `${teacher.label} (${teacher.kind})`,
              teacher.params === undefined ? '-' : count(teacher.params),
              teacher.accuracy === undefined ? '-' : `${percent(teacher.accuracy)} (recorded)`,
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
        `\nagreement on ${agreementOn}\n${result.completedEpochs} epoch${result.completedEpochs === 1 ? '' : 's'} in ${seconds(elapsed)} · saved to ${outDir}`,
    );
  } finally {
    resolved?.dispose();
    student?.dispose();
    loss.dispose?.();
  }
}
