import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { initBackend } from '@kdkit/backend';
import { type ImageDataset, trainValSplit } from '@kdkit/datasets';
import { loadFashionMnist, loadFashionMnistMini } from '@kdkit/datasets/node';
import { KdkitError } from '@kdkit/engine';
import { describeDataset, runConfigHash } from '@kdkit/experiments';
import { Listr, ListrLogger, ProcessOutput } from 'listr2';
import { describeEnvironment, type Environment, gitCommit } from './environment.js';
import { type BenchSettings, type PairSpec, VALIDATION_SEED } from './options.js';
import { SILENT_REPORTER, type StepReporter } from './progress.js';
import { pairName, type QualityResults, runQualitySuite } from './quality.js';
import { type BenchRecord, writeReport } from './report/build.js';
import { runSpeedSuite, type SpeedResults } from './speed.js';

/**
 * Refuses a git tree with uncommitted changes (`commit` ends in `-dirty`) unless `allowDirty`:
 * a report must name the code that made it.
 */
export function assertCleanTree(commit: string | undefined, allowDirty: boolean): void {
  if (commit?.endsWith('-dirty') && !allowDirty) {
    throw new KdkitError(
      'CONFIG_INVALID',
      `bench: the git tree has uncommitted changes (${commit}), so the report could not name the code that made it; commit first, or pass --allow-dirty (the report then says so)`,
    );
  }
}

/** The datasets of a run: training images (validation held out), validation split, test set. */
export interface BenchData {
  readonly train: ImageDataset;
  readonly validation?: ImageDataset;
  readonly test: ImageDataset;
}

/** Holds a stratified, seeded validation split out of the training images (never the test set). */
export function holdOutValidation(
  train: ImageDataset,
  fraction: number,
): { train: ImageDataset; validation?: ImageDataset } {
  if (!(fraction > 0)) return { train };
  const split = trainValSplit(train, { valFraction: fraction, seed: VALIDATION_SEED });
  return { train: split.train, validation: split.val };
}

async function loadData(settings: BenchSettings): Promise<BenchData> {
  const { train, test } = await loadSplits(settings);
  return { ...holdOutValidation(train, settings.quality?.validationFraction ?? 0), test };
}

async function loadSplits(
  settings: BenchSettings,
): Promise<{ train: ImageDataset; test: ImageDataset }> {
  const q = settings.quality;
  const limit = (n: number | undefined) => (n === undefined ? {} : { limit: n });
  if (settings.dataset === 'fashion-mnist-mini') {
    const [train, test] = await Promise.all([
      loadFashionMnistMini({ split: 'train', ...limit(q?.trainLimit) }),
      loadFashionMnistMini({ split: 'test', ...limit(q?.testLimit) }),
    ]);
    return { train, test };
  }
  const [train, test] = await Promise.all([
    loadFashionMnist({ split: 'train', ...limit(q?.trainLimit) }),
    loadFashionMnist({ split: 'test', ...limit(q?.testLimit) }),
  ]);
  return { train, test };
}

/** The part of the settings that defines the experiment (not where it is written or shown). */
function experimentOf(settings: BenchSettings) {
  const {
    out: _out,
    command: _command,
    progress: _progress,
    allowDirty: _allowDirty,
    ...rest
  } = settings;
  if (!rest.quality) return rest;
  // Hashed under the key `schedule`, the key of the stored reports' hashes.
  const { lrSchedule, ...quality } = rest.quality;
  return { ...rest, quality: { ...quality, schedule: lrSchedule } };
}

/**
 * Runs the benchmark described by `settings`: the quality suite, the speed suite, then the report
 * (REPORT.md, report.html, plots, JSON) in `settings.out`. Live progress on stderr when
 * `settings.progress`. Resolves to the record written as `summary.json`.
 */
