import {
  type ImageDataset,
  labelledOnly,
  maskLabels,
  type ResolvedAugment,
  resolveAugment,
} from '@kdkit/datasets';
import {
  assertInRange,
  assertInteger,
  assertOneOf,
  assertPositive,
  KdkitError,
} from '@kdkit/engine';
import { KD_DEFAULTS } from '@kdkit/losses';
import { createModel } from '@kdkit/models';
import {
  type Callback,
  DEFAULT_LR_SCHEDULE,
  distill,
  evaluate,
  isTeacher,
  type LrScheduleName,
  type OptimizerName,
  type Teacher,
  type TrainResult,
  trainSupervised,
} from '@kdkit/trainers';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { epochEvaluator, type MonitoredField, toEpochRecords, trainingSeconds } from './history.js';
import { usesHintonOptions } from './kd-setting.js';
import { matchedLabelSmoothing } from './matched-label-smoothing.js';
import { describeDataset, tripletConfigHash } from './run-config-hash.js';
import { meanSoftTargetEntropy } from './soft-target-entropy.js';
import { teacherLabelled } from './teacher-labels.js';
import type {
  ResolvedTripletConfig,
  TripletBaseline,
  TripletConfig,
  TripletHooks,
  TripletResult,
  TripletRole,
  TripletRow,
} from './types.js';

const OPTIMIZERS: readonly OptimizerName[] = ['adam', 'sgd', 'momentum'];
const LR_SCHEDULES: readonly LrScheduleName[] = ['cosine', 'constant'];
const BASELINES: readonly TripletBaseline[] = ['pseudo-labels', 'label-smoothing'];

/**
 * The config {@link runTriplet} will run, with defaults filled in, validated, and datasets
 * replaced by their descriptions; `tripletConfigHash(resolveTripletConfig(c))` is the run's hash,
 * known before running it (to skip runs already on disk).
 *
 * @example
 * const hash = tripletConfigHash(resolveTripletConfig({ train, test, temperature: 8 }));
 */
export function resolveTripletConfig(config: TripletConfig): ResolvedTripletConfig {
  const where = 'runTriplet';
  const augment = augmentOverride(where, config);
  const resolved: ResolvedTripletConfig = {
    teacher:
      config.teacher ?? (isTeacher(config.teacherModel) ? config.teacherModel.name : 'cnn-teacher'),
    student: config.student ?? 'cnn-student',
    train: describeDataset(config.train),
    test: describeDataset(config.test),
    ...(config.validation ? { validation: describeDataset(config.validation) } : {}),
    teacherEpochs: config.teacherEpochs ?? 4,
    studentEpochs: config.studentEpochs ?? 12,
    batchSize: config.batchSize ?? 128,
    optimizer: config.optimizer ?? 'adam',
    learningRate: config.learningRate ?? 1e-3,
    lrSchedule: config.lrSchedule ?? DEFAULT_LR_SCHEDULE,
    loss: config.loss ?? 'hinton',
    ...(config.lossOptions && Object.keys(config.lossOptions).length > 0
      ? { lossOptions: { ...config.lossOptions } }
      : {}),
    ...(config.taps ? { taps: config.taps } : {}),
    temperature: config.temperature ?? KD_DEFAULTS.temperature,
    alpha: config.alpha ?? KD_DEFAULTS.alpha,
    ...(config.baseline ? { baseline: config.baseline } : {}),
    ...(augment ? { augment } : {}),
    seed: config.seed ?? 0,
    teacherSeed: config.teacherSeed ?? 0,
    labelFraction: config.labelFraction ?? 1,
  };
  assertInteger(where, 'teacherEpochs', resolved.teacherEpochs, 1);
  assertInteger(where, 'studentEpochs', resolved.studentEpochs, 1);
  assertInteger(where, 'batchSize', resolved.batchSize, 1);
  assertOneOf(where, 'optimizer', resolved.optimizer, OPTIMIZERS);
  assertPositive(where, 'learningRate', resolved.learningRate);
  assertOneOf(where, 'lrSchedule', resolved.lrSchedule, LR_SCHEDULES);
  assertPositive(where, 'temperature', resolved.temperature);
  assertInRange(where, 'alpha', resolved.alpha, 0, 1);
  assertInteger(where, 'seed', resolved.seed, 0);
  assertInteger(where, 'teacherSeed', resolved.teacherSeed, 0);
  assertInRange(where, 'labelFraction', resolved.labelFraction, Number.MIN_VALUE, 1);
  if (resolved.baseline !== undefined) assertOneOf(where, 'baseline', resolved.baseline, BASELINES);
  if (resolved.labelFraction === 1) return resolved;
  const fewLabelScratchEpochs =
    config.fewLabelScratchEpochs ??
    Math.max(1, Math.round(resolved.studentEpochs / resolved.labelFraction));
  assertInteger(where, 'fewLabelScratchEpochs', fewLabelScratchEpochs, 1);
  // An equal-epochs config omits the field, so it hashes as a config without it.
  return fewLabelScratchEpochs === resolved.studentEpochs
    ? resolved
    : { ...resolved, fewLabelScratchEpochs };
}

