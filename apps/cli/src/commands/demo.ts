import type { Command } from '@commander-js/extra-typings';
import { formatAugmentSpec } from '@kdkit/datasets';
import { KdkitError } from '@kdkit/engine';
import type { TripletPhase, TripletResult, TripletRole, TripletRow } from '@kdkit/experiments';
import { MINI_SET_KD } from '@kdkit/pretrained';
import { z } from 'zod';
import { resolveOptions } from '../config.js';
import { startCommand } from '../context.js';
import { loadLossModules } from '../loss-modules.js';
import {
  AUGMENT_HELP,
  addBackendOption,
  addLossModuleOption,
  addOutputOptions,
  augmentedTeacherNote,
  augmentShape,
  backendShape,
  integerArg,
  lossModuleShape,
  numberArg,
  outputShape,
} from '../options.js';
import { count, percent, renderTable, seconds } from '../output.js';
import { TEACHER_INPUT_HELP, TEACHER_LAYOUT_HELP, teacherShape } from '../teachers.js';

/** The demo's KD setting, chosen on validation (see `MINI_SET_KD` in @kdkit/pretrained). */
export const DEMO_KD = MINI_SET_KD;

export const demoSchema = z.strictObject({
  ...outputShape,
  ...backendShape,
  ...lossModuleShape,
  full: z.boolean().optional(),
  dataDir: z.string().optional(),
  limit: z.int().min(1).optional(),
  testLimit: z.int().min(1).optional(),
  teacher: z.string().default('cnn-teacher'),
  student: z.string().default('cnn-student'),
  epochs: z.int().min(1).optional(),
  teacherEpochs: z.int().min(1).default(6),
  studentEpochs: z.int().min(1).default(10),
  batchSize: z.int().min(1).default(128),
  lr: z.number().positive().default(0.001),
  loss: z.string().default('hinton'),
  temperature: z.number().positive().default(DEMO_KD.temperature),
  alpha: z.number().min(0).max(1).default(DEMO_KD.alpha),
  seed: z.int().min(0).default(0),
  labelFraction: z.number().gt(0).max(1).default(1),
  ...augmentShape,
  teacherStore: z.string().optional(),
  ...teacherShape,
  trainTeacher: z.boolean().optional(),
});
export type DemoOptions = z.infer<typeof demoSchema>;

const ROLE_LABEL: Record<TripletRole, string> = {
  teacher: 'teacher',
  'student-scratch': 'student (scratch)',
  'student-kd': 'student (KD)',
};

function describePhase(
  phase: TripletPhase,
  options: Pick<DemoOptions, 'teacher' | 'student' | 'loss' | 'augment'>,
): string {
  switch (phase) {
    case 'load-teacher':
      return `loading the teacher (${options.teacher})`;
    case 'train-teacher':
      return `training the teacher (${options.teacher})`;
    case 'evaluate-teacher':
      return 'evaluating the teacher';
    case 'train-student-scratch':
      return `training the student from scratch (${options.student})`;
    case 'evaluate-student-scratch':
      return 'evaluating the student trained from scratch';
    case 'distill-student':
      return `distilling the student from the teacher (${options.loss} loss, ${augmentedTeacherNote(options.augment, true) ?? 'cached teacher logits'})`;
    case 'evaluate-student-kd':
      return 'evaluating the distilled student';
  }
}

