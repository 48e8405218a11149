import type { AugmentOptions, ImageDataset, ResolvedAugment } from '@kdkit/datasets';
import type {
  Callback,
  LrScheduleName,
  OptimizerName,
  Teacher,
  TeacherCache,
} from '@kdkit/trainers';
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

/** How one model is trained. Defaults are the PyTorch anchor's: Adam, 1e-3, cosine, batch 128. */
export interface TrainingRecipe {
  readonly epochs: number;
  /** Default 128. */
  readonly batchSize?: number;
  /** Default `'adam'`. */
  readonly optimizer?: OptimizerName;
  /** Default 1e-3. */
  readonly learningRate?: number;
  /**
   * Default trainers' `DEFAULT_LR_SCHEDULE` (`'cosine'`: decays from `learningRate` to 0 over all
   * steps, as PyTorch's CosineAnnealingLR with T_max = total steps).
   */
  readonly lrSchedule?: LrScheduleName;
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
  /**
   * A validation split held out of the training set (see datasets' `trainValSplit`). When given,
   * every role is scored on it (`TripletRow.validationAccuracy`), per-epoch monitoring uses it
   * instead of `test`, and `test` is scored once, at the end: choices (T, α, loss settings) are
   * made on validation, never on test.
   */
  readonly validation?: ImageDataset;
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
  /**
   * Default trainers' `DEFAULT_LR_SCHEDULE` (`'cosine'`: decays from `learningRate` to 0 over all
   * steps, as PyTorch's CosineAnnealingLR with T_max = total steps).
   */
  readonly lrSchedule?: LrScheduleName;
  /** Registered distillation loss. Default `'hinton'`. */
  readonly loss?: string;
  /**
   * Options of `loss` other than `temperature` and `alpha` (e.g. `{ beta: 8 }` for DKD). With
   * `loss` other than `'hinton'`/`'kl'`, only these are passed (T and α are Hinton's).
   */
  readonly lossOptions?: Readonly<Record<string, number>>;
  /** Layers a feature loss taps (trainers' `distill` `taps`); default: each zoo net's `defaultTaps`. */
  readonly taps?: FeatureTaps;
  /**
   * Train the treated student on the teacher's hard labels instead of its soft targets: a
   * baseline that isolates what soft targets add in the transfer-set setting. Labelled images
   * keep their true labels; the rest get the teacher's predicted class. `'label-smoothing'` also
   * smooths those targets with ε chosen so that their entropy equals the teacher's mean
   * soft-target entropy at `temperature` on the training images (see {@link matchedLabelSmoothing}).
   * Default: none (the student is distilled with `loss`).
   */
  readonly baseline?: TripletBaseline;
  /** Softmax temperature of the soft targets. Default `KD_DEFAULTS.temperature` (4). */
  readonly temperature?: number;
  /** Weight of the soft term: `total = α·T²·soft + (1 − α)·hard`. Default `KD_DEFAULTS.alpha` (0.9). */
  readonly alpha?: number;
  /**
   * Augmentation of both students' training batches (and a baseline's), e.g.
   * `{ cropPadding: 2, horizontalFlip: true }` (Hinton's jitter; `parseAugmentSpec('crop2,flip')`).
   * Each image's crop and flip depend only on (`seed`, epoch, dataset index), so with every label
   * the scratch and KD students see the very same augmented images (with few labels the scratch
   * student trains on the labelled subset, re-indexed, so its draws differ). The KD student's
   * teacher runs on each augmented batch: `teacherLogits` (un-augmented) is not used then; with
   * `views: V` (`parseAugmentSpec('crop2,flip,views4')`) it runs once per image and view, its
   * logits cached in `teacherLogits` (built with `{ views: V }`) or by the KD run.
   * Hard labels a baseline takes from the teacher and label smoothing's matched ε come from the
   * un-augmented images. A teacher trained here (or by `teacherStore`) keeps the training set's
   * default (none for Fashion-MNIST): it is shared by runs with and without augmentation, and
   * stored teachers are keyed without it. `{}` turns off a dataset's `defaultAugment` (CIFAR-10's).
   * Default: the training set's `defaultAugment`, as datasets' `batches` does.
   */
  readonly augment?: AugmentOptions;
  /** Seed of the students' init, batch order and augmentation (both students share it). Default 0. */
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
  /**
   * An already-trained teacher to reuse; then no teacher is trained or loaded. A tfjs
   * LayersModel, or any trainers `Teacher` (an ONNX model from `@kdkit/onnx`, `pretrained()`,
   * a soft-target store's `storeTeacher`); feature losses (`taps`) need a LayersModel.
   * It stays the caller's. The teacher row names it by `teacher` (default: the Teacher's name).
   */
  readonly teacherModel?: tfl.LayersModel | Teacher;
  /**
   * Parameter count of a `teacherModel` that is a `Teacher`, for the teacher row, when known (a
   * Teacher need not know it; a LayersModel's is counted).
   */
  readonly teacherParams?: number;
  /**
   * The teacher's logits on `train`, shared by triplets with the same teacher and training set
   * (a sweep over T, α, seeds or label fractions): filled by the first KD run, read by the rest.
   * Not used when the students' batches are augmented without `views` (the teacher then runs on
   * each augmented batch). With `augment.views: V` it is keyed by augmentation (seed and view), so
   * share one built with `{ views: V }` among the triplets of one seed.
   */
  readonly teacherLogits?: TeacherCache;
  /**
   * Where trained teachers are kept: loads the teacher, or trains and keeps it. In Node,
   * `teacherStore(dir)` from `@kdkit/experiments/node` keeps them on disk. Ignored with `teacherModel`.
   */
  readonly teacherStore?: TeacherStore;
  /**
   * Rows of an earlier triplet to reuse instead of recomputing, for sweeps over T and α: the
   * teacher row (skips the teacher's evaluation; pass `teacherModel` too) and the scratch row
   * (skips training the scratch student). The caller guarantees they come from the same teacher,
   * student, data, label fraction, recipe and seed.
   */
  readonly reuse?: Partial<Pick<TripletRows, 'teacher' | 'scratch'>>;
  /**
   * Evaluate on `test` after every epoch, for the train curves in `history`. Default true.
   * Monitoring only: nothing is selected or stopped on it.
   */
  readonly evaluateEachEpoch?: boolean;
}