/**
 * The students' augmentation when `config.augment` changes it from the training set's
 * `defaultAugment`; undefined when it doesn't, so such a config hashes as one without the field.
 */
function augmentOverride(where: string, config: TripletConfig): ResolvedAugment | undefined {
  if (config.augment === undefined) return undefined;
  const off: ResolvedAugment = { cropPadding: 0, horizontalFlip: false };
  const given = resolveAugment(where, config.train, config.augment) ?? off;
  const byDefault = resolveAugment(where, config.train, undefined) ?? off;
  return given.cropPadding === byDefault.cropPadding &&
    given.horizontalFlip === byDefault.horizontalFlip &&
    given.erase === byDefault.erase &&
    given.views === byDefault.views
    ? undefined
    : given;
}

/** Epochs of the triplet's scratch student: `fewLabelScratchEpochs` with few labels, else `studentEpochs`. */
export function scratchStudentEpochs(config: ResolvedTripletConfig): number {
  return config.fewLabelScratchEpochs ?? config.studentEpochs;
}

interface StudentRun {
  readonly model: tfl.LayersModel;
  readonly result: TrainResult;
  readonly testAccuracy: ReadonlyMap<number, number>;
}

async function finishRow(
  role: TripletRole,
  name: string,
  run: StudentRun,
  teacher: tfl.LayersModel | Teacher,
  test: ImageDataset,
  validation: ImageDataset | undefined,
  field: MonitoredField,
): Promise<TripletRow> {
  const accuracy = (await evaluate(run.model, test)).accuracy;
  const validationAccuracy = validation
    ? (await evaluate(run.model, validation)).accuracy
    : undefined;
  // Accuracy on the teacher's predicted labels is the agreement with the teacher.
  const agreement = (await evaluate(run.model, await teacherLabelled(teacher, test))).accuracy;
  return {
    role,
    model: name,
    accuracy,
    params: run.model.countParams(),
    agreement,
    seconds: trainingSeconds(run.result.history),
    history: toEpochRecords(run.result.history, run.testAccuracy, field),
    ...(validationAccuracy !== undefined ? { validationAccuracy } : {}),
  };
}

/**
 * The Hinton triplet: trains (or gets from `teacherStore`, or reuses `teacherModel`: a tfjs
 * model or any trainers `Teacher`, such as an ONNX model) a teacher, trains the student from scratch, then distils the same student (same init seed, same
 * batch order) from the teacher with the teacher-output cache, and evaluates all three on `test`.
 *
 * Defaults are the PyTorch anchor's: `cnn-teacher` → `cnn-student`, teacher 4 epochs, students
 * 12 epochs, Adam 1e-3 with a cosine schedule, batch 128, Hinton loss at T = 4, α = 0.9.
 * With `labelFraction` < 1 (few-label regime, labels kept per class with datasets' `maskLabels`
 * and `seed`) the scratch student trains on the labelled images only, for as many optimizer steps
 * as the KD student (see `fewLabelScratchEpochs`), and the KD student on all images, with hard
 * labels on the labelled ones and the teacher's soft targets on every one.
 * With `augment` both students train on augmented batches (same draws for the same seed), and
 * the teacher runs on each augmented batch instead of the cache (Hinton's jitter); with
 * `augment.views` it runs once per image and view, its logits cached (FKD).
 * Models it creates are disposed; a `teacherModel` passed in stays the caller's.
 *
 * @example
 * const train = await loadFashionMnistMini({ split: 'train' });
 * const test = await loadFashionMnistMini({ split: 'test' });
 * const { rows } = await runTriplet({ train, test, teacherEpochs: 2, studentEpochs: 3 });
 * console.log(rows.teacher.accuracy, rows.scratch.accuracy, rows.kd.accuracy);
 */
