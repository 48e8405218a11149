import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, InvalidArgumentError, Option } from '@commander-js/extra-typings';
import { AUGMENT_SPEC_FORMS, augmentsImages, parseAugmentSpec } from '@kdkit/datasets';
import { isKdkitError } from '@kdkit/engine';
import {
  ANCHOR_PAIR,
  type BenchSettings,
  DEFAULT_LOSSES,
  fullQuality,
  fullSpeed,
  type KdSetting,
  LOSS_GRIDS,
  LOSS_TAPS,
  type LossSpec,
  type PairSpec,
  quickQuality,
  quickSpeed,
  regime,
} from './options.js';
import {
  isPretrainedTeacher,
  PRETRAINED_PREFIX,
  parsePretrainedTeacher,
  TEACHER_KEY_PATTERN,
} from './pretrained-teacher.js';

const numbers = (value: string): number[] => {
  const list = value.split(',').map((v) => Number(v.trim()));
  if (list.length === 0 || list.some((v) => !Number.isFinite(v))) {
    throw new InvalidArgumentError(`expected comma-separated numbers, got '${value}'`);
  }
  return list;
};
const integer = (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new InvalidArgumentError(`expected an integer ≥ 1, got '${value}'`);
  return n;
};
const pairs = (value: string): PairSpec[] =>
  value.split(',').map((item) => {
    const parts = item.split(':').map((s) => s.trim());
    // `pretrained:NAME[@KEY]:student` distils a shipped teacher.
    const [teacher, student] =
      parts.length === 3 && `${parts[0]}:` === PRETRAINED_PREFIX
        ? [`${PRETRAINED_PREFIX}${parts[1]}`, parts[2]]
        : parts.length === 2
          ? parts
          : [];
    if (!teacher || !student || teacher === PRETRAINED_PREFIX) {
      throw new InvalidArgumentError(
        `expected teacher:student[,teacher:student…] (a shipped teacher as pretrained:NAME:student or pretrained:NAME@KEY:student), got '${item}'`,
      );
    }
    const { name, pinnedKey } = parsePretrainedTeacher(teacher);
    if (
      isPretrainedTeacher(teacher) &&
      (name === '' || (pinnedKey !== undefined && !TEACHER_KEY_PATTERN.test(pinnedKey)))
    ) {
      throw new InvalidArgumentError(
        `'${item}': a shipped teacher's pin is @ and the 16 hex digits of its weights key (from a run's config, e.g. pretrained:cnn-teacher@25d9698f2856adc6), got '${teacher}'`,
      );
    }
    return { teacher, student };
  });

const kdSettings = (value: string): KdSetting[] =>
  value.split(',').map((item) => {
    const parts = item.split(':').map((s) => Number(s.trim()));
    const [temperature, alpha] = parts;
    if (
      parts.length !== 2 ||
      temperature === undefined ||
      alpha === undefined ||
      !(temperature > 0) ||
      !(alpha >= 0 && alpha <= 1)
    ) {
      throw new InvalidArgumentError(
        `expected T:α[,T:α…] with T > 0 and α in [0, 1], e.g. 4:0.9,1:0.5; got '${item}'`,
      );
    }
    return { temperature, alpha };
  });

const fraction = (value: string): number => {
  const n = Number(value);
  if (!(n >= 0 && n < 1))
    throw new InvalidArgumentError(`expected a number in [0, 1), got '${value}'`);
  return n;
};

const BASELINES = ['pseudo-labels', 'label-smoothing'] as const;
const baselines = (value: string) =>
  value.split(',').map((item) => {
    const name = item.trim();
    const known = BASELINES.find((b) => b === name);
    if (!known) {
      throw new InvalidArgumentError(
        `unknown baseline '${name}'; expected ${BASELINES.join(', ')}`,
      );
    }
    return known;
  });

/** One `--losses` item's setting, `loss:key=value:key=value`, as numbers by option name. */
function lossSetting(item: string, loss: string, parts: readonly string[]): Record<string, number> {
  const setting: Record<string, number> = {};
  for (const part of parts) {
    const [key, raw, ...extra] = part.split('=');
    const value = Number(raw);
    if (
      !key ||
      raw === undefined ||
      raw.trim() === '' ||
      extra.length > 0 ||
      !Number.isFinite(value)
    ) {
      throw new InvalidArgumentError(
        `'${item}': expected ${loss}:name=number[:name=number...], e.g. fitnets:beta=10`,
      );
    }
    setting[key.trim()] = value;
  }
  return setting;
}

/**
 * `--losses hinton,fitnets:beta=1,fitnets:beta=10`: a bare name runs its default grid
 * (LOSS_GRIDS); `name:key=value...` items replace it with exactly those settings.
 */
