import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { assertInteger, isKdkitError, KdkitError } from '@kdkit/engine';
import { createModel } from '@kdkit/models';
import { loadModel, saveModel } from '@kdkit/models/node';
import { DEFAULT_LR_SCHEDULE, evaluate, trainSupervised } from '@kdkit/trainers';
import { toEpochRecords, trainingSeconds } from '../history.js';
import { describeDataset, runConfigHash } from '../run-config-hash.js';
import type { LoadedTeacher, LoadOrTrainTeacherOptions, TeacherStore } from '../types.js';

/** Bump when the meaning of a stored teacher changes (e.g. the zoo nets or the trainer). */
const STORE_VERSION = 1;

/**
 * The key of a teacher in the teacher store: a hash of its zoo name, the training set, the recipe
 * and the seed. The test set is not part of it.
 *
 * @example
 * teacherStoreKey({ dir: 'results/teachers', model: 'cnn-teacher', train, epochs: 4 }); // '3f9c…'
 */
export function teacherStoreKey(options: Omit<LoadOrTrainTeacherOptions, 'dir'>): string {
  return runConfigHash({
    version: STORE_VERSION,
    model: options.model,
    train: describeDataset(options.train),
    epochs: options.epochs,
    batchSize: options.batchSize ?? 128,
    optimizer: options.optimizer ?? 'adam',
    learningRate: options.learningRate ?? 1e-3,
    schedule: options.lrSchedule ?? DEFAULT_LR_SCHEDULE,
    seed: options.seed ?? 0,
  });
}

/**
 * The teacher store: loads a trained teacher from `dir/<model>-<key>/`, or trains one with
 * @kdkit/trainers and saves it there with models' `saveModel` (atomically, with its metadata), so
 * reruns don't pay for teachers. The key ({@link teacherStoreKey}) is a hash of the zoo name, the
 * training set's fingerprint, the recipe (epochs, batch size, optimizer, learning rate, schedule;
 * defaults Adam 1e-3, cosine, batch 128) and the seed. A missing or unreadable entry is (re)trained.
 *
 * @example
 * const { model, fromStore } = await loadOrTrainTeacher({
 *   dir: 'results/teachers', model: 'cnn-teacher', train, test, epochs: 4,
 * });
 * // … use model, then model.dispose()
 */
export async function loadOrTrainTeacher(
  options: LoadOrTrainTeacherOptions,
): Promise<LoadedTeacher> {
  assertInteger('loadOrTrainTeacher', 'epochs', options.epochs, 1);
  const key = teacherStoreKey(options);
  const path = join(options.dir, `${options.model}-${key}`);

  if (existsSync(join(path, 'model.json'))) {
    try {
      const { model, meta } = await loadModel(path);
      const accuracy = typeof meta.accuracy === 'number' ? meta.accuracy : undefined;
      const seconds = meta['trainingSeconds'];
      return {
        model,
        fromStore: true,
        path,
        storeKey: key,
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
      lrSchedule: options.lrSchedule ?? DEFAULT_LR_SCHEDULE,
      seed,
      callbacks: options.callbacks ?? [],
      ...(options.signal ? { signal: options.signal } : {}),
    });
    if (result.stop?.interrupted) {
      throw new KdkitError(
        'INTERRUPTED',
        `loadOrTrainTeacher: teacher training interrupted after ${result.completedEpochs} epoch(s); nothing was stored in the teacher store.`,
      );
    }
    const accuracy = test ? (await evaluate(model, test)).accuracy : undefined;
    await saveModel(model, path, {
      meta: {
        zooName: options.model,
        dataset: train.name,
        classNames: [...train.classNames],
        ...(accuracy !== undefined ? { accuracy } : {}),
        teacherStoreKey: key,
        trainingSeconds: trainingSeconds(result.history),
      },
    });
    return {
      model,
      fromStore: false,
      path,
      storeKey: key,
      seconds: trainingSeconds(result.history),
      history: toEpochRecords(result.history),
      ...(accuracy !== undefined ? { accuracy } : {}),
    };
  } catch (error) {
    model.dispose();
    throw error;
  }
}

/**
 * The on-disk teacher store of `dir` as a `TripletConfig.teacherStore`: each request goes to
 * {@link loadOrTrainTeacher} with that directory.
 *
 * @example
 * await runTriplet({ train, test, teacherStore: teacherStore('results/teachers') });
 */
export function teacherStore(dir: string): TeacherStore {
  return (request) => loadOrTrainTeacher({ ...request, dir });
}
