import type { ImageDataset } from '@kdkit/datasets';
import type { Callback, TeacherCache } from '@kdkit/trainers';
import type * as tfl from '@tensorflow/tfjs-layers';

/** Which of the three models of a triplet a row describes. */
export type TripletRole = 'teacher' | 'student-scratch' | 'student-kd';

/** What {@link runTriplet} is doing now; passed to `hooks.onPhase` (for step lists). */
export type TripletPhase =
  | 'load-teacher'
  | 'train-teacher'
  | 'evaluate-teacher'
  | 'train-student-scratch'
  | 'evaluate-student-scratch'
  | 'distill-student'
  | 'evaluate-student-kd';

export type OptimizerName = 'adam' | 'sgd' | 'momentum';

/**
 * Learning-rate schedule over a run: `'cosine'` decays from `learningRate` to 0 over all steps
 * (PyTorch's CosineAnnealingLR with T_max = total steps), `'constant'` keeps it.
 */
export type ScheduleName = 'cosine' | 'constant';

/** How one model is trained. Defaults are the PyTorch anchor's: Adam, 1e-3, cosine, batch 128. */
export interface TrainingRecipe {
  readonly epochs: number;
  /** Default 128. */
  readonly batchSize?: number;
  /** Default `'adam'`. */
  readonly optimizer?: OptimizerName;
  /** Default 1e-3. */
  readonly learningRate?: number;
  /** Default `'cosine'`. */
  readonly schedule?: ScheduleName;
}

/** Trainer callbacks, as @kdkit/trainers takes them (progress bars, logs), passed through. */
export type TrainerCallbacks = readonly Callback[];

export interface TripletConfig {
  /** Teacher zoo name. Default `'cnn-teacher'`. */
  readonly teacher?: string;
  /** Student zoo name. Default `'cnn-student'`. */
  readonly student?: string;
  readonly train: ImageDataset;
  readonly test: ImageDataset;
  /** Teacher epochs. Default 4 (the anchor). */
  readonly teacherEpochs?: number;
  /** Epochs of both students. Default 12 (the anchor). */
  readonly studentEpochs?: number;
  /** Default 128. */
  readonly batchSize?: number;
  /** Default `'adam'`. */
  readonly optimizer?: OptimizerName;
  /** Default 1e-3. */
  readonly learningRate?: number;
  /** Default `'cosine'`. */
  readonly schedule?: ScheduleName;
  /** Registered distillation loss. Default `'hinton'`. */
  readonly loss?: string;
  /** Softmax temperature of the soft targets. Default 4. */
  readonly temperature?: number;
  /** Weight of the soft term: `total = α·T²·soft + (1 − α)·hard`. Default 0.9. */
  readonly alpha?: number;
  /** Seed of the students' init and batch order (both students share it). Default 0. */
  readonly seed?: number;
  /** Seed of the teacher's init and order, so several student seeds share one teacher. Default 0. */
  readonly teacherSeed?: number;
  /**
   * Fraction of training labels the students see (few-label regime). Default 1.
   * Below 1: the KD student gets hard labels on that fraction (the rest −1) and soft targets on
   * all images; the scratch student trains on the labelled images only. The teacher always sees
   * all labels.
   */
  readonly labelFraction?: number;
  /**
   * Epochs of the scratch student when `labelFraction` < 1. It trains on the labelled images
   * only, so by default it gets as many optimizer steps as the KD student:
   * `round(studentEpochs / labelFraction)`. Pass `studentEpochs` for equal epochs instead.
   * Ignored with every label.
   */
  readonly fewLabelScratchEpochs?: number;
  /** An already-trained teacher to reuse; then no teacher is trained or loaded. */
  readonly teacherModel?: tfl.LayersModel;
  /**
   * The teacher's logits on `train`, shared by triplets with the same teacher and training set
   * (a sweep over T, α, seeds or label fractions): filled by the first KD run, read by the rest.
   */
  readonly teacherLogits?: TeacherCache;
  /** Cache trained teachers here (see {@link loadOrTrainTeacher}). Ignored with `teacherModel`. */
  readonly teacherCacheDir?: string;
  /**
   * Rows of an earlier triplet to reuse instead of recomputing, for sweeps over T and α: the
   * teacher row (skips the teacher's evaluation; pass `teacherModel` too) and the scratch row
   * (skips training the scratch student). The caller guarantees they come from the same teacher,
   * student, data, label fraction, recipe and seed.
   */
  readonly reuse?: { readonly teacher?: TripletRow; readonly scratch?: TripletRow };
  /**
   * Evaluate on `test` after every epoch, for the train curves in `history`. Default true.
   * Monitoring only: nothing is selected or stopped on it.
   */
  readonly evaluateEachEpoch?: boolean;
}

