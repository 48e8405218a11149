import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { formatAugmentSpec, type ImageDataset } from '@kdkit/datasets';
import { KdkitError } from '@kdkit/engine';
import {
  type FeatureTaps,
  resolveTripletConfig,
  runTriplet,
  scratchStudentEpochs,
  type TripletBaseline,
  type TripletConfig,
  type TripletResult,
  type TripletRow,
  tripletConfigHash,
  usesHintonOptions,
} from '@kdkit/experiments';
import { loadOrTrainTeacher } from '@kdkit/experiments/node';
import { KD_DEFAULTS } from '@kdkit/losses';
import { type Callback, DEFAULT_LR_SCHEDULE, TeacherCache } from '@kdkit/trainers';
import { kdGrid, type PairSpec, type QualitySettings, type RegimeSpec } from './options.js';
import {
  isPretrainedTeacher,
  loadPretrainedPairTeacher,
  pretrainedPairTeacherKey,
  unpinnedTeacher,
} from './pretrained-teacher.js';
import { epochBar, epochLine, type StepReporter } from './progress.js';

/**
 * What the treated student of a triplet gets: a KD setting (Hinton's (T, α) grid, or one setting
 * of the loss suite), or a hard-label baseline.
 */
export interface Method {
  readonly kind: 'kd' | 'baseline';
  readonly loss: string;
  readonly temperature: number;
  readonly alpha: number;
  readonly lossOptions?: Readonly<Record<string, number>>;
  readonly taps?: FeatureTaps;
  readonly baseline?: TripletBaseline;
  /** For tables, e.g. `T=4, α=0.9`, `dkd beta=8`, `label smoothing (matched at T=4)`. */
  readonly label: string;
  /** The run file's name without `.json`. */
  readonly stem: string;
}

/** One treated student of one (teacher seed, seed), as written to `runs/…json`. */
export interface QualityRun {
  readonly pair: PairSpec;
  readonly regime: RegimeSpec;
  readonly seed: number;
  readonly teacherSeed: number;
  readonly temperature: number;
  readonly alpha: number;
  readonly method: Method;
  /** Relative to the results directory. */
  readonly file: string;
  readonly result: TripletResult;
  /** True when the run was found on disk from an earlier invocation and not rerun. */
  readonly reused: boolean;
}

export interface TeacherRecord {
  readonly pair: PairSpec;
  readonly teacherSeed: number;
  readonly source: 'trained' | 'store' | 'stored run' | 'pretrained';
  /** Relative to the results directory. */
  readonly path: string;
  readonly storeKey: string;
  readonly accuracy: number;
  readonly seconds: number;
}

/** The setting chosen for one (pair, regime), and on which split. */
export interface Selection {
  readonly pair: PairSpec;
  readonly regime: RegimeSpec;
  readonly method: Method;
  /**
   * `validation`; `test` when the runs had no validation split (the report flags it); `fixed`
   * when only one setting was run, so nothing was chosen here.
   */
  readonly on: 'validation' | 'test' | 'fixed';
  /** Mean accuracy of the chosen setting on that split, over seeds and teachers. */
  readonly accuracy: number;
}

export interface QualityResults {
  readonly settings: QualitySettings;
  readonly runs: readonly QualityRun[];
  readonly teachers: readonly TeacherRecord[];
  /** Every choice made, in order: a (T, α) or loss setting per (pair, regime). */
  readonly selections: readonly Selection[];
}

export const slug = (text: string) =>
  text
    .toLowerCase()
    .replace(/%/g, 'pct')
    .replace(/[^a-z0-9.]+/g, '-')
    .replace(/^-|-$/g, '');

export const pairName = (pair: PairSpec) => `${pair.teacher} → ${pair.student}`;

const formatOptions = (options: Readonly<Record<string, number>>) =>
  Object.entries(options)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');

