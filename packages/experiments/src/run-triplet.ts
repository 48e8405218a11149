import { type ImageDataset, labelledOnly, maskLabels } from '@kdkit/datasets';
import { assertInRange, assertInteger, assertOneOf, assertPositive } from '@kdkit/engine';
import { createModel } from '@kdkit/models';
import {
  type Callback,
  distill,
  evaluate,
  type TrainResult,
  trainSupervised,
} from '@kdkit/trainers';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { configHash, describeDataset } from './config-hash.js';
import { epochEvaluator, toEpochRecords, trainingSeconds } from './history.js';

import { loadOrTrainTeacher } from './teacher-cache.js';
import { teacherLabelled } from './teacher-labels.js';
import type {
  OptimizerName,
  ResolvedTripletConfig,
  ScheduleName,
  TripletConfig,
  TripletHooks,
  TripletResult,
  TripletRole,
  TripletRow,
} from './types.js';

const OPTIMIZERS: readonly OptimizerName[] = ['adam', 'sgd', 'momentum'];
const SCHEDULES: readonly ScheduleName[] = ['cosine', 'constant'];

/**
 * The config {@link runTriplet} will run, with defaults filled in, validated, and datasets
 * replaced by their descriptions; `configHash(resolveTripletConfig(c))` is the run's hash, known
 * before running it (to skip runs already on disk).
 *
 * @example
 * const hash = configHash(resolveTripletConfig({ train, test, temperature: 8 }));
 */
export function resolveTripletConfig(config: TripletConfig): ResolvedTripletConfig {
  const where = 'runTriplet';
  const resolved: ResolvedTripletConfig = {
    teacher: config.teacher ?? 'cnn-teacher',
    student: config.student ?? 'cnn-student',
    train: describeDataset(config.train),
    test: describeDataset(config.test),
    teacherEpochs: config.teacherEpochs ?? 4,
    studentEpochs: config.studentEpochs ?? 12,
    batchSize: config.batchSize ?? 128,
    optimizer: config.optimizer ?? 'adam',
    learningRate: config.learningRate ?? 1e-3,
    schedule: config.schedule ?? 'cosine',
    loss: config.loss ?? 'hinton',
    temperature: config.temperature ?? 4,
    alpha: config.alpha ?? 0.9,
    seed: config.seed ?? 0,
    teacherSeed: config.teacherSeed ?? 0,
    labelFraction: config.labelFraction ?? 1,
  };
  assertInteger(where, 'teacherEpochs', resolved.teacherEpochs, 1);
  assertInteger(where, 'studentEpochs', resolved.studentEpochs, 1);
  assertInteger(where, 'batchSize', resolved.batchSize, 1);
  assertOneOf(where, 'optimizer', resolved.optimizer, OPTIMIZERS);
  assertPositive(where, 'learningRate', resolved.learningRate);
  assertOneOf(where, 'schedule', resolved.schedule, SCHEDULES);
  assertPositive(where, 'temperature', resolved.temperature);
  assertInRange(where, 'alpha', resolved.alpha, 0, 1);
  assertInteger(where, 'seed', resolved.seed, 0);
  assertInteger(where, 'teacherSeed', resolved.teacherSeed, 0);
  assertInRange(where, 'labelFraction', resolved.labelFraction, Number.MIN_VALUE, 1);
  if (resolved.labelFraction === 1) return resolved;
  const fewLabelScratchEpochs =
    config.fewLabelScratchEpochs ??
    Math.max(1, Math.round(resolved.studentEpochs / resolved.labelFraction));
  assertInteger(where, 'fewLabelScratchEpochs', fewLabelScratchEpochs, 1);
  // Equal epochs was the only protocol before this option: its runs keep their hashes.
  return fewLabelScratchEpochs === resolved.studentEpochs
    ? resolved
    : { ...resolved, fewLabelScratchEpochs };
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
  teacher: tfl.LayersModel,
  test: ImageDataset,
): Promise<TripletRow> {
  const accuracy = (await evaluate(run.model, test)).accuracy;
  // Accuracy on the teacher's predicted labels is the agreement with the teacher.
  const agreement = (await evaluate(run.model, teacherLabelled(teacher, test))).accuracy;
  return {
    role,
    model: name,
    accuracy,
    params: run.model.countParams(),
    agreement,
    seconds: trainingSeconds(run.result.history),
    history: toEpochRecords(run.result.history, run.testAccuracy),
  };
}

