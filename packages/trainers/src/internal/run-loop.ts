import type { Batch, BatchOptions, ImageDataset } from '@kdkit/datasets';
import { batches } from '@kdkit/datasets';
import { assertInteger, KdkitError, SeededRandom } from '@kdkit/engine';
import * as tf from '@tensorflow/tfjs-core';
import { restoreCheckpoint } from '../checkpoint-io.js';
import type { CheckpointStore } from '../checkpoint-store.js';
import { getLearningRate, scheduledLearningRate, setLearningRate } from '../optimizer.js';
import type {
  BatchLogs,
  Callback,
  EpochLogs,
  LossValues,
  LrScheduleName,
  MetricValues,
  PartialEpoch,
  StopRequest,
  TrainedModel,
  TrainerKind,
  TrainResult,
  TrainState,
} from '../types.js';

export interface LoopSpec {
  readonly kind: TrainerKind;
  /** Public function name, for error messages. */
  readonly where: string;
  readonly train: ImageDataset;
  readonly epochs: number;
  readonly batchSize: number;
  readonly seed: number;
  readonly callbacks: readonly Callback[];
  readonly models: readonly TrainedModel[];
  readonly resumeFrom?: CheckpointStore | undefined;
  readonly signal?: AbortSignal | undefined;
  readonly recipe?: Readonly<Record<string, unknown>> | undefined;
  readonly lrSchedule: LrScheduleName;
  readonly augment?: BatchOptions['augment'];
  /** One training step on a batch; returns the loss terms read back. Must not dispose the batch. */
  step(batch: Batch, epoch: number, step: number): LossValues | Promise<LossValues>;
  /** Validation metrics of the trained model after an epoch. */
  validate?(): Promise<MetricValues> | MetricValues;
}

/**
 * The one training loop behind every trainer: batches in a (seed, epoch)-determined order, one
 * step per batch, callbacks around it, and resume from a checkpoint. Everything else is a callback.
 */