/** The KD settings a quality run trains before any choice: the (T, α) grid, or the loss suite's grids. */
export function kdMethods(settings: QualitySettings): Method[] {
  if (settings.losses) {
    return settings.losses.flatMap(({ loss, grid, taps }) =>
      grid.map((options) => {
        const { temperature, alpha, ...rest } = options;
        const hinton = usesHintonOptions(loss);
        const lossOptions = hinton ? rest : options;
        const t = hinton ? (temperature ?? KD_DEFAULTS.temperature) : KD_DEFAULTS.temperature;
        const a = hinton ? (alpha ?? KD_DEFAULTS.alpha) : KD_DEFAULTS.alpha;
        const shown = hinton ? `T=${t}, α=${a}` : formatOptions(options);
        return {
          kind: 'kd' as const,
          loss,
          temperature: t,
          alpha: a,
          ...(Object.keys(lossOptions).length > 0 ? { lossOptions } : {}),
          ...(taps ? { taps } : {}),
          label: `${loss} ${shown}`.trim(),
          stem:
            loss === 'hinton' && Object.keys(lossOptions).length === 0
              ? `T${t}-a${a}`
              : slug(
                  `${loss}-${Object.entries(options)
                    .map(([k, v]) => `${k}${v}`)
                    .join('-')}`,
                ),
        };
      }),
    );
  }
  return kdGrid(settings).map(({ temperature, alpha }) => ({
    kind: 'kd' as const,
    loss: 'hinton',
    temperature,
    alpha,
    label: `T=${temperature}, α=${alpha}`,
    stem: `T${temperature}-a${alpha}`,
  }));
}

/** A hard-label baseline at the (T, α) chosen for KD (T sets label smoothing's matched ε). */
export function baselineMethod(baseline: TripletBaseline, chosen: Method): Method {
  const t = chosen.temperature;
  return {
    kind: 'baseline',
    loss: 'hinton',
    temperature: t,
    alpha: chosen.alpha,
    baseline,
    label:
      baseline === 'pseudo-labels'
        ? "teacher's hard pseudo-labels"
        : `label smoothing, ε matched to the teacher's entropy at T=${t}`,
    stem:
      baseline === 'pseudo-labels' ? 'baseline-pseudo-labels' : `baseline-label-smoothing-T${t}`,
  };
}

/** The teacher seeds of a pair: a shipped (pretrained) teacher is one fixed teacher, seed 0. */
const teacherSeedsOf = (settings: QualitySettings, pair: PairSpec) =>
  isPretrainedTeacher(pair.teacher) ? [0] : (settings.teacherSeeds ?? [0]);

/** Number of triplets the settings describe (baselines included). */
export function countRuns(settings: QualitySettings): number {
  const fewLabelRegimes = settings.regimes.filter((r) => r.labelFraction < 1).length;
  const perSeed =
    settings.regimes.length * kdMethods(settings).length +
    fewLabelRegimes * (settings.baselines?.length ?? 0);
  const teachers = settings.pairs.reduce((n, pair) => n + teacherSeedsOf(settings, pair).length, 0);
  return teachers * settings.seeds.length * perSeed;
}

/** The runs directory of a label fraction: `full-data`, `10pct-of-labels` (stable across renames). */
export const labelsSlug = (labelFraction: number) =>
  labelFraction === 1 ? 'full-data' : `${Math.round(labelFraction * 1000) / 10}pct-of-labels`;

/** A run file's result as written by earlier kdkit versions: rows as a tuple, `schedule`. */
export type StoredResult = Omit<TripletResult, 'rows' | 'config'> & {
  readonly rows: TripletResult['rows'] | readonly [TripletRow, TripletRow, TripletRow];
  readonly config: TripletResult['config'] & {
    readonly schedule?: TripletResult['config']['lrSchedule'];
  };
};

/** Reads a run file in either layout as today's `TripletResult`. */
export function fromStored(stored: StoredResult): TripletResult {
  const rows = Array.isArray(stored.rows)
    ? { teacher: stored.rows[0], scratch: stored.rows[1], kd: stored.rows[2] }
    : (stored.rows as TripletResult['rows']);
  const { schedule, ...config } = stored.config;
  return {
    ...stored,
    rows,
    config: { ...config, lrSchedule: config.lrSchedule ?? schedule ?? DEFAULT_LR_SCHEDULE },
  };
}

