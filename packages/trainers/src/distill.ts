import { type Batch, resolveAugment } from '@kdkit/datasets';
import { KdkitError } from '@kdkit/engine';
import type { DistillationLoss } from '@kdkit/losses';
import { withFeatures } from '@kdkit/models';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { evaluate, metricValues } from './evaluate.js';
import {
  assertModelFitsData,
  assertSameSignature,
  assertTeacherFits,
  signatureOf,
} from './internal/check-models.js';
import { lossVariables } from './internal/loss-variables.js';
import { minimizeTerms, splitOutputs, trainableVariables } from './internal/minimize-terms.js';
import { resolveLoss } from './internal/resolve-loss.js';
import { runLoop } from './internal/run-loop.js';
import { createOptimizer, DEFAULT_LR_SCHEDULE } from './optimizer.js';
import { isTeacher, type Teacher } from './teacher.js';
import { TeacherCache } from './teacher-cache.js';
import type { CommonTrainOptions } from './train-options.js';
import type { TrainResult } from './types.js';

/**
 * `'auto'`: cache teacher logits by dataset index (and augmentation key), except with a feature
 * loss, or for augmented batches whose augmentation has no finite `views` (a fresh augmentation
 * every epoch is never seen twice): then the teacher runs every step. With `augment.views: V` the
 * cache keeps the logits of all V views (`size × classes × V` floats), so the teacher runs on
 * each image V times in all. `'off'`: never cache. `{ topK }`: always cache (keyed by
 * augmentation key too), optionally keeping only the top-k logits.
 * A `TeacherCache` (one per teacher): behaves like `'auto'` but uses, and fills, the caller's
 * cache, so runs that share the same teacher and training set (a sweep) pay for the teacher once;
 * with `augment.views: V` it must hold V keys (`new TeacherCache(size, classes, { views: V })`).
 */
export type TeacherCacheMode =
  | 'auto'
  | 'off'
  | { readonly topK?: number }
  | TeacherCache
  | readonly TeacherCache[];

export interface DistillOptions extends CommonTrainOptions {
  readonly student: tfl.LayersModel;
  /**
   * The frozen teacher (inference mode): a tfjs model or any {@link Teacher} (an ONNX model, a
   * GraphModel…; logits only, so not with a feature loss). Give `teacher` or `teachers`.
   */
  readonly teacher?: tfl.LayersModel | Teacher;
  /** Several frozen teachers: the loss gets `teachers` (default loss 'multi-teacher'). */
  readonly teachers?: readonly (tfl.LayersModel | Teacher)[];
  /** A registered loss name or a DistillationLoss. Default 'hinton' ('multi-teacher' with `teachers`). */
  readonly loss?: string | DistillationLoss;
  /** Options of a loss given by name, e.g. `{ temperature: 4, alpha: 0.9 }`. */
  readonly lossOptions?: Record<string, unknown>;
  /** Default 'auto'. */
  readonly teacherCache?: TeacherCacheMode;
  /**
   * Layers to tap when the loss `needsFeatures` and a model has a single output: it is wrapped
   * with `withFeatures` (@kdkit/models; zoo models default to their stage ends). Models that
   * already output `[logits, ...features]` are used as they are.
   */
  readonly taps?: { readonly teacher?: readonly string[]; readonly student?: readonly string[] };
}

export interface DistillResult extends TrainResult {
  /** Cache counters (samples served from / missing in the cache), when a cache was used. */
  readonly teacherCache?: {
    readonly hits: number;
    readonly misses: number;
    readonly bytes: number;
  };
}

interface TeacherOutput {
  readonly logits: tf.Tensor2D;
  readonly features: readonly tf.Tensor[];
}

/**
 * Offline knowledge distillation: frozen teacher(s) in inference mode
 * (`apply(xs, { training: false })`: no dropout, BatchNorm on moving statistics), the student in
 * training mode, one gradient step of `loss.compute(ctx)` per batch.
 *
 * Teacher cache: with `teacherCache: 'auto'` each teacher's logits are computed once per sample
 * (epoch 1) and served from a Float32Array keyed by dataset index afterwards; with augmentation
 * they are cached only when it has finite `views` (datasets' `AugmentOptions.views: V`: once per
 * sample and view, in epochs 1…V, as in FKD, Shen & Xing 2022). Feature maps are
 * not cached (they are 100–1000× larger than logits): with a loss that `needsFeatures`, the
 * teacher runs every step and single-output models are wrapped with `withFeatures` (see `taps`).
 *
 * Teachers without a forward pass: the `Teacher` contract maps images to logits, but a
 * soft-target store holds logits by dataset index. Its adapter (`storeTeacher` in
 * @kdkit/soft-targets) fills a {@link TeacherCache} with every stored row before training; pass
 * it as `teacherCache`, and the store's `logits(xs)` is never called (a full cache has no misses).
 *
 * Teacher and student must agree on input shape and classes; otherwise this throws
 * `SHAPE_MISMATCH` naming both shapes, before any step.
 *
 * @example
 * await distill({ teacher, student, train, epochs: 10, batchSize: 64, seed: 1,
 *   loss: 'hinton', lossOptions: { temperature: 4, alpha: 0.9 }, callbacks: [progressBar()] });
 */
