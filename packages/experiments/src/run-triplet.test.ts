import { type ImageDataset, trainValSplit } from '@kdkit/datasets';
import { loadFashionMnistMini } from '@kdkit/datasets/node';
import { isKdkitError } from '@kdkit/engine';
import { createModel } from '@kdkit/models';
import { describeBackends, expectNoLeaks } from '@kdkit/test-utils';
import { layersTeacher, type Teacher, TeacherCache } from '@kdkit/trainers';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, expect, it } from 'vitest';
import { tripletConfigHash } from './run-config-hash.js';
import { resolveTripletConfig, runTriplet } from './run-triplet.js';
import type { TripletConfig, TripletPhase, TripletResult, TripletRole } from './types.js';

let train: ImageDataset;
let test: ImageDataset;

beforeAll(async () => {
  train = await loadFashionMnistMini({ split: 'train', limit: 192 });
  test = await loadFashionMnistMini({ split: 'test', limit: 64 });
});

const tiny = (): TripletConfig => ({
  teacher: 'cnn-teacher',
  student: 'cnn-student',
  train,
  test,
  teacherEpochs: 1,
  studentEpochs: 1,
  batchSize: 64,
  seed: 1,
});

describeBackends(['wasm'], 'runTriplet', () => {
  it('returns three sane rows, reports phases and passes callbacks to the trainers', async () => {
    const phases: TripletPhase[] = [];
    const epochsSeen: TripletRole[] = [];
    const records: [TripletRole, number | undefined][] = [];
    const result = await runTriplet(tiny(), {
      onPhase: (p) => {
        phases.push(p);
      },
      onEpochEnd: (role, record) => {
        records.push([role, record.testAccuracy]);
      },
      callbacks: (role) => [{ onEpochEnd: () => void epochsSeen.push(role) }],
    });
    const { teacher, scratch, kd } = result.rows;
    const rows = [teacher, scratch, kd];
    expect(rows.map((r) => r.role)).toEqual(['teacher', 'student-scratch', 'student-kd']);
    expect(rows.map((r) => r.model)).toEqual(['cnn-teacher', 'cnn-student', 'cnn-student']);
    for (const row of rows) {
      expect(row.accuracy).toBeGreaterThanOrEqual(0);
      expect(row.accuracy).toBeLessThanOrEqual(1);
      expect(row.agreement).toBeGreaterThanOrEqual(0);
      expect(row.agreement).toBeLessThanOrEqual(1);
      expect(row.seconds).toBeGreaterThan(0);
      expect(row.history).toHaveLength(1);
      expect(Number.isFinite(row.history[0]?.loss)).toBe(true);
      expect(row.history[0]?.testAccuracy).toBeGreaterThanOrEqual(0);
    }
    expect(teacher.agreement).toBe(1);
    expect(teacher.params).toBeGreaterThan(1_000_000);
    expect(scratch.params).toBe(kd.params);
    expect(scratch.params).toBeLessThan(50_000);
    expect(Object.keys(kd.history[0]?.terms ?? {}).length).toBeGreaterThan(0);
    expect(result.backend).toBe('wasm');
    expect(result.teacherSource).toBe('trained');
    expect(result.config).toMatchObject({ temperature: 4, alpha: 0.9, labelFraction: 1 });
    expect(result.configHash).toMatch(/^[0-9a-f]{12}$/);
    expect(phases).toEqual([
      'train-teacher',
      'evaluate-teacher',
      'train-student-scratch',
      'evaluate-student-scratch',
      'distill-student',
      'evaluate-student-kd',
    ]);
    expect(epochsSeen).toEqual(['teacher', 'student-scratch', 'student-kd']);
    expect(records.map(([role]) => role)).toEqual(['teacher', 'student-scratch', 'student-kd']);
    expect(records.map(([, accuracy]) => accuracy)).toEqual(
      rows.map((r) => r.history[0]?.testAccuracy),
    );
    // One epoch: the last per-epoch test accuracy is the row's accuracy.
    expect(kd.history[0]?.testAccuracy).toBeCloseTo(kd.accuracy, 12);
  });

  it('reuses a provided teacher and scratch row, in the few-label regime, without leaking', async () => {
    const reused = (role: TripletRole) => ({
      role,
      model: role === 'teacher' ? 'cnn-teacher' : 'cnn-student',
      accuracy: 0.5,
      params: 1,
      agreement: 1,
      seconds: 1,
      history: [],
    });
    const first = { rows: { teacher: reused('teacher'), scratch: reused('student-scratch') } };
    const teacher = createModel('cnn-teacher', { inputShape: [28, 28, 1], numClasses: 10 });
    try {
      await expectNoLeaks(async () => {
        const result = await runTriplet({
          ...tiny(),
          labelFraction: 0.25,
          temperature: 2,
          teacherModel: teacher,
          reuse: first.rows,
          evaluateEachEpoch: false,
        });
        expect(result.teacherSource).toBe('provided');
        expect(result.rows.teacher).toBe(first.rows.teacher);
        expect(result.rows.scratch).toBe(first.rows.scratch);
        expect(result.rows.kd.history[0]?.testAccuracy).toBeUndefined();
      });
      expect(teacher.layers.length).toBeGreaterThan(0);

      // Without a reused row, the few-label scratch student gets the KD student's step count
      // (half the labels: twice the epochs), scored once per KD epoch's worth of steps.
      const fresh = await runTriplet({
        ...tiny(),
        labelFraction: 0.5,
        teacherModel: teacher,
        reuse: { teacher: first.rows.teacher },
      });
      const scratch = fresh.rows.scratch.history;
      expect(fresh.config.fewLabelScratchEpochs).toBe(2);
      expect(scratch.map((e) => e.epoch)).toEqual([0, 1]);
      expect(scratch.map((e) => e.testAccuracy === undefined)).toEqual([true, false]);
      expect(scratch[1]?.testAccuracy).toBeCloseTo(fresh.rows.scratch.accuracy, 12);
      expect(fresh.rows.kd.history).toHaveLength(1);
      expect(() => tf.tidy(() => teacher.predict(tf.zeros([1, 28, 28, 1])))).not.toThrow();
    } finally {
      teacher.dispose();
    }
  });

  it('distils from any Teacher (not a tfjs model) as from the model it wraps, without leaking', async () => {
    const model = createModel('cnn-student', { inputShape: [28, 28, 1], numClasses: 10, seed: 7 });
    const wrapped = layersTeacher(model);
    let disposed = 0;
    // Opaque and async, as an ONNX teacher is: no countParams, logits behind a promise.
    const teacher: Teacher = {
      name: 'opaque.onnx',
      numClasses: 10,
      inputShape: [28, 28, 1],
      layout: 'nchw',
      logits: async (xs) => wrapped.logits(xs),
      dispose: () => {
        disposed++;
      },
    };
    const config = { ...tiny(), evaluateEachEpoch: false } as const;
    try {
      const viaModel = await runTriplet({ ...config, teacher: 'cnn-student', teacherModel: model });
      let viaTeacher: TripletResult | undefined;
      await expectNoLeaks(async () => {
        viaTeacher = await runTriplet({ ...config, teacher: undefined, teacherModel: teacher });
      });
      const rows = viaTeacher?.rows;
      expect(viaTeacher?.teacherSource).toBe('provided');
      expect(rows?.teacher.model).toBe('opaque.onnx');
      expect(rows?.teacher.params).toBeUndefined();
      expect(rows?.teacher.seconds).toBe(0);
      expect(rows?.teacher.history).toEqual([]);
      expect(rows?.teacher.accuracy).toBe(viaModel.rows.teacher.accuracy);
      expect(viaModel.rows.teacher.params).toBe(model.countParams());
      expect(rows?.scratch.accuracy).toBe(viaModel.rows.scratch.accuracy);
      expect(rows?.kd.accuracy).toBeCloseTo(viaModel.rows.kd.accuracy, 6);
      expect(rows?.kd.agreement).toBeCloseTo(viaModel.rows.kd.agreement, 6);

      // The label-smoothing baseline needs the teacher's labels and soft-target entropy.
      const smoothed = await runTriplet({
        ...config,
        teacherModel: teacher,
        teacherParams: 123,
        labelFraction: 0.5,
        baseline: 'label-smoothing',
      });
      expect(smoothed.rows.teacher.params).toBe(123);
      expect(smoothed.labelSmoothing).toBeGreaterThan(0);
      expect(disposed).toBe(0);
    } finally {
      model.dispose();
    }
  });

  it('augments both students, runs the teacher on the augmented batches (no cache), without leaking', async () => {
    const model = createModel('cnn-student', { inputShape: [28, 28, 1], numClasses: 10, seed: 7 });
    const wrapped = layersTeacher(model);
    // Sums the pixels the teacher sees while the KD student trains.
    let phase: TripletPhase | undefined;
    let distillPixels = 0;
    const teacher: Teacher = {
      ...wrapped,
      name: 'spy',
      logits: async (xs) => {
        if (phase === 'distill-student') {
          const sum = tf.sum(xs);
          distillPixels += (await sum.data())[0] as number;
          sum.dispose();
        }
        return wrapped.logits(xs);
      },
    };
    const hooks = {
      onPhase: (p: TripletPhase) => {
        phase = p;
      },
    };
    const config = { ...tiny(), teacherModel: teacher, evaluateEachEpoch: false } as const;
    const trainPixels = train.images.reduce((sum, v) => sum + v, 0);
    try {
      const plain = await runTriplet(config, hooks);
      // One epoch, no augmentation: the teacher saw every training image once, as it is.
      expect(distillPixels / trainPixels).toBeCloseTo(1, 5);

      const teacherLogits = new TeacherCache(train.size, train.numClasses);
      const augment = { cropPadding: 2, horizontalFlip: true };
      const runs: TripletResult[] = [];
      await expectNoLeaks(async () => {
        distillPixels = 0;
        runs.push(
          await runTriplet(
            { ...config, augment, teacherLogits, reuse: { teacher: plain.rows.teacher } },
            hooks,
          ),
        );
      });
      const [jittered, again] = runs;
      if (!jittered || !again) throw new Error('no augmented result');
      // The draws depend only on (seed, epoch, index): the same run again trains alike.
      expect(again.rows.kd.history[0]?.loss).toBe(jittered.rows.kd.history[0]?.loss);
      // Crops shift pixels out of the frame: the teacher saw the augmented images...
      expect(distillPixels / trainPixels).toBeLessThan(0.999);
      // ...and the shared cache of un-augmented logits was neither read nor filled.
      expect(teacherLogits.hits + teacherLogits.misses).toBe(0);
      // Same seed and init: augmentation alone changes both students' training.
      for (const role of ['scratch', 'kd'] as const) {
        expect(jittered.rows[role].history[0]?.loss).not.toBe(plain.rows[role].history[0]?.loss);
        expect(Number.isFinite(jittered.rows[role].history[0]?.loss)).toBe(true);
      }
      expect(jittered.config.augment).toEqual(augment);
      expect(jittered.configHash).toBe(tripletConfigHash(jittered.config));
      expect(jittered.configHash).not.toBe(plain.configHash);
      expect('augment' in plain.config).toBe(false);
    } finally {
      model.dispose();
    }
  });

  it('with augment.views the KD teacher runs once per image and view, its logits cached', async () => {
    const model = createModel('cnn-student', { inputShape: [28, 28, 1], numClasses: 10, seed: 7 });
    const wrapped = layersTeacher(model);
    let phase: TripletPhase | undefined;
    let distillRows = 0;
    const teacher: Teacher = {
      ...wrapped,
      name: 'spy',
      logits: (xs) => {
        if (phase === 'distill-student') distillRows += xs.shape[0];
        return wrapped.logits(xs);
      },
    };
    const augment = { cropPadding: 2, horizontalFlip: true, views: 2 };
    const teacherLogits = new TeacherCache(train.size, train.numClasses, { views: 2 });
    const options = {
      onPhase: (p: TripletPhase) => {
        phase = p;
      },
    };
    try {
      const result = await runTriplet(
        { ...tiny(), studentEpochs: 3, teacherModel: teacher, augment, teacherLogits },
        options,
      );
      // 3 epochs over 2 views: the third epoch repeats view 0 from the cache.
      expect(distillRows).toBe(2 * train.size);
      expect(result.config.augment).toEqual(augment);
      expect(result.configHash).toBe(tripletConfigHash(result.config));
      // Another setting with the same seed shares the views: the teacher does not run again.
      await runTriplet(
        {
          ...tiny(),
          studentEpochs: 3,
          teacherModel: teacher,
          augment,
          teacherLogits,
          temperature: 2,
        },
        options,
      );
      expect(distillRows).toBe(2 * train.size);
      // A shared cache without room for the views is refused, naming the fix.
      const error = await runTriplet({
        ...tiny(),
        teacherModel: teacher,
        augment,
        teacherLogits: new TeacherCache(train.size, train.numClasses),
      }).catch((e: unknown) => e);
      expect(String(error)).toContain('views');
    } finally {
      model.dispose();
    }
  });

  it('refuses a Teacher that does not fit the data before training a student', async () => {
    const model = createModel('cnn-student', { inputShape: [28, 28, 1], numClasses: 10 });
    const phases: TripletPhase[] = [];
    const wrong: Teacher = { ...layersTeacher(model), name: 'five', numClasses: 5 };
    try {
      const error = await runTriplet(
        { ...tiny(), teacherModel: wrong },
        { onPhase: (phase) => void phases.push(phase) },
      ).catch((e: unknown) => e);
      expect(isKdkitError(error, 'SHAPE_MISMATCH')).toBe(true);
      expect(String(error)).toContain('five');
      expect(phases).toEqual(['evaluate-teacher']);
    } finally {
      model.dispose();
    }
  });

  it('scores every role on a validation split, monitors on it, and runs the hard-label baselines', async () => {
    const { train: fit, val } = trainValSplit(train, { valFraction: 1 / 6, seed: 0 });
    const teacher = createModel('cnn-teacher', { inputShape: [28, 28, 1], numClasses: 10 });
    try {
      const base = {
        ...tiny(),
        train: fit,
        validation: val,
        teacherModel: teacher,
        labelFraction: 0.5,
      };
      const smoothed = await runTriplet({ ...base, baseline: 'label-smoothing', temperature: 4 });
      const { teacher: t, scratch, kd } = smoothed.rows;
      for (const row of [t, scratch, kd]) {
        expect(row.validationAccuracy).toBeGreaterThanOrEqual(0);
        expect(row.validationAccuracy).toBeLessThanOrEqual(1);
      }
      // Per-epoch monitoring is on validation; test is scored once, at the end.
      expect(kd.history[0]?.validationAccuracy).toBeCloseTo(kd.validationAccuracy ?? -1, 12);
      expect(kd.history[0]?.testAccuracy).toBeUndefined();
      expect(smoothed.config.validation?.size).toBe(val.size);
      expect(smoothed.config.baseline).toBe('label-smoothing');
      // An untrained teacher's soft targets at T = 4 are nearly uniform: ε close to 1.
      expect(smoothed.labelSmoothing).toBeGreaterThan(0.5);
      expect(smoothed.labelSmoothing).toBeLessThanOrEqual(1);
      expect(Object.keys(kd.history[0]?.terms ?? {})).toEqual(['hard']);

      const pseudo = await runTriplet({ ...base, baseline: 'pseudo-labels', reuse: smoothed.rows });
      expect(pseudo.labelSmoothing).toBeUndefined();
      expect(pseudo.configHash).not.toBe(smoothed.configHash);
      expect(pseudo.rows.kd.accuracy).toBeGreaterThanOrEqual(0);
    } finally {
      teacher.dispose();
    }
  });
});