async function readRun(
  path: string,
  expectedHash: string,
): Promise<{ result: TripletResult; teacherPath?: string } | undefined> {
  if (!existsSync(path)) return undefined;
  try {
    const stored = JSON.parse(await readFile(path, 'utf8')) as {
      result?: StoredResult;
      teacherPath?: string;
    };
    if (stored.result?.configHash !== expectedHash) return undefined;
    return {
      result: fromStored(stored.result),
      ...(stored.teacherPath ? { teacherPath: stored.teacherPath } : {}),
    };
  } catch {
    return undefined;
  }
}

/**
 * Picks the KD setting with the best mean accuracy on validation (on test only when the runs have
 * no validation split, which the report flags), over every seed and teacher of the group.
 */
export function selectMethod(
  runs: readonly QualityRun[],
): { method: Method; on: Selection['on']; accuracy: number } | undefined {
  const kd = runs.filter((r) => r.method.kind === 'kd');
  if (kd.length === 0) return undefined;
  const on = kd.every((r) => r.result.rows.kd.validationAccuracy !== undefined)
    ? ('validation' as const)
    : ('test' as const);
  const score = (r: QualityRun) =>
    on === 'validation'
      ? (r.result.rows.kd.validationAccuracy as number)
      : r.result.rows.kd.accuracy;
  const stems = [...new Set(kd.map((r) => r.method.stem))];
  let best: { method: Method; on: Selection['on']; accuracy: number } | undefined;
  for (const stem of stems) {
    const cell = kd.filter((r) => r.method.stem === stem);
    const accuracy = cell.reduce((sum, r) => sum + score(r), 0) / cell.length;
    if (!best || accuracy > best.accuracy)
      best = { method: (cell[0] as QualityRun).method, on, accuracy };
  }
  return best && stems.length === 1 ? { ...best, on: 'fixed' } : best;
}

/**
 * The quality suite. For each pair and teacher seed, one teacher from the teacher store; for each
 * label regime and seed, one scratch student and one treated student per KD setting (the (T, α)
 * grid, or the loss suite's per-loss grids). Then, per (pair, regime), the KD setting with the best
 * mean validation accuracy is chosen ({@link selectMethod}), and in transfer-set regimes the
 * hard-label baselines run at it. Every triplet is written to
 * `runs/<pair>/<labels>/[augment-<spec>/][teacher<k>/]seed<s>/<method>.json` as soon as it ends; a rerun into the
 * same directory skips runs already there with the same config hash (resumable). With
 * `storedOnly`, nothing is trained and no teacher is loaded: only stored runs are reported.
 */