export function registerDemo(program: Command): void {
  const command = program
    .command('demo')
    .summary('teacher vs student from scratch vs distilled student, in one table')
    .description(
      'Loads the shipped pretrained teacher (or trains one with --train-teacher), trains a student ' +
        'from scratch, distils the same student from the teacher (Hinton loss, T=1, α=0.9 as ' +
        'chosen on validation; cached teacher logits), and prints a table of test accuracy, parameters, ' +
        'agreement with the teacher and training time. Runs offline on the Fashion-MNIST mini set ' +
        'embedded in @kdkit/datasets (3,000 train / 1,000 test images); --full uses the real set.',
    )
    .option('--full', 'use the full Fashion-MNIST (60,000 / 10,000) instead of the mini set')
    .option('--data-dir <dir>', 'where the full Fashion-MNIST files are (with --full)')
    .option('--limit <n>', 'train on the first n training images only', integerArg(1))
    .option('--test-limit <n>', 'test on the first n test images only', integerArg(1))
    .option(
      '--teacher <model>',
      'a zoo name (pretrained:NAME when shipped, else trained here), a saved model folder, an .onnx file, or pretrained:NAME',
      'cnn-teacher',
    )
    .option('--train-teacher', 'train the teacher here even when a pretrained one is shipped')
    .option('--teacher-layout <layout>', TEACHER_LAYOUT_HELP)
    .option('--teacher-input <scaling>', TEACHER_INPUT_HELP)
    .option('--student <model>', 'student zoo name', 'cnn-student')
    .option('--epochs <n>', 'epochs of the teacher and of both students', integerArg(1))
    .option('--teacher-epochs <n>', 'teacher epochs', integerArg(1), 6)
    .option('--student-epochs <n>', 'epochs of each student', integerArg(1), 10)
    .option('--batch-size <n>', 'images per step', integerArg(1), 128)
    .option('--lr <rate>', 'Adam learning rate (cosine schedule)', numberArg, 0.001)
    .option('--loss <name>', 'distillation loss (see kdkit list losses)', 'hinton')
    .option(
      '-T, --temperature <t>',
      'softmax temperature of the soft targets (hinton and kl losses; others take their defaults)',
      numberArg,
      DEMO_KD.temperature,
    )
    .option(
      '--alpha <a>',
      'weight of the soft term: α·T²·soft + (1−α)·hard (hinton and kl losses)',
      numberArg,
      DEMO_KD.alpha,
    )
    .option('--seed <n>', 'seed of init and batch order', integerArg(0), 0)
    .option(
      '--label-fraction <f>',
      "few-label regime: the students see labels for this fraction of the training images (the KD student still gets the teacher's soft targets on all)",
      numberArg,
      1,
    )
    .option('--augment <spec>', `${AUGMENT_HELP}; the students only (default: none)`)
    .option(
      '--teacher-store <dir>',
      'keep trained teachers in this folder and reuse one trained by an earlier run with the same settings',
    );
  addLossModuleOption(command);
  addBackendOption(command);
  addOutputOptions(command);

  command
    .addHelpText(
      'after',
      `
Examples:
  $ kdkit demo                          the README's table, about a minute on 2 cores
  $ kdkit demo --epochs 1 --limit 600   a quick smoke run
  $ kdkit demo --label-fraction 0.1     few labels: where KD shines
  $ kdkit demo --full --backend wasm    the real Fashion-MNIST
  $ kdkit demo --teacher model.onnx --teacher-input mean=0.286,std=0.353
                                        distil from a PyTorch teacher exported to ONNX (NCHW)`,
    )
    .action(async (_options, self) => {
      await runDemo(await resolveOptions(self, demoSchema));
    });
}

