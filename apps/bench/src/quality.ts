import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import type { ImageDataset } from '@kdkit/datasets';
import { KdkitError } from '@kdkit/engine';
import {
  configHash,
  loadOrTrainTeacher,
  resolveTripletConfig,
  runTriplet,
  scratchStudentEpochs,
  type TripletConfig,
  type TripletResult,
  type TripletRow,
} from '@kdkit/experiments';
import { type Callback, TeacherCache } from '@kdkit/trainers';
import { kdGrid, type PairSpec, type QualitySettings, type RegimeSpec } from './options.js';
import { epochBar, epochLine, type StepReporter } from './progress.js';

/** One distilled configuration of one seed, as written to `runs/…json`. */
export interface QualityRun {
  readonly pair: PairSpec;
  readonly regime: RegimeSpec;
  readonly seed: number;
  readonly temperature: number;
  readonly alpha: number;
  /** Relative to the results directory. */
  readonly file: string;
  readonly result: TripletResult;
  /** True when the run was found on disk from an earlier invocation and not rerun. */
  readonly reused: boolean;
}

export interface TeacherRecord {
  readonly pair: PairSpec;
  readonly source: 'trained' | 'cache';
  /** Relative to the results directory. */
  readonly path: string;
  readonly cacheKey: string;
  readonly accuracy: number;
  readonly seconds: number;
}

export interface QualityResults {
  readonly settings: QualitySettings;
  readonly runs: readonly QualityRun[];
  readonly teachers: readonly TeacherRecord[];
}

export const slug = (text: string) =>
  text
    .toLowerCase()
    .replace(/%/g, 'pct')
    .replace(/[^a-z0-9.]+/g, '-')
    .replace(/^-|-$/g, '');

export const pairName = (pair: PairSpec) => `${pair.teacher} → ${pair.student}`;

/** Number of triplets (KD runs) the settings describe. */
export function countRuns(settings: QualitySettings): number {
  return (
    settings.pairs.length *
    settings.regimes.length *
    settings.seeds.length *
    kdGrid(settings).length
  );
}

async function readRun(path: string, expectedHash: string): Promise<TripletResult | undefined> {
  if (!existsSync(path)) return undefined;
  try {
    const stored = JSON.parse(await readFile(path, 'utf8')) as { result?: TripletResult };
    return stored.result?.configHash === expectedHash ? stored.result : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The quality suite: for each pair, one cached teacher; for each label regime and seed, one
 * scratch student and one distilled student per (T, α). Every triplet is written to
 * `runs/<pair>/<regime>/seed<s>/T<T>-a<α>.json` as soon as it ends; a rerun into the same
 * directory skips runs already there with the same config hash (resumable).
 */
export async function runQualitySuite(options: {
  readonly settings: QualitySettings;
  readonly train: ImageDataset;
  readonly test: ImageDataset;
  readonly out: string;
  /** Progress of one pair: its step's title and epoch bar. */
  readonly reporterFor: (pair: PairSpec) => StepReporter;
  readonly live: boolean;
  readonly onRun?: (run: QualityRun) => void;
}): Promise<QualityResults> {
  const { settings, train, test, out } = options;
  const runs: QualityRun[] = [];
  const teachers: TeacherRecord[] = [];
  const perPair = countRuns(settings) / Math.max(1, settings.pairs.length);
  const recipe = {
    batchSize: settings.batchSize,
    optimizer: settings.optimizer,
    learningRate: settings.learningRate,
    schedule: settings.schedule,
  };

  for (const pair of settings.pairs) {
    const reporter = options.reporterFor(pair);
    const bar = (label: string, epochLines = false): Callback[] => [
      epochBar(reporter, label, { live: options.live, epochLines }),
    ];
    reporter.title(`${pairName(pair)}: teacher`);
    const teacher = await loadOrTrainTeacher({
      dir: join(out, 'teachers'),
      model: pair.teacher,
      train,
      test,
      epochs: settings.teacherEpochs,
      ...recipe,
      seed: 0,
      callbacks: bar(`teacher ${pair.teacher}`, true),
      evaluateEachEpoch: true,
      onTrainingStart: () => {
        if (settings.storedOnly) {
          throw new KdkitError(
            'FILE_NOT_FOUND',
            `bench --stored-only: no cached teacher '${pair.teacher}' with this recipe in '${join(out, 'teachers')}'; run without --stored-only to train it`,
          );
        }
        reporter.title(`${pairName(pair)}: training the teacher`);
      },
    });
    teachers.push({
      pair,
      source: teacher.fromCache ? 'cache' : 'trained',
      path: relative(out, teacher.path),
      cacheKey: teacher.configHash,
      accuracy: teacher.accuracy ?? Number.NaN,
      seconds: teacher.seconds,
    });
    let teacherRow: TripletRow | undefined;
    // Every KD run of this pair distils the same teacher on the same images.
    const teacherLogits = new TeacherCache(train.size, train.numClasses);
    let done = 0;
    try {
      for (const regime of settings.regimes) {
        for (const seed of settings.seeds) {
          let scratchRow: TripletRow | undefined;
          for (const { temperature, alpha } of kdGrid(settings)) {
            done++;
            const where = `${regime.name} · seed ${seed} · T=${temperature} α=${alpha}`;
            const config: TripletConfig = {
              teacher: pair.teacher,
              student: pair.student,
              train,
              test,
              teacherEpochs: settings.teacherEpochs,
              studentEpochs: settings.studentEpochs,
              ...(settings.fewLabelScratchEpochs
                ? { fewLabelScratchEpochs: settings.fewLabelScratchEpochs }
                : {}),
              ...recipe,
              temperature,
              alpha,
              seed,
              teacherSeed: 0,
              labelFraction: regime.labelFraction,
              teacherModel: teacher.model,
              teacherLogits,
              reuse: {
                ...(teacherRow ? { teacher: teacherRow } : {}),
                ...(scratchRow ? { scratch: scratchRow } : {}),
              },
            };
            const file = join(
              'runs',
              slug(`${pair.teacher}-to-${pair.student}`),
              slug(regime.name),
              `seed${seed}`,
              `T${temperature}-a${alpha}.json`,
            );
            const resolved = resolveTripletConfig(config);
            const hash = configHash(resolved);
            let result = await readRun(join(out, file), hash);
            const reused = result !== undefined;
            if (!result && settings.storedOnly) continue;
            if (!result) {
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
                const row = result.rows[0];
                result = {
                  ...result,
                  rows: [
                    { ...row, seconds: teacher.seconds, history: teacher.history },
                    result.rows[1],
                    result.rows[2],
                  ],
                };
              }
              await mkdir(dirname(join(out, file)), { recursive: true });
              await writeFile(
                join(out, file),
                `${JSON.stringify({ pair, regime, seed, temperature, alpha, teacherPath: relative(out, teacher.path), result }, null, 2)}\n`,
              );
            }
            teacherRow ??= result.rows[0];
            scratchRow ??= result.rows[1];
            const run: QualityRun = {
              pair,
              regime,
              seed,
              temperature,
              alpha,
              file,
              result,
              reused,
            };
            runs.push(run);
            options.onRun?.(run);
          }
        }
      }
    } finally {
      teacher.model.dispose();
    }
    reporter.title(`${pairName(pair)}: ${perPair} runs`);
    reporter.output('');
  }
  return { settings, runs, teachers };
}
