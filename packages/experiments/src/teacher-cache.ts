import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { assertInteger, isKdkitError } from '@kdkit/engine';
import { createModel, loadModel, saveModel } from '@kdkit/models';
import { evaluate, trainSupervised } from '@kdkit/trainers';
import { configHash, describeDataset } from './config-hash.js';
import { toEpochRecords, trainingSeconds } from './history.js';
import type { LoadedTeacher, LoadOrTrainTeacherOptions } from './types.js';

/** Bump when the meaning of a cached teacher changes (e.g. the zoo nets or the trainer). */
const CACHE_VERSION = 1;

/** The cache key of a teacher: its zoo name, the training set, the recipe and the seed. */
export function teacherCacheKey(options: LoadOrTrainTeacherOptions): string {
  return configHash({
    version: CACHE_VERSION,
    model: options.model,
    train: describeDataset(options.train),
    epochs: options.epochs,
    batchSize: options.batchSize ?? 128,
    optimizer: options.optimizer ?? 'adam',
    learningRate: options.learningRate ?? 1e-3,
    schedule: options.schedule ?? 'cosine',
    seed: options.seed ?? 0,
  });
}

/**
 * Loads a trained teacher from `dir/<model>-<key>/`, or trains one with @kdkit/trainers and
 * saves it there with models' `saveModel` (atomically, with its metadata), so reruns don't pay for
 * teachers. The key is a hash of the zoo name, the training set's fingerprint, the recipe
 * (epochs, batch size, optimizer, learning rate, schedule; defaults Adam 1e-3 cosine, batch 128)
 * and the seed. A missing or unreadable entry is (re)trained.
 *
 * @example
 * const { model, fromCache } = await loadOrTrainTeacher({
 *   dir: 'results/teachers', model: 'cnn-teacher', train, test, epochs: 4,
 * });
 * // … use model, then model.dispose()
 */
export async function loadOrTrainTeacher(
  options: LoadOrTrainTeacherOptions,
): Promise<LoadedTeacher> {
  assertInteger('loadOrTrainTeacher', 'epochs', options.epochs, 1);
  const key = teacherCacheKey(options);
  const path = join(options.dir, `${options.model}-${key}`);

  if (existsSync(join(path, 'model.json'))) {
    try {
      const { model, meta } = await loadModel(path);
      const accuracy = typeof meta.accuracy === 'number' ? meta.accuracy : undefined;
      const seconds = meta['trainingSeconds'];
      return {
        model,
        fromCache: true,
        path,
        configHash: key,
        seconds: typeof seconds === 'number' ? seconds : 0,
        history: [],
        ...(accuracy !== undefined ? { accuracy } : {}),
      };
    } catch (error) {
      // A corrupt entry is retrained and replaced; anything else is a real problem.
      if (!isKdkitError(error, 'CORRUPT_FILE') && !isKdkitError(error, 'FILE_NOT_FOUND'))
        throw error;
    }
  }

  await options.onTrainingStart?.();
  const { train, test } = options;
  const seed = options.seed ?? 0;
  const model = createModel(options.model, {
    inputShape: train.shape,
    numClasses: train.numClasses,
    seed,
  });
  try {
    const result = await trainSupervised({
      model,
      train,
      ...(test && options.evaluateEachEpoch ? { validation: test } : {}),
      epochs: options.epochs,
      batchSize: options.batchSize ?? 128,
      optimizer: { name: options.optimizer ?? 'adam', learningRate: options.learningRate ?? 1e-3 },
      lrSchedule: options.schedule ?? 'cosine',
      seed,
      callbacks: options.callbacks ?? [],
    });
    const accuracy = test ? (await evaluate(model, test)).accuracy : undefined;
    await saveModel(model, path, {
      meta: {
        zooName: options.model,
        dataset: train.name,
        classNames: [...train.classNames],
        ...(accuracy !== undefined ? { accuracy } : {}),
        teacherCacheKey: key,
        trainingSeconds: trainingSeconds(result.history),
      },
    });
    return {
      model,
      fromCache: false,
      path,
      configHash: key,
      seconds: trainingSeconds(result.history),
      history: toEpochRecords(result.history),
      ...(accuracy !== undefined ? { accuracy } : {}),
    };
  } catch (error) {
    model.dispose();
    throw error;
  }
}