export async function runDemo(options: DemoOptions): Promise<TripletResult> {
  const started = Date.now();
  const { getDataset } = await import('@kdkit/datasets/node');
  const { describeKdSetting, runTriplet } = await import('@kdkit/experiments');
  const { teacherStore } = await import('@kdkit/experiments/node');
  const { progressCallbacks } = await import('../progress.js');
  await loadLossModules(options.lossModule);
  const { checkSplits } = await import('../preflight.js');
  const { InterruptWatch } = await import('../interrupt.js');
  const { out, backend } = await startCommand(options);
  // Names are checked before anything trains: the loss and both models.
  const { getLoss } = await import('@kdkit/losses');
  const { modelInfo } = await import('@kdkit/models');
  getLoss(options.loss).dispose?.();
  const zooTeacher = !/[/\\]|^\.|\.onnx$|^pretrained:/i.test(options.teacher);
  if (zooTeacher) modelInfo(options.teacher);
  modelInfo(options.student);
  const datasetName = options.full ? 'fashion-mnist' : 'fashion-mnist-mini';
  const load = (split: 'train' | 'test', limit: number | undefined) =>
    getDataset(datasetName, {
      split,
      ...(options.dataDir === undefined ? {} : { dir: options.dataDir }),
      ...(limit === undefined ? {} : { limit }),
    });
  const [train, test] = await Promise.all([
    load('train', options.limit),
    load('test', options.testLimit),
  ]);
  checkSplits('kdkit demo', train, test);
  const { checkTeacherFitsData, resolveTeacher } = await import('../teachers.js');
  // A zoo teacher: the shipped pretrained one when there is one, else one trained here.
  let teacherFlag = options.teacher;
  if (zooTeacher && !options.trainTeacher) {
    const { listPretrained } = await import('@kdkit/pretrained/node');
    const shipped = (await listPretrained()).some(
      (t) => t.model === options.teacher && t.dataset === 'fashion-mnist',
    );
    if (shipped) teacherFlag = `pretrained:${options.teacher}`;
    else out.info(`No pretrained ${options.teacher} is shipped yet: training one here.`);
  }
  const given =
    teacherFlag === options.teacher && zooTeacher
      ? undefined
      : await resolveTeacher({ ...options, teacher: teacherFlag }, 'fashion-mnist');
  if (given) {
    try {
      checkTeacherFitsData(given, train);
    } catch (error) {
      given.dispose();
      throw error;
    }
  }
  const teacherEpochs = options.epochs ?? options.teacherEpochs;
  const studentEpochs = options.epochs ?? options.studentEpochs;
  out.info(
    `kdkit demo: ${options.teacher} → ${options.student} on ${datasetName} (${count(train.size)} train / ${count(test.size)} test images); teacher ${teacherEpochs} epochs, students ${studentEpochs} epochs each.`,
  );
  // A Ctrl-C stops the running trainer after its step; the demo then ends, saving nothing.
  const watch = new InterruptWatch();
  let result: TripletResult;
  try {
    result = await runTriplet(
      {
        teacher: given?.label ?? options.teacher,
        student: options.student,
        // The tfjs model when there is one (feature losses tap it), else the Teacher (ONNX).
        ...(given ? { teacherModel: given.model ?? given.teacher } : {}),
        ...(given?.params === undefined ? {} : { teacherParams: given.params }),
        train,
        test,
        teacherEpochs,
        studentEpochs,
        batchSize: options.batchSize,
        learningRate: options.lr,
        loss: options.loss,
        temperature: options.temperature,
        alpha: options.alpha,
        seed: options.seed,
        teacherSeed: options.seed,
        labelFraction: options.labelFraction,
        ...(options.augment ? { augment: options.augment } : {}),
        evaluateEachEpoch: false,
        ...(options.teacherStore === undefined
          ? {}
          : { teacherStore: teacherStore(options.teacherStore) }),
      },
      {
        signal: watch.signal,
        onPhase: (phase) => out.info(`• ${describePhase(phase, options)}`),
        callbacks: (role) =>
          out.showProgress
            ? progressCallbacks(
                ROLE_LABEL[role],
                role === 'teacher' ? teacherEpochs : studentEpochs,
              )
            : [],
      },
    );
  } catch (error) {
    if (watch.interrupted) {
      throw new KdkitError(
        'INTERRUPTED',
        `demo interrupted; nothing was saved${options.teacherStore === undefined ? ' (--teacher-store DIR keeps a trained teacher for the next run)' : ''}.`,
        { cause: error },
      );
    }
    throw error;
  } finally {
    watch.dispose();
    given?.dispose();
  }
  if (watch.interrupted) {
    throw new KdkitError('INTERRUPTED', 'demo interrupted after its last step; nothing was saved.');
  }
  const totalMs = Date.now() - started;
  const { teacher, scratch, kd } = result.rows;
  const rows = [teacher, scratch, kd];
  const summary = (row: TripletRow) => ({
    role: row.role,
    model: row.model,
    accuracy: row.accuracy,
    params: row.params,
    agreement: row.agreement,
    seconds: row.seconds,
  });
  out.result(
    {
      backend: backend.name,
      dataset: datasetName,
      trainSize: train.size,
      testSize: test.size,
      rows: { teacher: summary(teacher), scratch: summary(scratch), kd: summary(kd) },
      config: result.config,
      configHash: result.configHash,
      // The given teacher's kind ('pretrained', 'onnx', 'model', 'store'), else 'trained' or 'store'.
      teacherSource: given?.kind ?? result.teacherSource,
      totalSeconds: totalMs / 1000,
    },
    () => {
      const table = renderTable(
        ['', 'model', 'test accuracy', 'params', 'agreement with teacher', 'train time'],
        rows.map((row) => [
          ROLE_LABEL[row.role],
          row.model,
          percent(row.accuracy),
          row.params === undefined ? '—' : count(row.params),
          percent(row.agreement),
          row.role === 'teacher' && result.teacherSource !== 'trained'
            ? `(${given?.kind ?? result.teacherSource})`
            : seconds(row.seconds * 1000),
        ]),
      );
      const delta = (kd.accuracy - scratch.accuracy) * 100;
      return [
        table,
        `KD − scratch: ${delta >= 0 ? '+' : ''}${delta.toFixed(2)} points (${result.config.loss}, ${describeKdSetting(result.config)}${result.config.augment ? `, augment ${formatAugmentSpec(result.config.augment)}` : ''}).`,
        ...(result.config.labelFraction < 1
          ? [
              `Students saw labels for ${(result.config.labelFraction * 100).toFixed(0)}% of the training images; the scratch student trained on those alone for as many steps as the KD student (${result.config.fewLabelScratchEpochs ?? result.config.studentEpochs} epochs), and the KD student also learned from the teacher's soft targets on all of them.`,
            ]
          : []),
        ...(delta < 0 && result.config.labelFraction === 1
          ? [
              'KD did not beat scratch here: with every label, a student this small gains little from soft targets (the teacher–student capacity gap). Try --label-fraction 0.1, where soft targets on unlabelled images carry the student; `pnpm bench` measures both regimes.',
            ]
          : []),
        `backend: ${backend.name} · data: ${datasetName}, ${count(train.size)} train / ${count(test.size)} test images · total ${seconds(totalMs)}`,
      ].join('\n');
    },
  );
  return result;
}
