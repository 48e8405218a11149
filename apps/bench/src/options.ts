import type { OptimizerName, ScheduleName } from '@kdkit/experiments';

/** A teacher → student pair of the quality suite. */
export interface PairSpec {
  readonly teacher: string;
  readonly student: string;
}

/** A label regime: 1 = full data, 0.1 = 10% of the labels (soft targets on all). */
export interface RegimeSpec {
  readonly name: string;
  readonly labelFraction: number;
}

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
  readonly teacherEpochs: number;
  readonly studentEpochs: number;
  /**
   * Scratch student's epochs with few labels (undefined = as many optimizer steps as the KD
   * student: studentEpochs / labelFraction).
   */
  readonly fewLabelScratchEpochs?: number;
  readonly batchSize: number;
  readonly optimizer: OptimizerName;
  readonly learningRate: number;
  readonly schedule: ScheduleName;
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
}

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
    regimes: [
      { name: 'full data', labelFraction: 1 },
      { name: '10% of labels', labelFraction: 0.1 },
    ],
    seeds: [0, 1, 2],
    temperatures: [1, 2, 4, 8, 20],
    alphas: [0.5, 0.9],
    teacherEpochs: 4,
    studentEpochs: 12,
    batchSize: 128,
    optimizer: 'adam',
    learningRate: 1e-3,
    schedule: 'cosine',
  };
}

/** CI smoke run: mini set, one seed, two temperatures, few epochs, the anchor pair only. */
export function quickQuality(): QualitySettings {
  return {
    pairs: [ANCHOR_PAIR],
    regimes: [
      { name: 'full data', labelFraction: 1 },
      { name: '10% of labels', labelFraction: 0.1 },
    ],
    seeds: [0],
    temperatures: [1, 4],
    alphas: [0.9],
    teacherEpochs: 2,
    studentEpochs: 3,
    batchSize: 128,
    optimizer: 'adam',
    learningRate: 1e-3,
    schedule: 'cosine',
  };
}

export function fullSpeed(): SpeedSettings {
  return { ...ANCHOR_PAIR, images: 2048, batchSize: 128, torch: true };
}

export function quickSpeed(): SpeedSettings {
  return { ...ANCHOR_PAIR, images: 512, batchSize: 128, torch: true };
}