export async function runTriplet(
  config: TripletConfig,
  hooks: TripletHooks = {},
): Promise<TripletResult> {
  const resolved = resolveTripletConfig(config);
  const { train, test, validation } = config;
  // With a validation split, per-epoch monitoring uses it; test is scored once, at the end.
  const monitored = validation ?? test;
  const field: MonitoredField = validation ? 'validationAccuracy' : 'testAccuracy';
  const phase = async (name: Parameters<NonNullable<TripletHooks['onPhase']>>[0]) => {
    throwIfInterrupted(hooks.signal, name);
    await hooks.onPhase?.(name);
  };
  const evaluateEachEpoch = config.evaluateEachEpoch !== false;
  // Students are scored alone after each epoch by our callback (distill's `validation` would also
  // run the teacher every epoch); the teacher by trainSupervised's `validation`. Either way each
  // epoch's record reaches hooks.onEpochEnd.
  const scratchEpochs = scratchStudentEpochs(resolved);
  const tracked = (role: TripletRole) => {
    // A scratch student with more (shorter) epochs is scored once per KD epoch's worth of steps.
    const every =
      role === 'student-scratch'
        ? Math.max(1, Math.round(scratchEpochs / resolved.studentEpochs))
        : 1;
    const evaluator = epochEvaluator(
      evaluateEachEpoch && role !== 'teacher' ? monitored : undefined,
      (record) => hooks.onEpochEnd?.(role, record),
      every,
      field,
    );
    return {
      callbacks: [evaluator.callback, ...(hooks.callbacks?.(role) ?? [])],
      testAccuracy: evaluator.accuracies,
    };
  };
  const recipe = {
    batchSize: resolved.batchSize,
    optimizer: { name: resolved.optimizer, learningRate: resolved.learningRate },
    lrSchedule: resolved.lrSchedule,
    ...(hooks.signal ? { signal: hooks.signal } : {}),
  } as const;
  const inputShape = train.shape;
  const numClasses = train.numClasses;

  let teacher: tfl.LayersModel | Teacher;
  let teacherSource: TripletResult['teacherSource'];
  let teacherSeconds = 0;
  let teacherHistory: TripletRow['history'] = [];
  if (config.teacherModel) {
    teacher = config.teacherModel;
    teacherSource = 'provided';
  } else if (config.teacherStore) {
    await phase('load-teacher');
    const loaded = await config.teacherStore({
      model: resolved.teacher,
      train,
      test,
      epochs: resolved.teacherEpochs,
      batchSize: resolved.batchSize,
      optimizer: resolved.optimizer,
      learningRate: resolved.learningRate,
      lrSchedule: resolved.lrSchedule,
      seed: resolved.teacherSeed,
      callbacks: tracked('teacher').callbacks,
      ...(hooks.signal ? { signal: hooks.signal } : {}),
      evaluateEachEpoch,
      onTrainingStart: () => phase('train-teacher'),
    });
    teacher = loaded.model;
    teacherSource = loaded.fromStore ? 'store' : 'trained';
    teacherSeconds = loaded.seconds;
    teacherHistory = loaded.history;
  } else {
    await phase('train-teacher');
    teacher = createModel(resolved.teacher, { inputShape, numClasses, seed: resolved.teacherSeed });
    const result = await trainSupervised({
      model: teacher,
      train,
      ...(evaluateEachEpoch ? { validation: monitored } : {}),
      epochs: resolved.teacherEpochs,
      seed: resolved.teacherSeed,
      callbacks: tracked('teacher').callbacks,
      ...recipe,
    });
    teacherSource = 'trained';
    teacherSeconds = trainingSeconds(result.history);
    teacherHistory = toEpochRecords(result.history, undefined, field);
  }

  try {
    let teacherRow = config.reuse?.teacher;
    if (!teacherRow) {
      const params = isTeacher(teacher) ? config.teacherParams : teacher.countParams();
      await phase('evaluate-teacher');
      const evaluation = await evaluate(teacher, test);
      const validationAccuracy = validation
        ? (await evaluate(teacher, validation)).accuracy
        : undefined;
      teacherRow = {
        role: 'teacher',
        model: resolved.teacher,
        accuracy: evaluation.accuracy,
        ...(params !== undefined ? { params } : {}),
        agreement: 1,
        seconds: teacherSeconds,
        history: teacherHistory,
        ...(validationAccuracy !== undefined ? { validationAccuracy } : {}),
      };
    }

    const fewLabels = resolved.labelFraction < 1;
    const kdTrain = fewLabels
      ? maskLabels(train, { fraction: resolved.labelFraction, seed: resolved.seed })
      : train;

    // Trains a fresh student (same init seed for both roles), scores it, and disposes it.
    const studentRow = async (
      role: 'student-scratch' | 'student-kd',
      train: (model: tfl.LayersModel, callbacks: Callback[]) => Promise<TrainResult>,
    ): Promise<TripletRow> => {
      await phase(role === 'student-kd' ? 'distill-student' : 'train-student-scratch');
      const model = createModel(resolved.student, { inputShape, numClasses, seed: resolved.seed });
      const { callbacks, testAccuracy } = tracked(role);
      try {
        const result = await train(model, callbacks);
        await phase(`evaluate-${role}`);
        return await finishRow(
          role,
          resolved.student,
          { model, result, testAccuracy },
          teacher,
          test,
          validation,
          field,
        );
      } finally {
        model.dispose();
      }
    };
    // Both students (and a baseline) get the same augmentation, drawn from the same seed.
    const common = {
      epochs: resolved.studentEpochs,
      seed: resolved.seed,
      ...recipe,
      ...(resolved.augment ? { augment: resolved.augment } : {}),
    };
    // Augmented batches need the teacher's logits on the augmented images: without views the
    // teacher runs on every batch; with finite views once per image and view, into the shared
    // cache (which must then hold the views) or distill's own.
    const augmentation = resolveAugment('runTriplet', train, resolved.augment);
    const kdCache =
      augmentation !== undefined && augmentation.views === undefined
        ? 'off'
        : (config.teacherLogits ?? 'auto');

    const scratchRow =
      config.reuse?.scratch ??
      (await studentRow('student-scratch', (model, callbacks) =>
        trainSupervised({
          model,
          train: fewLabels ? labelledOnly(kdTrain) : train,
          callbacks,
          ...common,
          epochs: scratchEpochs,
        }),
      ));
    // A baseline trains on the teacher's hard labels where a true label is missing (optionally
    // smoothed to the teacher's soft-target entropy); otherwise the student is distilled.
    const labelSmoothing =
      resolved.baseline === 'label-smoothing'
        ? matchedLabelSmoothing(
            Math.min(
              Math.log(numClasses),
              await meanSoftTargetEntropy(teacher, train, resolved.temperature),
            ),
            numClasses,
          )
        : undefined;
    const lossOptions = usesHintonOptions(resolved.loss)
      ? { temperature: resolved.temperature, alpha: resolved.alpha, ...resolved.lossOptions }
      : { ...resolved.lossOptions };
    const kdRow = await studentRow('student-kd', async (model, callbacks) =>
      resolved.baseline
        ? trainSupervised({
            model,
            train: pseudoLabelled(kdTrain, await teacherLabelled(teacher, train)),
            ...(labelSmoothing !== undefined ? { lossOptions: { labelSmoothing } } : {}),
            callbacks,
            ...common,
          })
        : distill({
            teacher,
            student: model,
            train: kdTrain,
            loss: resolved.loss,
            lossOptions,
            ...(resolved.taps ? { taps: resolved.taps } : {}),
            teacherCache: kdCache,
            callbacks,
            ...common,
          }),
    );

    return {
      rows: { teacher: teacherRow, scratch: scratchRow, kd: kdRow },
      backend: tf.getBackend(),
      config: resolved,
      configHash: tripletConfigHash(resolved),
      teacherSource,
      ...(labelSmoothing !== undefined ? { labelSmoothing } : {}),
    };
  } finally {
    if (!config.teacherModel && !isTeacher(teacher)) teacher.dispose();
  }
}

/** `data` with each missing label (−1) replaced by the teacher's predicted class. */
function pseudoLabelled(data: ImageDataset, byTeacher: ImageDataset): ImageDataset {
  const labels = Int32Array.from(data.labels, (label, i) =>
    label >= 0 ? label : (byTeacher.labels[i] as number),
  );
  return { ...data, name: `${data.name}:pseudo-labels`, labels };
}

/** Throws INTERRUPTED once `signal` is aborted, instead of starting `phase`. */
function throwIfInterrupted(signal: AbortSignal | undefined, phase: string): void {
  if (signal?.aborted) {
    throw new KdkitError(
      'INTERRUPTED',
      `runTriplet: interrupted before '${phase}'; nothing more was run.`,
    );
  }
}