const losses = (value: string): LossSpec[] => {
  const grids = new Map<string, LossSpec['grid'][number][] | undefined>();
  for (const item of value.split(',')) {
    const [name = '', ...parts] = item.trim().split(':');
    const loss = name.trim();
    const defaults = LOSS_GRIDS[loss];
    if (!defaults) {
      throw new InvalidArgumentError(
        `no grid for loss '${loss}'; the loss suite knows ${Object.keys(LOSS_GRIDS).join(', ')}`,
      );
    }
    if (parts.length === 0) {
      if (!grids.has(loss)) grids.set(loss, undefined);
      continue;
    }
    grids.set(loss, [...(grids.get(loss) ?? []), lossSetting(item.trim(), loss, parts)]);
  }
  return [...grids].map(([loss, custom]) => {
    const taps = LOSS_TAPS[loss];
    return { loss, grid: custom ?? LOSS_GRIDS[loss] ?? [], ...(taps ? { taps } : {}) };
  });
};

const augment = (value: string) => {
  try {
    return parseAugmentSpec(value, '--augment');
  } catch (error) {
    if (isKdkitError(error)) throw new InvalidArgumentError(error.message);
    throw error;
  }
};

/** apps/bench/results/<UTC date-time>: the default output directory. */
function defaultOut(): string {
  const stamp = new Date().toISOString().replace(/:/g, '-').replace(/\..*$/, '');
  return join(fileURLToPath(new URL('../results/', import.meta.url)), stamp);
}

/**
 * Parses `kdkit-bench` arguments into settings (commander 14). `--quick` selects the CI preset;
 * any other flag overrides the preset and marks the run `custom`.
 */