export interface TripletHooks {
  /** Trainer callbacks (progress bars) for a role's training run. */
  readonly callbacks?: (role: TripletRole) => TrainerCallbacks;
  /**
   * Stops every training run between two steps once aborted (Ctrl-C); the triplet then throws
   * INTERRUPTED instead of starting anything else, and a teacher store saves nothing.
   */
  readonly signal?: AbortSignal;
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
  /** Test accuracy after this epoch, when `evaluateEachEpoch` and there is no validation split. */
  readonly testAccuracy?: number;
  /** Validation accuracy after this epoch, when `evaluateEachEpoch` with a validation split. */
  readonly validationAccuracy?: number;
  readonly seconds: number;
  readonly imagesPerSecond: number;
}

export interface TripletRow {
  readonly role: TripletRole;
  /** Zoo name. */
  readonly model: string;
  /** Test accuracy in [0, 1]. */
  readonly accuracy: number;
  /** Absent when unknown: a given `Teacher` that is not a tfjs model, without `teacherParams`. */
  readonly params?: number;
  /** Fraction of test images where this model and the teacher predict the same class (1 for the teacher). */
  readonly agreement: number;
  /** Wall time of training (0 when the teacher came from `teacherModel`). */
  readonly seconds: number;
  readonly history: readonly EpochRecord[];
  /** Accuracy on the validation split, when the triplet had one. */
  readonly validationAccuracy?: number;
}

/** Layer names to tap for a feature loss, per model. */
export interface FeatureTaps {
  readonly teacher?: readonly string[];
  readonly student?: readonly string[];
}

/** A non-distillation treatment of the transfer set (see `TripletConfig.baseline`). */
export type TripletBaseline = 'pseudo-labels' | 'label-smoothing';

