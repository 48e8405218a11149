import { type Command, InvalidArgumentError, Option } from '@commander-js/extra-typings';
import { AUTO_ORDER } from '@kdkit/backend';
import {
  augmentsImages,
  formatAugmentSpec,
  parseAugmentSpec,
  type ResolvedAugment,
} from '@kdkit/datasets';
import { isKdkitError } from '@kdkit/engine';
import { z } from 'zod';

/** The backends a Node process can use, fastest first ('auto' tries them in this order). */
export const CLI_BACKENDS = ['auto', ...AUTO_ORDER.node] as const;

export const OPTIMIZERS = ['adam', 'sgd', 'momentum'] as const;
export const SCHEDULES = ['cosine', 'constant'] as const;

/** Parses a flag value as an integer ≥ `min`. */
export const integerArg =
  (min: number) =>
  (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min) {
      throw new InvalidArgumentError(`expected an integer ≥ ${min}, got '${value}'.`);
    }
    return n;
  };

/** Parses a flag value as a finite number. */
export const numberArg = (value: string): number => {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) {
    throw new InvalidArgumentError(`expected a number, got '${value}'.`);
  }
  return n;
};

const collect = (value: string, previous: string[] | undefined): string[] => [
  ...(previous ?? []),
  value,
];

/** Options every command takes: config file, output mode, diagnostics. */
export function addOutputOptions(command: Command): void {
  command
    .option('--config <file>', 'read options from a JSON or YAML file; flags override it')
    .option('--json', 'print the result as JSON on stdout (progress stays on stderr)')
    .option('-q, --quiet', 'print only the result: no progress, no backend line')
    .option('--verbose', 'print more detail, and the stack trace of an error');
}

/** Options of every command that runs TensorFlow.js. */
export function addBackendOption(command: Command): void {
  command.addOption(
    new Option('--backend <name>', 'TensorFlow.js backend (KDKIT_BACKEND overrides it)')
      .choices(CLI_BACKENDS)
      .default('auto' as const),
  );
}

/** `--augment`'s help line. */
export const AUGMENT_HELP =
  "augment training batches: cropN (pad N pixels, crop back at random), flip (left-right), eraseP (random erasing with probability P), viewsN (N fixed views per image, so a teacher's logits can be cached), comma-separated (e.g. crop2,flip,views4 or crop2,erase0.5), or none";

/** Options of every command that trains. */
export function addTrainingOptions(command: Command, defaultEpochs: number): void {
  command
    .option('--seed <n>', 'seed of weight init, shuffling and sampling', integerArg(0), 0)
    .option('--epochs <n>', 'training epochs', integerArg(1), defaultEpochs)
    .option('--batch-size <n>', 'images per step', integerArg(1), 128)
    .option('--lr <rate>', 'learning rate', numberArg, 0.001)
    .addOption(
      new Option('--optimizer <name>', 'optimizer').choices(OPTIMIZERS).default('adam' as const),
    )
    .addOption(
      new Option(
        '--schedule <name>',
        'learning-rate schedule: cosine (the default) decays to 0 at the last step; constant keeps it',
      ).choices(SCHEDULES),
    )
    .option('--limit <n>', 'use only the first n training images (quick runs)', integerArg(1))
    .option(
      '--data-dir <dir>',
      'directory holding the dataset files (else KDKIT_DATA_DIR, then the system path)',
    )
    .option('--resume', 'continue from the checkpoint of an interrupted run')
    .option('--augment <spec>', AUGMENT_HELP);
}

/** Reads an `--augment` spec (a flag or a config file's `augment`) with datasets' parseAugmentSpec. */
function augmentSpec(spec: string, ctx: z.RefinementCtx<string>): ResolvedAugment {
  try {
    return parseAugmentSpec(spec, '--augment');
  } catch (error) {
    if (!isKdkitError(error)) throw error;
    // resolveOptions names the flag (or the file's key) itself.
    const message = error.message.replace(/^--augment: /, '').replace(/\.$/, '');
    ctx.addIssue({ code: 'custom', message });
    return z.NEVER;
  }
}

/** The `augment` entry of a run's recipe and JSON result: the spec, normalized; none when not given. */
export const augmentEntry = (augment: ResolvedAugment | undefined): { augment?: string } =>
  augment === undefined ? {} : { augment: formatAugmentSpec(augment) };

/** The training settings of a run's recipe (shared by `train` and `distill`), as resolved. */
export function trainingRecipe(
  options: {
    readonly epochs: number;
    readonly batchSize: number;
    readonly optimizer: (typeof OPTIMIZERS)[number];
    readonly lr: number;
    readonly seed: number;
    readonly limit?: number | undefined;
    readonly augment?: ResolvedAugment | undefined;
  },
  lrSchedule: string,
) {
  return {
    epochs: options.epochs,
    batchSize: options.batchSize,
    optimizer: options.optimizer,
    lr: options.lr,
    schedule: lrSchedule,
    seed: options.seed,
    limit: options.limit,
    ...augmentEntry(options.augment),
  };
}

/**
 * How a distillation pays for the teacher under `augment`: undefined when no image changes, else
 * whether its logits are cached per image and view or it runs on every augmented batch.
 */
export function augmentedTeacherNote(
  augment: ResolvedAugment | undefined,
  cached: boolean,
): string | undefined {
  if (augment === undefined || !augmentsImages(augment)) return undefined;
  return augment.views !== undefined && cached
    ? `teacher logits cached per image and view: ${augment.views} teacher pass${augment.views === 1 ? '' : 'es'} per image`
    : 'the teacher runs on every augmented batch';
}

/** `--loss-module`: user modules that register losses. */
export function addLossModuleOption(command: Command): void {
  command.option(
    '--loss-module <path>',
    'a module that default-exports a loss (see README), loaded from this file path before anything runs (repeatable)',
    collect,
  );
}

/** zod shapes of the option groups above, for each command's config schema. */
export const outputShape = {
  config: z.string().optional(),
  json: z.boolean().optional(),
  quiet: z.boolean().optional(),
  verbose: z.boolean().optional(),
};

export const backendShape = {
  backend: z.enum(CLI_BACKENDS).default('auto'),
};

/** `--augment`: parsed into datasets' AugmentOptions (a bad spec names the flag or the file's key). */
export const augmentShape = {
  augment: z.string().transform(augmentSpec).optional(),
};

/** Also needs `epochs` (each command has its own default). */
export const trainingShape = {
  seed: z.int().min(0).default(0),
  batchSize: z.int().min(1).default(128),
  optimizer: z.enum(OPTIMIZERS).default('adam'),
  schedule: z.enum(SCHEDULES).optional(),
  lr: z.number().positive().default(0.001),
  limit: z.int().min(1).optional(),
  dataDir: z.string().optional(),
  resume: z.boolean().optional(),
  ...augmentShape,
};

export const lossModuleShape = {
  lossModule: z.union([z.string(), z.array(z.string())]).optional(),
};