export async function distill(options: DistillOptions): Promise<DistillResult> {
  const where = 'distill';
  const { student, train, validation } = options;
  const teachers = options.teachers ?? (options.teacher ? [options.teacher] : []);
  if (teachers.length === 0 || (options.teacher && options.teachers)) {
    throw new KdkitError(
      'INVALID_ARGUMENT',
      `${where}: give exactly one of 'teacher' (a model) or 'teachers' (a non-empty array)`,
    );
  }
  const defaultLoss = options.teachers ? 'multi-teacher' : 'hinton';
  const loss = resolveLoss(where, options.loss ?? defaultLoss, options.lossOptions);
  const needsFeatures = loss.needsFeatures === true;
  teachers.forEach((teacher, i) => {
    const arg = options.teachers ? `teachers[${i}]` : 'teacher';
    if (isTeacher(teacher)) {
      assertTeacherFits(where, arg, teacher, 'student', student);
      if (needsFeatures) {
        throw new KdkitError(
          'INVALID_ARGUMENT',
          `${where}: loss '${loss.name}' needs feature maps, but '${arg}' (teacher '${teacher.name}') gives logits only; pass a tfjs LayersModel`,
        );
      }
      return;
    }
    assertSameSignature(where, arg, teacher, 'student', student);
    if (teacher === student) {
      throw new KdkitError('INVALID_ARGUMENT', `${where}: '${arg}' is the student itself`);
    }
  });
  assertModelFitsData(where, 'student', student, train);
  if (validation) assertModelFitsData(where, 'student', student, validation);

  // Feature models share the originals' layers and weights: training one trains the other.
  const tapped = (model: tfl.LayersModel, taps: readonly string[] | undefined) =>
    !needsFeatures || model.outputs.length > 1
      ? model
      : withFeatures(model, taps ? { taps } : {}).model;
  const studentNet = tapped(student, options.taps?.student);
  const teacherNets = teachers.map((t) => (isTeacher(t) ? t : tapped(t, options.taps?.teacher)));

  const requested = options.teacherCache ?? 'auto';
  const classes = signatureOf(student).classes ?? train.numClasses;
  const augment = resolveAugment(where, train, options.augment);
  // Only a finite number of views repeats augmented samples, which 'auto' then caches.
  const views = augment === undefined ? 1 : augment.views;
  const given = sharedCaches(where, requested, teachers.length, train.size, classes, views);
  const mode = given
    ? 'auto'
    : (requested as Exclude<TeacherCacheMode, TeacherCache | readonly TeacherCache[]>);
  const useCache = mode !== 'off' && !needsFeatures;
  const caches = !useCache
    ? []
    : (given ??
      teachers.map(
        () =>
          new TeacherCache(train.size, classes, {
            ...(typeof mode === 'object' ? mode : {}),
            views: views ?? 1,
          }),
      ));

  const teacherForward = (teacher: tfl.LayersModel, batch: Batch): TeacherOutput =>
    tf.tidy(() => {
      const out = splitOutputs(teacher.apply(batch.xs, { training: false }));
      return { logits: out.logits, features: needsFeatures ? out.features : [] };
    });

  const teacherOutputs = (batch: Batch): Promise<TeacherOutput[]> =>
    Promise.all(
      teacherNets.map(async (teacher, i) => {
        const key = batch.augmentationKey ?? '';
        // 'auto' skips augmented batches without views (their key changes every epoch: no reuse).
        const cache = mode === 'auto' && views === undefined ? undefined : caches[i];
        const hit = cache?.lookup(batch.indices, key);
        if (hit) return { logits: hit, features: [] };
        const { logits, features } = isTeacher(teacher)
          ? { logits: await teacher.logits(batch.xs), features: [] }
          : teacherForward(teacher, batch);
        if (!cache) return { logits, features };
        const filled = cache.fill(batch.indices, await logits.data(), key);
        tf.dispose([logits, ...features]);
        return { logits: filled, features: [] };
      }),
    );

  const lossTerms = (
    batch: Batch,
    outs: readonly TeacherOutput[],
    training: boolean,
    epoch: number,
    step: number,
  ) => {
    const own = splitOutputs(studentNet.apply(batch.xs, { training }));
    const first = outs[0] as TeacherOutput;
    return loss.compute({
      student: own.logits,
      labels: batch.labels,
      epoch,
      step,
      teachers: outs.map((o) => o.logits),
      ...(outs.length === 1 ? { teacher: first.logits } : {}),
      ...(needsFeatures ? { features: { student: own.features, teacher: first.features } } : {}),
    });
  };

  const seed = options.seed ?? 0;
  const batchOptions = {
    batchSize: options.batchSize,
    seed,
    ...(options.augment !== undefined ? { augment: options.augment } : {}),
  };
  const extraVariables = lossVariables(loss, train, batchOptions, (batch) =>
    lossTerms(
      batch,
      // Only feature losses own variables, and they refuse logits-only teachers (checked above).
      teacherNets.map((t) => teacherForward(t as tfl.LayersModel, batch)),
      false,
      0,
      0,
    ),
  );
  const spec = options.optimizer ?? 'adam';
  const optimizer = createOptimizer(spec);
  const variables = trainableVariables(student, extraVariables);
  try {
    const result = await runLoop({
      kind: 'distill',
      where,
      train,
      epochs: options.epochs,
      batchSize: options.batchSize,
      seed,
      callbacks: options.callbacks ?? [],
      models: [{ name: 'student', model: student, optimizer, extraVariables }],
      resumeFrom: options.resumeFrom,
      signal: options.signal,
      recipe: options.recipe,
      lrSchedule: options.lrSchedule ?? DEFAULT_LR_SCHEDULE,
      augment: options.augment,
      step: async (batch, epoch, step) => {
        const outs = await teacherOutputs(batch);
        try {
          return minimizeTerms(`${where}: loss '${loss.name}'`, [{ optimizer, variables }], () =>
            lossTerms(batch, outs, true, epoch, step),
          );
        } finally {
          tf.dispose(outs.flatMap((o) => [o.logits, ...o.features]));
        }
      },
      ...(validation
        ? {
            validate: async () =>
              metricValues(await evaluate(student, validation, { teacher: teachers[0] })),
          }
        : {}),
    });
    if (caches.length === 0) return result;
    const sum = (f: (c: TeacherCache) => number) => caches.reduce((s, c) => s + f(c), 0);
    return {
      ...result,
      teacherCache: {
        hits: sum((c) => c.hits),
        misses: sum((c) => c.misses),
        bytes: sum((c) => c.bytes),
      },
    };
  } finally {
    if (!(spec instanceof tf.Optimizer)) optimizer.dispose();
    // A loss built here from a name is ours to free; a loss object passed in stays the caller's.
    if (options.loss !== loss) loss.dispose?.();
  }
}