export async function runQualitySuite(options: {
  readonly settings: QualitySettings;
  readonly train: ImageDataset;
  /** The validation split held out of the training set, when there is one. */
  readonly validation?: ImageDataset;
  readonly test: ImageDataset;
  readonly out: string;
  /** Progress of one pair: its step's title and epoch bar. */
  readonly reporterFor: (pair: PairSpec) => StepReporter;
  readonly live: boolean;
  readonly onRun?: (run: QualityRun) => void;
}): Promise<QualityResults> {
  const { settings, train, validation, test, out } = options;
  const runs: QualityRun[] = [];
  const teachers: TeacherRecord[] = [];
  const selections: Selection[] = [];
  const recipe = {
    batchSize: settings.batchSize,
    optimizer: settings.optimizer,
    learningRate: settings.learningRate,
    lrSchedule: settings.lrSchedule,
  };

  for (const pair of settings.pairs) {
    const reporter = options.reporterFor(pair);
    const perPair = countRuns({ ...settings, pairs: [pair] });
    // A store teacher's folder, relative to the results; a shipped one's `pretrained:<id>`.
    const teacherPath = (path: string) =>
      isPretrainedTeacher(pair.teacher) ? path : relative(out, path);
    const bar = (label: string, epochLines = false): Callback[] => [
      epochBar(reporter, label, { live: options.live, epochLines }),
    ];
    let done = 0;
    // Rows shared by every treated student of a teacher (and seed): trained or scored once.
    const teacherRows = new Map<number, TripletRow>();
    const scratchRows = new Map<string, TripletRow>();

    // Runs `methods` for every regime and seed with the teacher of `teacherSeed`.
    const runWithTeacher = async (
      teacherSeed: number,
      methodsFor: (regime: RegimeSpec) => readonly Method[],
    ): Promise<void> => {
      const regimes = settings.regimes.filter((r) => methodsFor(r).length > 0);
      if (regimes.length === 0) return;
      const teacher = settings.storedOnly
        ? undefined
        : isPretrainedTeacher(pair.teacher)
          ? await loadPretrainedPairTeacher(pair.teacher, train)
          : await loadOrTrainTeacher({
              dir: join(out, 'teachers'),
              model: pair.teacher,
              train,
              test,
              epochs: settings.teacherEpochs,
              ...recipe,
              seed: teacherSeed,
              callbacks: bar(`teacher ${pair.teacher} (seed ${teacherSeed})`, true),
              evaluateEachEpoch: !validation,
              onTrainingStart: () => {
                reporter.title(`${pairName(pair)}: training the teacher (seed ${teacherSeed})`);
              },
            });
      if (teacher && !teachers.some((t) => t.pair === pair && t.teacherSeed === teacherSeed)) {
        teachers.push({
          pair,
          teacherSeed,
          source: isPretrainedTeacher(pair.teacher)
            ? 'pretrained'
            : teacher.fromStore
              ? 'store'
              : 'trained',
          path: teacherPath(teacher.path),
          storeKey: teacher.storeKey,
          accuracy: teacher.accuracy ?? Number.NaN,
          seconds: teacher.seconds,
        });
      }
      // A shipped teacher's weights key its runs, also with --stored-only (nothing loaded).
      const shippedKey = isPretrainedTeacher(pair.teacher)
        ? (teacher?.storeKey ?? (await pretrainedPairTeacherKey(pair.teacher, train)))
        : undefined;
      // Every KD run with this teacher distils it on the same images; with augmentation views, the
      // runs of one seed share the same augmented views.
      const teacherLogits = new TeacherCache(train.size, train.numClasses);
      const views = settings.augment?.views;
      const viewLogits = new Map<number, TeacherCache>();
      const logitsFor = (seed: number): TeacherCache | undefined => {
        if (!settings.augment) return teacherLogits;
        if (views === undefined) return undefined;
        let cache = viewLogits.get(seed);
        if (!cache) {
          cache = new TeacherCache(train.size, train.numClasses, { views });
          viewLogits.set(seed, cache);
        }
        return cache;
      };
      try {
        for (const regime of regimes) {
          for (const seed of settings.seeds) {
            const scratchKey = `${teacherSeed}/${regime.labelFraction}/${seed}`;
            for (const method of methodsFor(regime)) {
              const teacherRow = teacherRows.get(teacherSeed);
              const scratchRow = scratchRows.get(scratchKey);
              done++;
              const where = `${regime.name} · teacher ${teacherSeed} · seed ${seed} · ${method.label}`;
              const sharedLogits = logitsFor(seed);
              const config: TripletConfig = {
                // A shipped teacher is named with its weights' hash, so other weights' runs aren't reused.
                teacher: shippedKey
                  ? `${unpinnedTeacher(pair.teacher)}@${shippedKey}`
                  : pair.teacher,
                student: pair.student,
                train,
                test,
                ...(validation ? { validation } : {}),
                teacherEpochs: settings.teacherEpochs,
                studentEpochs: settings.studentEpochs,
                ...(settings.augment ? { augment: settings.augment } : {}),
                ...(settings.fewLabelScratchEpochs
                  ? { fewLabelScratchEpochs: settings.fewLabelScratchEpochs }
                  : {}),
                ...recipe,
                loss: method.loss,
                ...(method.lossOptions ? { lossOptions: method.lossOptions } : {}),
                ...(method.taps ? { taps: method.taps } : {}),
                temperature: method.temperature,
                alpha: method.alpha,
                ...(method.baseline ? { baseline: method.baseline } : {}),
                seed,
                teacherSeed,
                labelFraction: regime.labelFraction,
                ...(teacher ? { teacherModel: teacher.model } : {}),
                ...(sharedLogits ? { teacherLogits: sharedLogits } : {}),
                reuse: {
                  ...(teacherRow ? { teacher: teacherRow } : {}),
                  ...(scratchRow ? { scratch: scratchRow } : {}),
                },
              };
              const file = join(
                'runs',
                slug(`${unpinnedTeacher(pair.teacher)}-to-${pair.student}`),
                labelsSlug(regime.labelFraction),
                // Augmented runs sit beside the plain ones (which keep their paths), sharing teachers.
                ...(settings.augment
                  ? [`augment-${slug(formatAugmentSpec(settings.augment))}`]
                  : []),
                ...(teacherSeed === 0 ? [] : [`teacher${teacherSeed}`]),
                `seed${seed}`,
                `${method.stem}.json`,
              );
              const resolved = resolveTripletConfig(config);
              const stored = await readRun(join(out, file), tripletConfigHash(resolved));
              let result = stored?.result;
              if (!result && (settings.storedOnly || !teacher)) continue;
              if (!result && teacher) {
                result = await runTriplet(config, {
                  onPhase: (phase) =>
                    reporter.title(`${pairName(pair)} (${done}/${perPair}) ${where}: ${phase}`),
                  callbacks: (role) => bar(role),
                  onEpochEnd: (role, record) =>
                    reporter.output(
                      epochLine(role, {
                        ...record,
                        epochs:
                          role === 'student-scratch'
                            ? scratchStudentEpochs(resolved)
                            : resolved.studentEpochs,
                        losses: { total: record.loss, ...record.terms },
                      }),
                    ),
                });
                if (!teacherRow) {
                  // The triplet saw a provided teacher; record how it was really obtained.
                  const row = result.rows.teacher;
                  result = {
                    ...result,
                    rows: {
                      ...result.rows,
                      teacher: { ...row, seconds: teacher.seconds, history: teacher.history },
                    },
                  };
                }
                await mkdir(dirname(join(out, file)), { recursive: true });
                await writeFile(
                  join(out, file),
                  `${JSON.stringify({ pair, regime, seed, teacherSeed, temperature: method.temperature, alpha: method.alpha, method, teacherPath: teacherPath(teacher.path), result }, null, 2)}\n`,
                );
              }
              if (!result) continue;
              if (
                !teacher &&
                !teachers.some((t) => t.pair === pair && t.teacherSeed === teacherSeed)
              ) {
                teachers.push({
                  pair,
                  teacherSeed,
                  source: 'stored run',
                  path: stored?.teacherPath ?? 'n/a',
                  storeKey: 'n/a',
                  accuracy: result.rows.teacher.accuracy,
                  seconds: result.rows.teacher.seconds,
                });
              }
              if (!teacherRow) teacherRows.set(teacherSeed, result.rows.teacher);
              if (!scratchRow) scratchRows.set(scratchKey, result.rows.scratch);
              const run: QualityRun = {
                pair,
                regime,
                seed,
                teacherSeed,
                temperature: method.temperature,
                alpha: method.alpha,
                method,
                file,
                result,
                reused: stored !== undefined,
              };
              runs.push(run);
              options.onRun?.(run);
            }
          }
        }
      } finally {
        teacher?.model.dispose();
      }
    };

    const grid = kdMethods(settings);
    for (const teacherSeed of teacherSeedsOf(settings, pair)) {
      await runWithTeacher(teacherSeed, () => grid);
    }
    // Choices are made on validation, over every seed and teacher, before any baseline runs.
    const chosen = new Map<RegimeSpec, Method>();
    for (const regime of settings.regimes) {
      const pick = selectMethod(runs.filter((r) => r.pair === pair && r.regime === regime));
      if (!pick) continue;
      chosen.set(regime, pick.method);
      selections.push({ pair, regime, ...pick });
    }
    const baselines = settings.baselines ?? [];
    if (baselines.length > 0) {
      for (const teacherSeed of teacherSeedsOf(settings, pair)) {
        await runWithTeacher(teacherSeed, (regime) => {
          const at = chosen.get(regime);
          return regime.labelFraction < 1 && at ? baselines.map((b) => baselineMethod(b, at)) : [];
        });
      }
    }
    if (settings.storedOnly && !runs.some((r) => r.pair === pair)) {
      throw new KdkitError(
        'FILE_NOT_FOUND',
        `bench --stored-only: no stored run of '${pairName(pair)}' with these settings in '${join(out, 'runs')}'; run without --stored-only to train them`,
      );
    }
    reporter.title(`${pairName(pair)}: ${runs.filter((r) => r.pair === pair).length} runs`);
    reporter.output('');
  }
  return { settings, runs, teachers, selections };
}
