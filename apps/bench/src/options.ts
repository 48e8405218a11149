import type { ResolvedAugment } from '@kdkit/datasets';
import type { FeatureTaps, TripletBaseline } from '@kdkit/experiments';
import { DEFAULT_LR_SCHEDULE, type LrScheduleName, type OptimizerName } from '@kdkit/trainers';

/** A teacher → student pair of the quality suite. */
export interface PairSpec {
  readonly teacher: string;
  readonly student: string;
}

/**
 * A label regime: 1 = every label; 0.1 = a transfer set with 10% of its labels (the teacher saw
 * every label; the KD student gets soft targets on all images).
 */
export interface RegimeSpec {
  readonly name: string;
  readonly labelFraction: number;
}

/** The display name of a label regime. */
export const regimeName = (labelFraction: number): string =>
  labelFraction === 1
    ? 'full data'
    : `transfer set, ${Math.round(labelFraction * 1000) / 10}% labelled`;

/** A regime from its label fraction. */
export const regime = (labelFraction: number): RegimeSpec => ({
  name: regimeName(labelFraction),
  labelFraction,
});

/** One loss of the loss suite and the small grid of its options chosen among on validation. */
export interface LossSpec {
  readonly loss: string;
  /** Each entry is one setting; `temperature`/`alpha` are Hinton's (hinton, kl). */
  readonly grid: readonly Readonly<Record<string, number>>[];
  /** Layers the loss taps, when the zoo nets' default taps don't suit it. */
  readonly taps?: FeatureTaps;
}

/**
 * Attention transfer compares spatial maps, so it taps the conv stages only (`pool1`, `pool2` of
 * the cnn and lenet5 zoo nets), not their dense default tap.
 */
export const LOSS_TAPS: Readonly<Record<string, FeatureTaps>> = {
  at: { teacher: ['pool1', 'pool2'], student: ['pool1', 'pool2'] },
};

/**
 * Per-loss grids of the loss suite, so every loss gets the same budget and its setting is chosen
 * on validation: each paper's default, a setting 10× weaker, and a third (added 2026-12-02, when
 * the weaker setting won for every loss on the mini set: 100× weaker, and T=1, α=0.9 for Hinton).
 */
export const LOSS_GRIDS: Readonly<Record<string, LossSpec['grid']>> = {
  hinton: [
    { temperature: 4, alpha: 0.9 },
    { temperature: 1, alpha: 0.5 },
    { temperature: 1, alpha: 0.9 },
  ],
  kl: [
    { temperature: 4, alpha: 0.9 },
    { temperature: 1, alpha: 0.5 },
    { temperature: 1, alpha: 0.9 },
  ],
  // DKD warms up over 20 epochs by default, longer than a 12-epoch student: 1 here.
  dkd: [
    { beta: 8, warmupEpochs: 1 },
    { beta: 2, warmupEpochs: 1 },
    { beta: 0.5, warmupEpochs: 1 },
  ],
  fitnets: [{ beta: 100 }, { beta: 10 }, { beta: 1 }],
  at: [{ beta: 1000 }, { beta: 100 }, { beta: 10 }],
  sp: [{ beta: 3000 }, { beta: 300 }, { beta: 30 }],
  pkt: [{ beta: 30000 }, { beta: 3000 }, { beta: 300 }],
  rkd: [{ beta: 1 }, { beta: 0.1 }, { beta: 0.01 }],
  mse: [{ alpha: 0.9 }, { alpha: 0.5 }, { alpha: 0.1 }],
  // Not in DEFAULT_LOSSES (added after the stored loss-family runs): `--losses dist`.
  dist: [
    { beta: 1, gamma: 1 },
    { beta: 0.1, gamma: 0.1 },
    { beta: 0.01, gamma: 0.01 },
  ],
};

/** The loss suite's default line-up (mdistiller-like): logit, feature and relation losses. */
export const DEFAULT_LOSSES = ['hinton', 'dkd', 'fitnets', 'at', 'sp', 'pkt', 'rkd', 'mse'];

/** One (T, α) setting of the KD grid. */
export interface KdSetting {
  readonly temperature: number;
  readonly alpha: number;
}