/**
 * The caller's caches when `teacherCache` holds some, checked against the teachers, the data and
 * the augmentation's `views` (undefined: unlimited, augmented batches aren't cached).
 */
function sharedCaches(
  where: string,
  mode: TeacherCacheMode,
  teachers: number,
  size: number,
  classes: number,
  views: number | undefined,
): readonly TeacherCache[] | undefined {
  const given = mode instanceof TeacherCache ? [mode] : Array.isArray(mode) ? mode : undefined;
  if (!given) return undefined;
  if (given.length !== teachers) {
    throw new KdkitError(
      'INVALID_ARGUMENT',
      `${where}: 'teacherCache' holds ${given.length} caches for ${teachers} teacher(s); give one per teacher`,
    );
  }
  for (const cache of given) {
    if (cache.size !== size || cache.classes !== classes) {
      throw new KdkitError(
        'SHAPE_MISMATCH',
        `${where}: 'teacherCache' was built for ${cache.size} samples × ${cache.classes} classes, but the training set has ${size} samples and the student ${classes} classes`,
      );
    }
    if (views !== undefined && cache.views < views) {
      throw new KdkitError(
        'INVALID_ARGUMENT',
        `${where}: 'teacherCache' holds ${cache.views} augmentation key(s), but 'augment.views' is ${views}: each epoch would drop a view before it is reused; build it with new TeacherCache(${size}, ${classes}, { views: ${views} })`,
      );
    }
  }
  return given;
}