export async function runBench(settings: BenchSettings): Promise<BenchRecord> {
  const started = performance.now();
  assertCleanTree(gitCommit(settings.out), settings.allowDirty === true);
  const out = resolve(settings.out);
  await mkdir(out, { recursive: true });

  let env: Environment | undefined;
  let data: BenchData | undefined;
  let quality: QualityResults | undefined;
  let speed: SpeedResults | undefined;
  let record: BenchRecord | undefined;
  const live = settings.progress && process.stderr.isTTY === true;
  const reporters = new Map<PairSpec, StepReporter>();

  const tasks = new Listr(
    [
      {
        title: 'Backend and data',
        task: async (_ctx, task) => {
          const backend = await initBackend(settings.backend, { log: false });
          env = describeEnvironment(backend, settings.out);
          data = await loadData(settings);
          const val = data.validation ? ` / validation (${data.validation.size})` : '';
          task.title = `Backend ${backend.name}; data ${data.train.name} (${data.train.size})${val} / ${data.test.name} (${data.test.size})`;
        },
      },
      ...(settings.quality?.pairs ?? []).map((pair) => ({
        title: `Quality: ${pairName(pair)}`,
        task: async (_ctx: unknown, task: { title: string; output: string }) => {
          reporters.set(pair, {
            title: (text) => {
              task.title = `Quality: ${text}`;
            },
            output: (text) => {
              task.output = text;
            },
          });
          if (settings.quality && data) {
            const part = await runQualitySuite({
              settings: { ...settings.quality, pairs: [pair] },
              train: data.train,
              ...(data.validation ? { validation: data.validation } : {}),
              test: data.test,
              out,
              reporterFor: (p) => reporters.get(p) ?? SILENT_REPORTER,
              live,
            });
            quality = {
              settings: settings.quality,
              runs: [...(quality?.runs ?? []), ...part.runs],
              teachers: [...(quality?.teachers ?? []), ...part.teachers],
              selections: [...(quality?.selections ?? []), ...part.selections],
            };
          }
        },
        rendererOptions: { bottomBar: 1, persistentOutput: false },
      })),
      ...(settings.speed
        ? [
            {
              title: `Speed: ${settings.speed.teacher} / ${settings.speed.student}`,
              task: async (_ctx: unknown, task: { title: string; output: string }) => {
                if (!settings.speed || !data) return;
                speed = await runSpeedSuite({
                  settings: settings.speed,
                  train: data.train,
                  reporter: {
                    title: (text) => {
                      task.title = text;
                    },
                    output: (text) => {
                      task.output = text;
                    },
                  },
                });
                await writeFile(join(out, 'speed.json'), `${JSON.stringify(speed, null, 2)}\n`);
              },
              rendererOptions: { bottomBar: 1 },
            },
          ]
        : []),
      {
        title: 'Report',
        task: async (_ctx, task) => {
          if (!env || !data) return;
          record = {
            settings,
            configHash: runConfigHash({
              experiment: experimentOf(settings),
              train: describeDataset(data.train),
              ...(data.validation ? { validation: describeDataset(data.validation) } : {}),
              test: describeDataset(data.test),
            }),
            environment: env,
            data: {
              train: describeDataset(data.train),
              ...(data.validation ? { validation: describeDataset(data.validation) } : {}),
              test: describeDataset(data.test),
            },
            ...(quality ? { quality } : {}),
            ...(speed ? { speed } : {}),
            seconds: (performance.now() - started) / 1000,
          };
          await writeFile(join(out, 'environment.json'), `${JSON.stringify(env, null, 2)}\n`);
          await writeReport(record, out);
          task.title = `Report: ${join(out, 'REPORT.md')}, ${join(out, 'report.html')}`;
        },
      },
    ],
    {
      concurrent: false,
      exitOnError: true,
      renderer: 'default',
      fallbackRenderer: 'simple',
      fallbackRendererCondition: !live,
      silentRendererCondition: !settings.progress,
      rendererOptions: {
        logger: new ListrLogger({
          processOutput: new ProcessOutput(process.stderr, process.stderr),
        }),
        collapseSubtasks: false,
      },
      fallbackRendererOptions: {
        logger: new ListrLogger({
          processOutput: new ProcessOutput(process.stderr, process.stderr),
        }),
      },
    },
  );
  await tasks.run();
  if (!record) throw new Error('runBench: the report step did not run');
  return record;
}