/**
 * The Hinton triplet: trains (or loads from `teacherCacheDir`, or reuses `teacherModel`) a
 * teacher, trains the student from scratch, then distils the same student (same init seed, same
 * batch order) from the teacher with the teacher-output cache, and evaluates all three on `test`.
 *
 * Defaults are the PyTorch anchor's: `cnn-teacher` → `cnn-student`, teacher 4 epochs, students
 * 12 epochs, Adam 1e-3 with a cosine schedule, batch 128, Hinton loss at T = 4, α = 0.9.
 * With `labelFraction` < 1 (few-label regime, labels kept per class with datasets' `maskLabels`
 * and `seed`) the scratch student trains on the labelled images only, for as many optimizer steps
 * as the KD student (see `fewLabelScratchEpochs`), and the KD student on all images, with hard
 * labels on the labelled ones and the teacher's soft targets on every one.
 * Models it creates are disposed; a `teacherModel` passed in stays the caller's.
 *
 * @example
 * const train = await loadFashionMnistMini({ split: 'train' });
 * const test = await loadFashionMnistMini({ split: 'test' });
 * const { rows } = await runTriplet({ train, test, teacherEpochs: 2, studentEpochs: 3 });
 * for (const r of rows) console.log(r.role, r.accuracy, r.agreement);
 */
export async function runTriplet(
  config: TripletConfig,
  hooks: TripletHooks = {},
): Promise<TripletResult> {
  const resolved = resolveTripletConfig(config);
  const { train, test } = config;
  const phase = async (name: Parameters<NonNullable<TripletHooks['onPhase']>>[0]) => {
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
      evaluateEachEpoch && role !== 'teacher' ? test : undefined,
      (record) => hooks.onEpochEnd?.(role, record),
      every,
    );
    return {
      callbacks: [evaluator.callback, ...(hooks.callbacks?.(role) ?? [])],
      testAccuracy: evaluator.accuracies,
    };
  };
  const recipe = {
    batchSize: resolved.batchSize,
    optimizer: { name: resolved.optimizer, learningRate: resolved.learningRate },
    lrSchedule: resolved.schedule,
  } as const;
  const inputShape = train.shape;
  const numClasses = train.numClasses;

  let teacher: tfl.LayersModel;
  let teacherSource: TripletResult['teacherSource'];
  let teacherSeconds = 0;
  let teacherHistory: TripletRow['history'] = [];
  if (config.teacherModel) {
    teacher = config.teacherModel;
    teacherSource = 'provided';
  } else if (config.teacherCacheDir) {
    await phase('load-teacher');
    const loaded = await loadOrTrainTeacher({
      dir: config.teacherCacheDir,
      model: resolved.teacher,
      train,
      test,
      epochs: resolved.teacherEpochs,
      batchSize: resolved.batchSize,
      optimizer: resolved.optimizer,
      learningRate: resolved.learningRate,
      schedule: resolved.schedule,
      seed: resolved.teacherSeed,
      callbacks: tracked('teacher').callbacks,
      evaluateEachEpoch,
      onTrainingStart: () => phase('train-teacher'),
    });
    teacher = loaded.model;
    teacherSource = loaded.fromCache ? 'cache' : 'trained';
    teacherSeconds = loaded.seconds;
    teacherHistory = loaded.history;
  } else {
    await phase('train-teacher');
    teacher = createModel(resolved.teacher, { inputShape, numClasses, seed: resolved.teacherSeed });
    const result = await trainSupervised({
      model: teacher,
      train,
      ...(evaluateEachEpoch ? { validation: test } : {}),
      epochs: resolved.teacherEpochs,
      seed: resolved.teacherSeed,
      callbacks: tracked('teacher').callbacks,
      ...recipe,
    });
    teacherSource = 'trained';
    teacherSeconds = trainingSeconds(result.history);
    teacherHistory = toEpochRecords(result.history);
  }

  try {
    let teacherRow = config.reuse?.teacher;
    if (!teacherRow) {
      await phase('evaluate-teacher');
      const evaluation = await evaluate(teacher, test);
      teacherRow = {
        role: 'teacher',
        model: resolved.teacher,
        accuracy: evaluation.accuracy,
        params: teacher.countParams(),
        agreement: 1,
        seconds: teacherSeconds,
        history: teacherHistory,
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
        );
      } finally {
        model.dispose();
      }
    };
    const common = { epochs: resolved.studentEpochs, seed: resolved.seed, ...recipe };

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
    const kdRow = await studentRow('student-kd', (model, callbacks) =>
      distill({
        teacher,
        student: model,
        train: kdTrain,
        loss: resolved.loss,
        lossOptions: { temperature: resolved.temperature, alpha: resolved.alpha },
        teacherCache: config.teacherLogits ?? 'auto',
        callbacks,
        ...common,
      }),
    );

    return {
      rows: [teacherRow, scratchRow, kdRow],
      backend: tf.getBackend(),
      config: resolved,
      configHash: configHash(resolved),
      teacherSource,
    };
  } finally {
    if (!config.teacherModel) teacher.dispose();
  }
}