export interface QualitySettings {
  readonly pairs: readonly PairSpec[];
  readonly regimes: readonly RegimeSpec[];
  readonly seeds: readonly number[];
  readonly temperatures: readonly number[];
  readonly alphas: readonly number[];
  /** An explicit (T, α) list, run instead of every T with every α. */
  readonly kdSettings?: readonly KdSetting[];
  /**
   * Fraction of the training set held out as a stratified validation split (seed
   * {@link VALIDATION_SEED}) on which every choice is made; 0 = none (runs stored before the
   * split existed; their choices were made on test, and the report says so).
   */
  readonly validationFraction: number;
  /** Teacher seeds (one teacher each); ≥ 2 measure teacher variance. Default [0]. */
  readonly teacherSeeds?: readonly number[];
  /**
   * Hard-label baselines run next to KD in the transfer-set regimes, at the (T, α) chosen on
   * validation: pseudo-labels, and label smoothing matched to the teacher's soft-target entropy.
   */
  readonly baselines?: readonly TripletBaseline[];
  /** The loss suite: these losses instead of the Hinton (T, α) grid, each with its small grid. */
  readonly losses?: readonly LossSpec[];
  readonly teacherEpochs: number;
  readonly studentEpochs: number;
  /**
   * Augmentation of every student's training batches (scratch, KD and baselines alike; see
   * experiments' `TripletConfig.augment`), e.g. `crop2,flip`, or `crop2,flip,views4` for 4 fixed
   * views per image whose teacher logits the KD runs cache; teachers are trained without it.
   * Undefined = none (the anchor's protocol).
   */
  readonly augment?: ResolvedAugment;
  /**
   * Scratch student's epochs with few labels (undefined = as many optimizer steps as the KD
   * student: studentEpochs / labelFraction).
   */
  readonly fewLabelScratchEpochs?: number;
  readonly batchSize: number;
  readonly optimizer: OptimizerName;
  readonly learningRate: number;
  readonly lrSchedule: LrScheduleName;
  /** Training images used (undefined = all of the dataset). */
  readonly trainLimit?: number;
  /** Test images used (undefined = all). */
  readonly testLimit?: number;
  /** Report only the runs already stored in the results directory: train nothing. */
  readonly storedOnly?: boolean;
}

export interface SpeedSettings {
  readonly teacher: string;
  readonly student: string;
  /** Images per measured epoch. */
  readonly images: number;
  readonly batchSize: number;
  /** Run the PyTorch anchor script when /usr/bin/python3 (or $KDKIT_PYTHON) imports torch. */
  readonly torch: boolean;
  /** Fewer PyTorch steps (the script's `--quick`). */
  readonly torchQuick?: boolean;
}

export type DatasetChoice = 'fashion-mnist' | 'fashion-mnist-mini';

export interface BenchSettings {
  /** Results directory (created). */
  readonly out: string;
  readonly mode: 'full' | 'quick' | 'custom';
  readonly dataset: DatasetChoice;
  readonly backend: 'auto' | 'wasm' | 'cpu' | 'tensorflow';
  /** `undefined` skips the suite. */
  readonly quality?: QualitySettings;
  readonly speed?: SpeedSettings;
  /** Live progress on stderr. Default true. */
  readonly progress: boolean;
  /** The command line that produced the run, for the report. */
  readonly command: string;
  /** Write a report even from a git tree with uncommitted changes (the report says so). */
  readonly allowDirty?: boolean;
}

/** Seed of the validation split: fixed, so every run of a results directory shares it. */
export const VALIDATION_SEED = 0;

/** 5,000 of Fashion-MNIST's 60,000 training images (250 of the mini set's 3,000). */
export const DEFAULT_VALIDATION_FRACTION = 1 / 12;

/** The (T, α) settings a quality run trains: `kdSettings`, or every T with every α. */
export function kdGrid(settings: QualitySettings): KdSetting[] {
  return settings.kdSettings
    ? [...settings.kdSettings]
    : settings.temperatures.flatMap((temperature) =>
        settings.alphas.map((alpha) => ({ temperature, alpha })),
      );
}

export const ANCHOR_PAIR: PairSpec = { teacher: 'cnn-teacher', student: 'cnn-student' };

/** The full protocol: the PyTorch anchor's recipe, 3 seeds, the T grid and an α grid. */
export function fullQuality(): QualitySettings {
  return {
    pairs: [
      ANCHOR_PAIR,
      { teacher: 'cnn-teacher', student: 'lenet5' },
      { teacher: 'mlp-1200', student: 'mlp-800' },
    ],
    regimes: [regime(1), regime(0.1)],
    seeds: [0, 1, 2, 3, 4],
    temperatures: [1, 2, 4, 8, 20],
    alphas: [0.5, 0.9],
    validationFraction: DEFAULT_VALIDATION_FRACTION,
    teacherSeeds: [0, 1],
    baselines: ['pseudo-labels', 'label-smoothing'],
    teacherEpochs: 4,
    studentEpochs: 12,
    batchSize: 128,
    optimizer: 'adam',
    learningRate: 1e-3,
    lrSchedule: DEFAULT_LR_SCHEDULE,
  };
}

/**
 * CI smoke run: mini set with its validation split, the anchor pair, a transfer set with 10% of
 * its labels, two seeds (paired statistics), two temperatures (a choice made on validation), the
 * two hard-label baselines, few epochs.
 */
export function quickQuality(): QualitySettings {
  return {
    pairs: [ANCHOR_PAIR],
    regimes: [regime(0.1)],
    seeds: [0, 1],
    temperatures: [1, 4],
    alphas: [0.9],
    validationFraction: DEFAULT_VALIDATION_FRACTION,
    baselines: ['pseudo-labels', 'label-smoothing'],
    teacherEpochs: 2,
    studentEpochs: 2,
    batchSize: 128,
    optimizer: 'adam',
    learningRate: 1e-3,
    lrSchedule: DEFAULT_LR_SCHEDULE,
  };
}

export function fullSpeed(): SpeedSettings {
  return { ...ANCHOR_PAIR, images: 2048, batchSize: 128, torch: true };
}

export function quickSpeed(): SpeedSettings {
  return { ...ANCHOR_PAIR, images: 512, batchSize: 128, torch: true };
}
