import type { RandomState } from '@kdkit/engine';
import type * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';

/** Which loop produced a run; stored in checkpoints so a resume can't cross loops. */
export type TrainerKind = 'supervised' | 'distill' | 'mutual';

/** Loss terms read back once per batch (or averaged over an epoch): always has `total`. */
export type LossValues = Readonly<Record<string, number>>;

/** Validation metrics flattened to numbers (`accuracy`, `topK`, `meanLoss`, `ece`, `agreement`). */
export type MetricValues = Readonly<Record<string, number>>;

export interface BatchLogs {
  /** 0-based epoch. */
  readonly epoch: number;
  /** 0-based global step (batches since the start of the run, across resumes). */
  readonly step: number;
  /** 0-based batch within this epoch. */
  readonly batch: number;
  readonly batchesPerEpoch: number;
  /** Rows in this batch. */
  readonly size: number;
  readonly losses: LossValues;
  /** Images per second since the start of this epoch. */
  readonly imagesPerSecond: number;
}

export interface EpochLogs {
  readonly epoch: number;
  /** Per-term means over the epoch, weighted by batch size. */
  readonly losses: LossValues;
  /** Validation metrics of the (first) trained model, when `validation` was given. */
  readonly validation?: MetricValues;
  readonly imagesPerSecond: number;
  readonly seconds: number;
  /** Learning rate at the end of the epoch. */
  readonly learningRate?: number;
}

/** A model a loop trains, with its optimizer: what a checkpoint saves and a resume restores. */
export interface TrainedModel {
  readonly name: string;
  readonly model: tfl.LayersModel;
  readonly optimizer: tf.Optimizer;
  /** Variables trained alongside the model (a loss's feature adapters), saved in checkpoints too. */
  readonly extraVariables?: readonly tf.Variable[];
}

/** Why a run stopped before its last epoch. `failed` runs (non-finite loss) must not be checkpointed. */
export interface StopRequest {
  readonly reason: string;
  readonly failed: boolean;
  /** Name of the callback that asked. */
  readonly by?: string;
  /**
   * True when the run's `signal` was aborted (Ctrl-C): the loop stopped after the current step and
   * `checkpoint()` saves the unfinished epoch, so a resume continues from the next step.
   */
  readonly interrupted?: boolean;
}

/** Progress inside an unfinished epoch, saved by an interrupt so a resume loses no step. */
export interface PartialEpoch {
  /** Batches of the epoch already run. */
  readonly batches: number;
  /** Images in those batches. */
  readonly images: number;
  /** Sum over those batches of each loss term times the batch size. */
  readonly sums: Readonly<Record<string, number>>;
}

/** The live state of a run, passed to every callback hook. */
export interface TrainState {
  readonly kind: TrainerKind;
  readonly epochs: number;
  readonly batchesPerEpoch: number;
  readonly seed: number;
  /** Epochs completed so far (equals the next epoch to run). */
  readonly completedEpochs: number;
  /** Batches run so far across the whole run. */
  readonly globalStep: number;
  readonly models: readonly TrainedModel[];
  readonly history: readonly EpochLogs[];
  /** The run's RNG state, saved in checkpoints. */
  readonly rng: RandomState;
  /**
   * The settings that define the run (epochs, batch size, seed, schedule, learning rates, and the
   * caller's `recipe`): stored in checkpoints, and a resume with other settings is refused.
   */
  readonly recipe: Readonly<Record<string, unknown>>;
  /** The unfinished epoch's progress, or undefined at an epoch boundary. */
  readonly partialEpoch: PartialEpoch | undefined;
  /** Set once a callback asked to stop. */
  readonly stop: StopRequest | undefined;
  /** Asks the loop to stop: after this batch when `failed`, after this epoch otherwise. */
  requestStop(reason: string, options?: { failed?: boolean; by?: string }): void;
}

/**
 * The one callback interface of every kdkit loop. Each hook is async and optional: a missing hook
 * does nothing. Hooks run in the order the callbacks were given.
 *
 * @example
 * const printer: Callback = { onEpochEnd: async (logs) => console.log(logs.epoch, logs.losses.total) };
 */
export interface Callback {
  readonly name?: string;
  onTrainBegin?(state: TrainState): Promise<void> | void;
  onEpochBegin?(epoch: number, state: TrainState): Promise<void> | void;
  onBatchEnd?(logs: BatchLogs, state: TrainState): Promise<void> | void;
  onEpochEnd?(logs: EpochLogs, state: TrainState): Promise<void> | void;
  /** Also called, with a failed `state.stop`, when the run throws. */
  onTrainEnd?(state: TrainState): Promise<void> | void;
}

/** What every loop returns. */
export interface TrainResult {
  readonly history: readonly EpochLogs[];
  readonly completedEpochs: number;
  readonly stop?: StopRequest;
}

export type OptimizerName = 'adam' | 'sgd' | 'momentum';

/** An optimizer by name (`learningRate` default 1e-3 for adam, 1e-2 otherwise; momentum 0.9), or a ready `tf.Optimizer`. */
export type OptimizerSpec =
  | OptimizerName
  | { readonly name: OptimizerName; readonly learningRate?: number; readonly momentum?: number }
  | tf.Optimizer;

export type LrScheduleName = 'constant' | 'cosine';