it('resolveTripletConfig fills the anchor defaults and rejects bad values', async () => {
  const resolved = resolveTripletConfig({ train, test });
  expect(resolved).toMatchObject({
    teacher: 'cnn-teacher',
    student: 'cnn-student',
    teacherEpochs: 4,
    studentEpochs: 12,
    batchSize: 128,
    optimizer: 'adam',
    learningRate: 1e-3,
    lrSchedule: 'cosine',
    loss: 'hinton',
    temperature: 4,
    alpha: 0.9,
    labelFraction: 1,
  });
  expect(resolved.train.size).toBe(192);
  // Full-data configs carry no few-label field, so their hashes predate it.
  expect('fewLabelScratchEpochs' in resolved).toBe(false);
  // Optional fields are absent unless given, so older configs keep their hashes.
  for (const key of ['validation', 'lossOptions', 'baseline', 'augment']) {
    expect(key in resolved).toBe(false);
  }
  expect(resolveTripletConfig({ train, test, lossOptions: {} })).toEqual(resolved);
  // An augmentation that changes nothing from the dataset's default resolves without the field.
  expect(resolveTripletConfig({ train, test, augment: {} })).toEqual(resolved);
  expect(resolveTripletConfig({ train, test, augment: { cropPadding: 2 } }).augment).toEqual({
    cropPadding: 2,
    horizontalFlip: false,
  });
  const cifarLike = { ...train, defaultAugment: { cropPadding: 4, horizontalFlip: true } };
  const same = { train: cifarLike, test, augment: { cropPadding: 4, horizontalFlip: true } };
  expect('augment' in resolveTripletConfig(same)).toBe(false);
  // `{}` turns such a default off, so it is part of the config.
  expect(resolveTripletConfig({ train: cifarLike, test, augment: {} }).augment).toEqual({
    cropPadding: 0,
    horizontalFlip: false,
  });
  expect(
    resolveTripletConfig({ train, test, loss: 'dkd', lossOptions: { beta: 2 } }).lossOptions,
  ).toEqual({ beta: 2 });
  const few = (patch: Partial<TripletConfig>) =>
    resolveTripletConfig({ train, test, ...patch }).fewLabelScratchEpochs;
  expect(few({ labelFraction: 0.1 })).toBe(120);
  expect(few({ labelFraction: 0.3, studentEpochs: 12 })).toBe(40);
  expect(few({ labelFraction: 0.1, fewLabelScratchEpochs: 30 })).toBe(30);
  // Equal epochs resolves without the field, so it hashes as a config without it.
  const equalEpochs = resolveTripletConfig({
    train,
    test,
    labelFraction: 0.1,
    fewLabelScratchEpochs: 12,
  });
  expect('fewLabelScratchEpochs' in equalEpochs).toBe(false);
  expect(few({ fewLabelScratchEpochs: 30 })).toBeUndefined();
  const bad: [Partial<TripletConfig>, RegExp][] = [
    [{ alpha: 1.5 }, /alpha/],
    [{ temperature: 0 }, /temperature/],
    [{ labelFraction: 0 }, /labelFraction/],
    [{ studentEpochs: 0.5 }, /studentEpochs/],
    [{ labelFraction: 0.5, fewLabelScratchEpochs: 0 }, /fewLabelScratchEpochs/],
    [{ baseline: 'nope' as TripletConfig['baseline'] }, /baseline/],
    [{ augment: { cropPadding: -1 } }, /augment\.cropPadding/],
  ];
  for (const [patch, message] of bad) {
    let caught: unknown;
    try {
      await runTriplet({ train, test, ...patch });
    } catch (error) {
      caught = error;
    }
    expect(isKdkitError(caught)).toBe(true);
    expect(String(caught)).toMatch(message);
    expect(String(caught)).toMatch(/runTriplet/);
  }
});