export interface TripletHooks {
  /** Trainer callbacks (progress bars) for a role's training run. */
  readonly callbacks?: (role: TripletRole) => TrainerCallbacks;
  /** Called when a phase starts. */
  readonly onPhase?: (phase: TripletPhase) => void | Promise<void>;
  /** Called after each epoch of each role, with its record (test accuracy included when evaluated). */
  readonly onEpochEnd?: (role: TripletRole, record: EpochRecord) => void | Promise<void>;
}

/** Metrics of one finished epoch. */
export interface EpochRecord {
  /** 0-based. */
  readonly epoch: number;
  /** Mean training loss (`total`) over the epoch. */
  readonly loss: number;
  /** Mean of every other logged loss term (e.g. `soft`, `hard`). */
  readonly terms: Readonly<Record<string, number>>;
  /** Test accuracy after this epoch, when `evaluateEachEpoch`. */
  readonly testAccuracy?: number;
  readonly seconds: number;
  readonly imagesPerSecond: number;
}

export interface TripletRow {
  readonly role: TripletRole;
  /** Zoo name. */
  readonly model: string;
  /** Test accuracy in [0, 1]. */
  readonly accuracy: number;
  readonly params: number;
  /** Fraction of test images where this model and the teacher predict the same class (1 for the teacher). */
  readonly agreement: number;
  /** Wall time of training (0 when the teacher came from a cache or `teacherModel`). */
  readonly seconds: number;
  readonly history: readonly EpochRecord[];
}

/** The config of a run with defaults filled in and datasets replaced by their descriptions. */
export interface ResolvedTripletConfig {
  readonly teacher: string;
  readonly student: string;
  readonly train: DatasetDescription;
  readonly test: DatasetDescription;
  readonly teacherEpochs: number;
  readonly studentEpochs: number;
  readonly batchSize: number;
  readonly optimizer: OptimizerName;
  readonly learningRate: number;
  readonly schedule: ScheduleName;
  readonly loss: string;
  readonly temperature: number;
  readonly alpha: number;
  readonly seed: number;
  readonly teacherSeed: number;
  readonly labelFraction: number;
  /**
   * Only with `labelFraction` < 1 and when it differs from `studentEpochs`, so the hashes of runs
   * made before this field existed still match.
   */
  readonly fewLabelScratchEpochs?: number;
}

export interface DatasetDescription {
  readonly name: string;
  readonly size: number;
  readonly shape: readonly [number, number, number];
  readonly numClasses: number;
  /** Short hash of the images and labels: same data, same fingerprint. */
  readonly fingerprint: string;
}

export interface TripletResult {
  /** Teacher, student from scratch, distilled student, in that order. */
  readonly rows: readonly [TripletRow, TripletRow, TripletRow];
  /** The tfjs backend that ran it. */
  readonly backend: string;
  readonly config: ResolvedTripletConfig;
  /** {@link configHash} of `config`: rerun a row with the same hash to reproduce it. */
  readonly configHash: string;
  /** Where the teacher came from. */
  readonly teacherSource: 'trained' | 'cache' | 'provided';
}

export interface LoadOrTrainTeacherOptions extends TrainingRecipe {
  /** Cache directory; each teacher is a subdirectory named after its config hash. */
  readonly dir: string;
  /** Teacher zoo name. */
  readonly model: string;
  readonly train: ImageDataset;
  /** When given, the teacher's test accuracy is stored in its metadata. */
  readonly test?: ImageDataset;
  /** Default 0. */
  readonly seed?: number;
  readonly callbacks?: TrainerCallbacks;
  /** Test accuracy after every epoch into `history` (needs `test`). Default false. */
  readonly evaluateEachEpoch?: boolean;
  /** Called on a cache miss, just before training starts. */
  readonly onTrainingStart?: () => void | Promise<void>;
}

export interface LoadedTeacher {
  readonly model: tfl.LayersModel;
  readonly fromCache: boolean;
  /** Directory the teacher is saved in. */
  readonly path: string;
  readonly configHash: string;
  /** Training wall time; on a cache hit, the time it took when it was trained (0 if unknown). */
  readonly seconds: number;
  /** Per-epoch history (empty on a cache hit). */
  readonly history: readonly EpochRecord[];
  /** Test accuracy stored with the teacher, when known. */
  readonly accuracy?: number;
}

/** Mean and sample standard deviation (n − 1; 0 for a single value). */
export interface MeanStd {
  readonly mean: number;
  readonly std: number;
  readonly n: number;
}

/** Mean ± std over seeds for every role, and the gap recovered, of a group of triplets. */
export interface TripletSummary {
  readonly teacher: MeanStd;
  readonly scratch: MeanStd;
  readonly kd: MeanStd;
  /** Agreement with the teacher. */
  readonly scratchAgreement: MeanStd;
  readonly kdAgreement: MeanStd;
  /** {@link gapRecovered} of the means. */
  readonly gapRecovered: number;
  /** (kd − scratch) mean difference over seeds in units of the pooled std; NaN with one seed. */
  readonly kdMinusScratchInStd: number;
}