/** The config of a run with defaults filled in and datasets replaced by their descriptions. */
export interface ResolvedTripletConfig {
  readonly teacher: string;
  readonly student: string;
  readonly train: DatasetDescription;
  readonly test: DatasetDescription;
  /** Present only with a validation split. */
  readonly validation?: DatasetDescription;
  readonly teacherEpochs: number;
  readonly studentEpochs: number;
  readonly batchSize: number;
  readonly optimizer: OptimizerName;
  readonly learningRate: number;
  readonly lrSchedule: LrScheduleName;
  readonly loss: string;
  /** Present only when given and non-empty. */
  readonly lossOptions?: Readonly<Record<string, number>>;
  /** Present only when given. */
  readonly taps?: FeatureTaps;
  readonly temperature: number;
  readonly alpha: number;
  /** Present only for a baseline run. */
  readonly baseline?: TripletBaseline;
  /**
   * The students' augmentation, crop and flip set (`views` only when given); present only when it
   * differs from the training set's `defaultAugment`, so configs without it keep their hashes.
   */
  readonly augment?: ResolvedAugment;
  readonly seed: number;
  readonly teacherSeed: number;
  readonly labelFraction: number;
  /**
   * Present only with `labelFraction` < 1 and when it differs from `studentEpochs`, so an
   * equal-epochs config hashes as one without the field.
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

/** The three rows of a triplet, by role. */
export interface TripletRows {
  readonly teacher: TripletRow;
  /** The student trained from scratch. */
  readonly scratch: TripletRow;
  /** The distilled student. */
  readonly kd: TripletRow;
}

export interface TripletResult {
  readonly rows: TripletRows;
  /** The tfjs backend that ran it. */
  readonly backend: string;
  readonly config: ResolvedTripletConfig;
  /** {@link tripletConfigHash} of `config`: rerun a row with the same hash to reproduce it. */
  readonly configHash: string;
  /** Where the teacher came from: trained here, loaded from the teacher store, or passed in. */
  readonly teacherSource: 'trained' | 'store' | 'provided';
  /** The ε a `'label-smoothing'` baseline used, matched to the teacher's soft-target entropy. */
  readonly labelSmoothing?: number;
}

/** Loads a trained teacher, or trains one and keeps it (see `TripletConfig.teacherStore`). */
export type TeacherStore = (request: TeacherRequest) => Promise<LoadedTeacher>;

/** The teacher a {@link TeacherStore} is asked for. */
export interface TeacherRequest extends TrainingRecipe {
  /** Teacher zoo name. */
  readonly model: string;
  readonly train: ImageDataset;
  /** When given, the teacher's test accuracy is stored in its metadata. */
  readonly test?: ImageDataset;
  /** Default 0. */
  readonly seed?: number;
  readonly callbacks?: TrainerCallbacks;
  /** Stops the teacher's training between steps (Ctrl-C); nothing is stored then. */
  readonly signal?: AbortSignal;
  /** Test accuracy after every epoch into `history` (needs `test`). Default false. */
  readonly evaluateEachEpoch?: boolean;
  /** Called when the store has no such teacher, just before training starts. */
  readonly onTrainingStart?: () => void | Promise<void>;
}

export interface LoadOrTrainTeacherOptions extends TeacherRequest {
  /** Store directory; each teacher is a subdirectory named after its store key. */
  readonly dir: string;
}

export interface LoadedTeacher {
  readonly model: tfl.LayersModel;
  /** True when the teacher was loaded from the store, false when it was trained now. */
  readonly fromStore: boolean;
  /** Directory the teacher is saved in. */
  readonly path: string;
  /** {@link teacherStoreKey} of the options. */
  readonly storeKey: string;
  /** Training wall time; when loaded from the store, the time it took when it was trained (0 if unknown). */
  readonly seconds: number;
  /** Per-epoch history (empty when loaded from the store). */
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

/** Mean ± std over seeds for every role, the gap recovered and the paired KD − scratch test. */
export interface TripletSummary {
  readonly teacher: MeanStd;
  readonly scratch: MeanStd;
  readonly kd: MeanStd;
  /** Agreement with the teacher. */
  readonly scratchAgreement: MeanStd;
  readonly kdAgreement: MeanStd;
  /** {@link gapRecovered} of the means. */
  readonly gapRecovered: number;
  /** 95% t interval of the per-seed gaps recovered (NaN with one seed). */
  readonly gapRecoveredCi95: readonly [number, number];
  /** KD − scratch, paired by seed (same init and batch order). */
  readonly paired: PairedComparison;
  /** Cohen's d: (mean_kd − mean_scratch) / pooled std; an effect size, not a significance. NaN with one seed. */
  readonly effectSizeD: number;
  /** Distinct teacher seeds among the runs (teacher variance needs ≥ 2). */
  readonly teachers: number;
  /** Validation accuracies, when every run was scored on a validation split. */
  readonly validation?: {
    readonly teacher: MeanStd;
    readonly scratch: MeanStd;
    readonly kd: MeanStd;
  };
}

/** A paired comparison a − b over matched samples (see `pairedComparison`). */
export interface PairedComparison {
  readonly n: number;
  /** a_i − b_i per pair. */
  readonly differences: readonly number[];
  readonly meanDiff: number;
  /** Sample std of the differences. */
  readonly sdDiff: number;
  /** 95% t interval of the mean difference (NaN with n < 2 or sd 0). */
  readonly ci95: readonly [number, number];
  readonly t: number;
  /** n − 1. */
  readonly df: number;
  /** Two-sided paired t-test p-value. */
  readonly p: number;
  /** Effect size d_z = meanDiff / sdDiff. */
  readonly effectSizeDz: number;
  /** Pairs where a > b. */
  readonly positive: number;
}

/** Welch's t-test of two independent means (see `welchComparison`). */
export interface WelchComparison {
  /** a − b. */
  readonly diff: number;
  /** Standard error of the difference. */
  readonly se: number;
  /** Welch–Satterthwaite degrees of freedom. */
  readonly df: number;
  readonly t: number;
  readonly p: number;
  readonly ci95: readonly [number, number];
}