export async function runLoop(spec: LoopSpec): Promise<TrainResult> {
  const { where, train, epochs, batchSize, seed } = spec;
  assertInteger(where, 'epochs', epochs, 0);
  assertInteger(where, 'batchSize', batchSize, 1);
  assertInteger(where, 'seed', seed, 0);
  if (train.size === 0) {
    throw new KdkitError(
      'INVALID_ARGUMENT',
      `${where}: 'train' holds 0 images${train.name ? ` (dataset '${train.name}')` : ''}; there is nothing to train on. Check the data files and --limit.`,
    );
  }
  const batchesPerEpoch = Math.ceil(train.size / batchSize);
  const totalSteps = epochs * batchesPerEpoch;
  const baseRates = spec.models.map((m) => getLearningRate(m.optimizer));
  if (spec.lrSchedule !== 'constant' && baseRates.some((rate) => rate === undefined)) {
    throw new KdkitError(
      'INVALID_ARGUMENT',
      `${where}: lrSchedule '${spec.lrSchedule}' needs an optimizer with a numeric learningRate; use 'constant' with this optimizer`,
    );
  }

  const recipe: Readonly<Record<string, unknown>> = {
    epochs,
    batchSize,
    seed,
    lrSchedule: spec.lrSchedule,
    learningRates: baseRates.map((rate) => rate ?? null),
    augment: spec.augment ?? false,
    trainImages: train.size,
    ...spec.recipe,
  };
  let rng = new SeededRandom(seed);
  let completedEpochs = 0;
  let globalStep = 0;
  let history: EpochLogs[] = [];
  let stop: StopRequest | undefined;
  let partial: PartialEpoch | undefined;
  // A function, so TypeScript does not narrow `stop` across the awaited callbacks that set it.
  const stopped = (failedOnly: boolean): boolean =>
    stop !== undefined && (!failedOnly || stop.failed);

  if (spec.resumeFrom !== undefined) {
    const data = await spec.resumeFrom.read();
    if (data === undefined) {
      throw new KdkitError(
        'FILE_NOT_FOUND',
        `resumeFrom: no checkpoint in ${spec.resumeFrom.description}; run without resumeFrom to start over.`,
      );
    }
    await restoreCheckpoint(data, spec.kind, spec.models, {
      recipe,
      source: spec.resumeFrom.description,
    });
    completedEpochs = data.completedEpochs;
    globalStep = data.globalStep;
    history = [...data.history];
    rng = SeededRandom.fromState(data.rng);
    partial = data.partialEpoch;
  }

  const state: TrainState = {
    kind: spec.kind,
    epochs,
    batchesPerEpoch,
    seed,
    models: spec.models,
    get completedEpochs() {
      return completedEpochs;
    },
    get globalStep() {
      return globalStep;
    },
    get history() {
      return history;
    },
    get rng() {
      return rng.getState();
    },
    get stop() {
      return stop;
    },
    recipe,
    get partialEpoch() {
      return partial;
    },
    requestStop(reason, options = {}) {
      if (stop?.failed) return;
      stop = { reason, failed: options.failed ?? false, ...(options.by ? { by: options.by } : {}) };
    },
  };
  const interrupted = (): boolean => {
    if (stop?.interrupted) return true;
    if (!spec.signal?.aborted || stop?.failed) return false;
    const why = spec.signal.reason;
    stop = {
      reason: `interrupted${typeof why === 'string' ? ` (${why})` : ''}`,
      failed: false,
      by: 'signal',
      interrupted: true,
    };
    return true;
  };

  const applySchedule = () => {
    spec.models.forEach((m, i) => {
      const base = baseRates[i];
      if (base !== undefined && spec.lrSchedule !== 'constant') {
        setLearningRate(
          m.optimizer,
          scheduledLearningRate(spec.lrSchedule, base, globalStep, totalSteps),
        );
      }
    });
  };

  for (const cb of spec.callbacks) await cb.onTrainBegin?.(state);
  try {
    for (
      let epoch = completedEpochs;
      epoch < epochs && !stopped(false) && !interrupted();
      epoch++
    ) {
      for (const cb of spec.callbacks) await cb.onEpochBegin?.(epoch, state);
      const started = performance.now();
      // A resume after an interrupt continues the unfinished epoch at its next batch.
      const resumed = partial;
      const sums: Record<string, number> = { ...resumed?.sums };
      let images = resumed?.images ?? 0;
      let batchIndex = 0;
      const options: BatchOptions = {
        batchSize,
        seed,
        epoch,
        shuffle: true,
        ...(spec.augment !== undefined ? { augment: spec.augment } : {}),
      };
      for (const batch of batches(train, options)) {
        if (resumed !== undefined && batchIndex < resumed.batches) {
          tf.dispose([batch.xs, batch.labels]);
          batchIndex++;
          continue;
        }
        applySchedule();
        let losses: LossValues;
        try {
          losses = await spec.step(batch, epoch, globalStep);
        } finally {
          tf.dispose([batch.xs, batch.labels]);
        }
        const size = batch.indices.length;
        images += size;
        for (const [term, value] of Object.entries(losses)) {
          sums[term] = (sums[term] ?? 0) + value * size;
        }
        const logs: BatchLogs = {
          epoch,
          step: globalStep,
          batch: batchIndex,
          batchesPerEpoch,
          size,
          losses,
          imagesPerSecond: images / Math.max(1e-9, (performance.now() - started) / 1000),
        };
        globalStep++;
        batchIndex++;
        partial = { batches: batchIndex, images, sums: { ...sums } };
        for (const cb of spec.callbacks) await cb.onBatchEnd?.(logs, state);
        // A step runs synchronously: let a pending Ctrl-C (a macrotask) reach the signal.
        if (spec.signal !== undefined) await yieldToEventLoop();
        if (stopped(true) || interrupted()) break;
      }
      if (stopped(true)) break;
      if (stop?.interrupted && batchIndex < batchesPerEpoch) break;
      partial = undefined;
      // The run RNG advances once per epoch, so its saved state pins the epoch reached.
      rng.nextUint32();
      const seconds = (performance.now() - started) / 1000;
      const losses = Object.fromEntries(
        Object.entries(sums).map(([term, sum]) => [term, sum / Math.max(1, images)]),
      );
      const validation = spec.validate ? await spec.validate() : undefined;
      const learningRate = spec.models[0] ? getLearningRate(spec.models[0].optimizer) : undefined;
      const logs: EpochLogs = {
        epoch,
        losses,
        ...(validation ? { validation } : {}),
        imagesPerSecond: images / Math.max(1e-9, seconds),
        seconds,
        ...(learningRate !== undefined ? { learningRate } : {}),
      };
      completedEpochs = epoch + 1;
      history = [...history, logs];
      for (const cb of spec.callbacks) await cb.onEpochEnd?.(logs, state);
    }
  } catch (error) {
    // Let callbacks release what they hold (a progress bar's timer), then rethrow.
    const message = error instanceof Error ? error.message : String(error);
    state.requestStop(`${where}: ${message}`, { failed: true, by: where });
    for (const cb of spec.callbacks) {
      try {
        await cb.onTrainEnd?.(state);
      } catch {
        // the original error matters more
      }
    }
    throw error;
  } finally {
    spec.models.forEach((m, i) => {
      const base = baseRates[i];
      if (base !== undefined && spec.lrSchedule !== 'constant') setLearningRate(m.optimizer, base);
    });
  }
  for (const cb of spec.callbacks) await cb.onTrainEnd?.(state);
  return { history, completedEpochs, ...(stop ? { stop } : {}) };
}

/** Resolves after the tasks already queued (signal handlers, timers) have run. */
const yieldToEventLoop = (): Promise<void> =>
  new Promise((resolve) => {
    if (typeof setImmediate === 'function') setImmediate(resolve);
    else setTimeout(resolve, 0);
  });