export function settingsFromArgs(
  argv: readonly string[],
  defaults: { out?: string } = {},
): BenchSettings {
  let settings: BenchSettings | undefined;
  const program = new Command()
    .name('kdkit-bench')
    .description(
      "kdkit's benchmark: the Hinton triplet (teacher / student from scratch / distilled student) on Fashion-MNIST over seeds, temperatures and α, full data and few labels; training and inference speed against PyTorch; a report with tables and plots.",
    )
    .option(
      '--out <dir>',
      'results directory (default: apps/bench/results/<date>); rerunning into it reuses teachers and finished runs',
    )
    .option(
      '--quick',
      'CI smoke run: embedded mini set, 1 seed, T ∈ {1, 4}, 2 teacher + 3 student epochs, the anchor pair; a few minutes on 2 cores',
    )
    .addOption(
      new Option('--suite <suite>', 'which suites to run')
        .choices(['all', 'quality', 'speed', 'losses'] as const)
        .default('all' as const),
    )
    .addOption(
      new Option(
        '--dataset <name>',
        'dataset (default: fashion-mnist, or fashion-mnist-mini with --quick)',
      ).choices(['fashion-mnist', 'fashion-mnist-mini'] as const),
    )
    .addOption(
      new Option('--backend <name>', 'tfjs backend')
        .choices(['auto', 'tensorflow', 'wasm', 'cpu'] as const)
        .default('auto' as const),
    )
    .option(
      '--pairs <list>',
      'teacher:student pairs, comma-separated; a shipped teacher is pretrained:NAME:student, and pretrained:NAME@KEY:student pins its weights (to rebuild older runs with --stored-only)',
      pairs,
    )
    .option('--seeds <list>', 'student seeds, comma-separated', numbers)
    .option('--temperatures <list>', 'KD temperatures, comma-separated', numbers)
    .option('--alphas <list>', 'KD α values, comma-separated', numbers)
    .addOption(
      new Option(
        '--kd-settings <list>',
        'explicit T:α settings, e.g. 4:0.9,1:0.5 (instead of every T with every α)',
      )
        .argParser(kdSettings)
        .conflicts(['temperatures', 'alphas']),
    )
    .option(
      '--label-fractions <list>',
      'label regimes, e.g. 1,0.1 (below 1: a transfer set with that fraction labelled)',
      numbers,
    )
    .option(
      '--val-fraction <f>',
      'fraction of the training images held out as the validation split every choice is made on (default 1/12: 5,000 of 60,000; 0 = none, for runs stored before the split)',
      fraction,
    )
    .option(
      '--teacher-seeds <list>',
      'teacher seeds, one teacher each (≥ 2 measure teacher variance)',
      numbers,
    )
    .option(
      '--baselines <list>',
      `hard-label baselines in transfer-set regimes, at the KD setting chosen on validation (${BASELINES.join(', ')}; 'none' for none)`,
      (v: string) => (v === 'none' ? [] : baselines(v)),
    )
    .option(
      '--losses <list>',
      `the loss suite: these losses side by side, each with its small grid (default with --suite losses: ${DEFAULT_LOSSES.join(',')}); name:key=value[:key=value] items give a loss your own settings instead, e.g. fitnets:beta=1,fitnets:beta=10`,
      losses,
    )
    .option(
      '--allow-dirty',
      'write a report from a git tree with uncommitted changes outside --out (the report says so)',
    )
    .option(
      '--augment <spec>',
      `augment every student's training batches (scratch, KD, baselines; the KD teacher then runs on each augmented batch, or with viewsN once per image and view, its logits cached): ${AUGMENT_SPEC_FORMS}`,
      augment,
    )
    .option('--teacher-epochs <n>', 'teacher epochs', integer)
    .option('--student-epochs <n>', 'student epochs', integer)
    .option(
      '--few-label-scratch-epochs <n>',
      "scratch student's epochs with few labels (default: as many steps as the KD student)",
      integer,
    )
    .option('--train-limit <n>', 'use only the first n training images', integer)
    .option('--test-limit <n>', 'use only the first n test images', integer)
    .option('--speed-images <n>', 'images per speed measurement', integer)
    .option('--stored-only', 'report the runs already stored in --out; train nothing')
    .option('--no-torch', 'skip the PyTorch anchor in the speed suite')
    .option('--no-progress', 'no live progress on stderr')
    .exitOverride()
    .action((opts) => {
      const quick = opts.quick === true;
      const base = quick ? quickQuality() : fullQuality();
      const quality = {
        ...base,
        ...(opts.pairs ? { pairs: opts.pairs } : {}),
        ...(opts.seeds ? { seeds: opts.seeds } : {}),
        ...(opts.temperatures ? { temperatures: opts.temperatures } : {}),
        ...(opts.alphas ? { alphas: opts.alphas } : {}),
        ...(opts.kdSettings
          ? {
              kdSettings: opts.kdSettings,
              temperatures: [...new Set(opts.kdSettings.map((s) => s.temperature))],
              alphas: [...new Set(opts.kdSettings.map((s) => s.alpha))],
            }
          : {}),
        ...(opts.labelFractions ? { regimes: opts.labelFractions.map(regime) } : {}),
        ...(opts.valFraction !== undefined ? { validationFraction: opts.valFraction } : {}),
        ...(opts.teacherSeeds ? { teacherSeeds: opts.teacherSeeds } : {}),
        ...(opts.baselines ? { baselines: opts.baselines } : {}),
        ...(opts.losses || opts.suite === 'losses'
          ? {
              losses: opts.losses ?? losses(DEFAULT_LOSSES.join(',')),
              // The loss family is compared on one pair: the anchor's, unless --pairs says.
              pairs: opts.pairs ?? [ANCHOR_PAIR],
            }
          : {}),
        ...(opts.teacherEpochs ? { teacherEpochs: opts.teacherEpochs } : {}),
        ...(opts.studentEpochs ? { studentEpochs: opts.studentEpochs } : {}),
        ...(opts.augment && augmentsImages(opts.augment) ? { augment: opts.augment } : {}),
        ...(opts.fewLabelScratchEpochs
          ? { fewLabelScratchEpochs: opts.fewLabelScratchEpochs }
          : {}),
        ...(opts.trainLimit ? { trainLimit: opts.trainLimit } : {}),
        ...(opts.testLimit ? { testLimit: opts.testLimit } : {}),
        ...(opts.storedOnly ? { storedOnly: true } : {}),
      };
      const speed = {
        ...(quick ? quickSpeed() : fullSpeed()),
        torch: opts.torch,
        ...(opts.speedImages ? { images: opts.speedImages } : {}),
      };
      const presetFlags = [
        '--quick',
        '--out',
        '--no-progress',
        '--no-torch',
        '--backend',
        '--allow-dirty',
      ];
      const custom = argv.some(
        (a) => a.startsWith('--') && !presetFlags.includes(a.split('=')[0] ?? a),
      );
      const next: BenchSettings = {
        out: opts.out ?? defaults.out ?? defaultOut(),
        mode: custom ? 'custom' : quick ? 'quick' : 'full',
        dataset: opts.dataset ?? (quick ? 'fashion-mnist-mini' : 'fashion-mnist'),
        backend: opts.backend,
        ...(opts.suite !== 'speed' ? { quality } : {}),
        ...(opts.suite === 'all' || opts.suite === 'speed' ? { speed } : {}),
        progress: opts.progress,
        command: `pnpm bench ${argv.join(' ')}`.trim(),
        ...(opts.allowDirty ? { allowDirty: true } : {}),
      };
      settings = next;
    });
  program.parse([...argv], { from: 'user' });
  if (!settings) throw new Error('settingsFromArgs: no settings parsed');
  return settings;
}
