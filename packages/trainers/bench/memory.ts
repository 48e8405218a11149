// Memory of training, distilling and inference: peak tensor bytes (tf.profile), the wasm heap's
// high-water mark and the process's peak RSS, one fresh process per figure (the wasm heap never
// shrinks, so figures measured in one process would inherit each other's peaks).
// Prints one JSON line per figure, then a table (`bench/memory.ts --table <file>` rebuilds it from
// stored lines). Run: pnpm --filter @kdkit/trainers bench:memory
// Env: KDKIT_BACKEND (default wasm), BENCH_MODELS (default cnn-teacher,resnet20,cnn-student),
// BENCH_BATCH_SIZES (default 32,128), BENCH_TEACHER (the KD figures' teacher, default cnn-teacher).

import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { type BackendPreference, initBackend } from '@kdkit/backend';
import { loadFashionMnistMini } from '@kdkit/datasets/node';
import { createModel } from '@kdkit/models';
import * as tf from '@tensorflow/tfjs-core';
import { distill, TeacherCache, trainSupervised } from '../src/index.js';

const FIGURES = ['inference', 'train-step', 'kd-step-teacher-forward', 'kd-step-cached'] as const;
type Figure = (typeof FIGURES)[number];
const STEPS = 4;
const MiB = 2 ** 20;

interface Measurement {
  readonly figure: Figure;
  readonly model: string;
  readonly batchSize: number;
  readonly backend: string;
  readonly threads?: number;
  /** Parameters × 4 bytes: the float32 weights alone. */
  readonly weightsBytes: number;
  /** The KD figures' teacher and its weights, which the peak includes (made before it). */
  readonly teacher?: string;
  readonly teacherWeightsBytes?: number;
  /**
   * The most bytes held by tensors at any point of the figure (weights, optimizer, activations),
   * as tfjs's engine counts them (`tf.profile`'s peakBytes).
   */
  readonly peakTensorBytes: number;
  /** Size of the wasm heap at the end: its high-water mark (it only grows). */
  readonly wasmHeapBytes?: number;
  /** The process's peak resident set, and its value before the model was made. */
  readonly maxRssBytes: number;
  readonly baseRssBytes: number;
}

/** One figure in this process: STEPS batches of `batchSize` mini-set images. */
async function measure(figure: Figure, model: string, batchSize: number): Promise<Measurement> {
  const { name: backend, threads } = await initBackend(
    (process.env['KDKIT_BACKEND'] ?? 'wasm') as BackendPreference,
    { log: false },
  );
  const train = await loadFashionMnistMini({ split: 'train', limit: STEPS * batchSize });
  const baseRssBytes = process.memoryUsage().rss;
  const net = createModel(model, { seed: 1 });
  const teacherName = process.env['BENCH_TEACHER'] ?? 'cnn-teacher';
  const teacher = figure.startsWith('kd-') ? createModel(teacherName, { seed: 2 }) : undefined;
  const common = { train, batchSize, seed: 3, optimizer: 'adam' as const };
  // The cached figure's cache is full before it starts (of stand-in logits: memory does not
  // depend on their values), so the teacher never runs and the wasm heap never holds its step.
  const cache =
    figure === 'kd-step-cached' ? new TeacherCache(train.size, train.numClasses) : undefined;
  cache?.store(
    Int32Array.from({ length: train.size }, (_, i) => i),
    new Float32Array(train.size * train.numClasses),
  );
  const profile = await tf.profile(async () => {
    if (figure === 'inference') {
      const xs = tf.tensor4d(train.images, [train.size, ...train.shape]);
      for (let start = 0; start < train.size; start += batchSize) {
        tf.tidy(() => net.predict(tf.slice(xs, start, Math.min(batchSize, train.size - start))));
      }
      xs.dispose();
    } else if (figure === 'train-step') {
      await trainSupervised({ ...common, model: net, epochs: 1 });
    } else {
      await distill({
        ...common,
        student: net,
        teacher: teacher as NonNullable<typeof teacher>,
        epochs: 1,
        teacherCache: cache ?? 'off',
      });
    }
  });
  const heap = (tf.backend() as { wasm?: { HEAPU8?: Uint8Array } }).wasm?.HEAPU8?.byteLength;
  const result: Measurement = {
    figure,
    model,
    batchSize,
    backend,
    ...(threads === undefined ? {} : { threads }),
    weightsBytes: net.countParams() * 4,
    ...(teacher ? { teacher: teacherName, teacherWeightsBytes: teacher.countParams() * 4 } : {}),
    peakTensorBytes: profile.peakBytes,
    ...(backend === 'wasm' && heap !== undefined ? { wasmHeapBytes: heap } : {}),
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
    baseRssBytes,
  };
  net.dispose();
  teacher?.dispose();
  return result;
}

/** The figures as a markdown table, sizes in MiB. */
function printTable(rows: readonly Measurement[]): void {
  const mib = (bytes: number | undefined) => (bytes === undefined ? '–' : (bytes / MiB).toFixed(1));
  console.log(
    '\n| model | batch | figure | weights MiB (+ teacher) | peak tensors MiB | wasm heap MiB | peak RSS MiB (before the model) |',
  );
  console.log('|---|---:|---|---:|---:|---:|---:|');
  for (const r of rows) {
    console.log(
      `| ${r.model} | ${r.batchSize} | ${r.figure} | ${mib(r.weightsBytes)}${r.teacherWeightsBytes === undefined ? '' : ` (+ ${mib(r.teacherWeightsBytes)})`} | ${mib(r.peakTensorBytes)} | ${mib(r.wasmHeapBytes)} | ${mib(r.maxRssBytes)} (${mib(r.baseRssBytes)}) |`,
    );
  }
}

const [, , figureArg, modelArg, batchArg] = process.argv;
if (figureArg === '--table') {
  // Rebuilds the table from stored JSON lines: bench/memory.ts --table <file>.
  const lines = (await readFile(modelArg ?? '', 'utf8')).split('\n');
  printTable(lines.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Measurement));
} else if (figureArg !== undefined) {
  const figure = FIGURES.find((f) => f === figureArg);
  if (!figure || modelArg === undefined || !Number.isInteger(Number(batchArg))) {
    throw new Error(
      `bench/memory.ts: expected <figure> <model> <batchSize> with figure one of ${FIGURES.join(', ')}; got ${process.argv.slice(2).join(' ')}`,
    );
  }
  process.stdout.write(`${JSON.stringify(await measure(figure, modelArg, Number(batchArg)))}\n`);
} else {
  const models = (process.env['BENCH_MODELS'] ?? 'cnn-teacher,resnet20,cnn-student').split(',');
  const batchSizes = (process.env['BENCH_BATCH_SIZES'] ?? '32,128').split(',').map(Number);
  const self = fileURLToPath(import.meta.url);
  const rows: Measurement[] = [];
  for (const model of models) {
    for (const batchSize of batchSizes) {
      for (const figure of FIGURES) {
        // The KD figures distil into `model` from the teacher; a teacher distilling itself is skipped.
        if (figure.startsWith('kd-') && model === (process.env['BENCH_TEACHER'] ?? 'cnn-teacher')) {
          continue;
        }
        const line = execFileSync(
          process.execPath,
          [...process.execArgv, self, figure, model, String(batchSize)],
          { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
        );
        const row = JSON.parse(line.trim().split('\n').at(-1) ?? '{}') as Measurement;
        process.stdout.write(`${JSON.stringify({ bench: '@kdkit/trainers memory', ...row })}\n`);
        rows.push(row);
      }
    }
  }
  printTable(rows);
}
