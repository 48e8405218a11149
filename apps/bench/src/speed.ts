import { fileURLToPath } from 'node:url';
import { batches, type ImageDataset, subsetPerClass } from '@kdkit/datasets';
import { KD_DEFAULTS } from '@kdkit/losses';
import { createModel } from '@kdkit/models';
import { type Callback, distill, evaluate, trainSupervised } from '@kdkit/trainers';
import * as tf from '@tensorflow/tfjs-core';
import type { SpeedSettings } from './options.js';
import type { StepReporter } from './progress.js';
import {
  findTorchPython,
  runTorchBench,
  SPEED_FIGURES,
  type SpeedFigure,
  type TorchRun,
} from './torch.js';

export interface SpeedResults {
  readonly settings: SpeedSettings;
  readonly backend: string;
  /** Images actually measured (balanced per class, so up to `settings.images`). */
  readonly images: number;
  /** kdkit images/s per figure. */
  readonly kdkit: Partial<Record<SpeedFigure, number>>;
  readonly torch?: TorchRun;
  /** Why PyTorch did not run, when it didn't. */
  readonly torchSkipped?: string;
  /** Teacher inference with ONNX Runtime (the PyTorch-exported fixture), or why it did not run. */
  readonly onnx?: OnnxFigure | { readonly skipped: string };
  /** kdkit / torch per figure. */
  readonly ratios: Partial<Record<SpeedFigure, number>>;
}

/**
 * Images/s over the batches of epoch `epoch` after the first `skip` (warm-up: kernel setup,
 * first-touch allocation). Reads the trainers' own timings, so it measures the real loop.
 */
function throughputMeter(epoch: number, skip: number) {
  let start = 0;
  let images = 0;
  let end = 0;
  const callback: Callback = {
    name: 'bench-throughput',
    onEpochBegin(e) {
      if (e === epoch && skip === 0) start = performance.now();
    },
    onBatchEnd(logs) {
      if (logs.epoch !== epoch) return;
      const now = performance.now();
      if (logs.batch === skip - 1) start = now;
      else if (logs.batch >= skip) {
        images += logs.size;
        end = now;
      }
    },
  };
  return {
    callback,
    imagesPerSecond: () => (end > start ? images / ((end - start) / 1000) : Number.NaN),
  };
}

export interface OnnxFigure {
  readonly figure: 'teacher-inference';
  readonly runtime: 'onnxruntime-node';
  /** A different network from the zoo teacher: the PyTorch CNN of @kdkit/onnx's fixture. */
  readonly model: string;
  readonly imagesPerSecond: number;
}

/** @kdkit/onnx's PyTorch fixture (a 28×28×1 Fashion-MNIST CNN exported with torch.onnx.export). */
const ONNX_FIXTURE = fileURLToPath(
  new URL('../../../packages/onnx/fixtures/fashion-cnn.onnx', import.meta.url),
);

/** Images/s of teacher inference through onnxruntime-node on `data` (after one warm-up batch). */
async function onnxInference(
  data: ImageDataset,
  batchSize: number,
): Promise<OnnxFigure | { skipped: string }> {
  if (data.shape.join('x') !== '28x28x1' || data.numClasses !== 10) {
    return { skipped: `the ONNX fixture takes 28×28×1 images of 10 classes, not ${data.name}` };
  }
  try {
    const { onnxTeacher } = await import('@kdkit/onnx');
    const teacher = await onnxTeacher(ONNX_FIXTURE, { layout: 'nchw' });
    let images = 0;
    let started = 0;
    for (const batch of batches(data, { batchSize, shuffle: false })) {
      const logits = await teacher.logits(batch.xs);
      await logits.data();
      if (started === 0) started = performance.now();
      else images += batch.indices.length;
      tf.dispose([logits, batch.xs, batch.labels]);
    }
    const seconds = (performance.now() - started) / 1000;
    teacher.dispose?.();
    return {
      figure: 'teacher-inference',
      runtime: 'onnxruntime-node',
      model: 'fashion-cnn.onnx (PyTorch export, @kdkit/onnx fixture)',
      imagesPerSecond: images / seconds,
    };
  } catch (error) {
    return {
      skipped: error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error),
    };
  }
}

/**
 * The speed suite: images/s of teacher training, teacher inference, and student KD training with
 * the teacher forward on every step and with the teacher-output cache, on the current backend and
 * on real images; then the same four figures from PyTorch when a Python with torch is found.
 */
export async function runSpeedSuite(options: {
  readonly settings: SpeedSettings;
  readonly train: ImageDataset;
  readonly reporter: StepReporter;
}): Promise<SpeedResults> {
  const { settings, reporter } = options;
  // Balanced real images: n per class, capped by the rarest class of the loaded set.
  const counts = new Array<number>(options.train.numClasses).fill(0);
  for (const label of options.train.labels)
    if (label >= 0) counts[label] = (counts[label] ?? 0) + 1;
  const perClass = Math.max(
    1,
    Math.min(Math.floor(settings.images / options.train.numClasses), ...counts),
  );
  const data = subsetPerClass(options.train, perClass, 0);
  const shape = { inputShape: data.shape, numClasses: data.numClasses };
  const common = { train: data, batchSize: settings.batchSize, optimizer: 'adam' as const };
  const kdkit: Partial<Record<SpeedFigure, number>> = {};
  const skip = Math.min(2, Math.max(0, Math.ceil(data.size / settings.batchSize) - 1));

  const teacher = createModel(settings.teacher, { ...shape, seed: 0 });
  try {
    reporter.output(`teacher train (${data.size} images)`);
    const teacherTrain = throughputMeter(0, skip);
    await trainSupervised({
      ...common,
      model: teacher,
      epochs: 1,
      callbacks: [teacherTrain.callback],
    });
    kdkit['teacher-train'] = teacherTrain.imagesPerSecond();

    reporter.output('teacher inference');
    const warmup = subsetPerClass(data, 1, 0);
    await evaluate(teacher, warmup, { batchSize: settings.batchSize });
    const started = performance.now();
    await evaluate(teacher, data, { batchSize: settings.batchSize });
    kdkit['teacher-inference'] = data.size / ((performance.now() - started) / 1000);

    for (const [figure, cache] of [
      ['student-kd-train', 'off'],
      ['student-kd-train-cached', 'auto'],
    ] as const) {
      reporter.output(`${figure} (${data.size} images)`);
      const student = createModel(settings.student, { ...shape, seed: 0 });
      // The cached figure is read in epoch 2, when every teacher output is a cache hit.
      const epochs = cache === 'auto' ? 2 : 1;
      const meter = throughputMeter(epochs - 1, skip);
      try {
        await distill({
          ...common,
          teacher,
          student,
          epochs,
          teacherCache: cache,
          loss: 'hinton',
          lossOptions: { ...KD_DEFAULTS },
          callbacks: [meter.callback],
        });
      } finally {
        student.dispose();
      }
      kdkit[figure] = meter.imagesPerSecond();
    }
  } finally {
    teacher.dispose();
  }

  reporter.output('teacher inference (ONNX Runtime)');
  const onnx = await onnxInference(data, settings.batchSize);
  reporter.output(JSON.stringify(onnx));

  let torch: TorchRun | undefined;
  let torchSkipped: string | undefined;
  if (!settings.torch) {
    torchSkipped = 'disabled (--no-torch)';
  } else {
    const python = await findTorchPython();
    if (!python) {
      torchSkipped = 'no Python with torch found ($KDKIT_PYTHON, /usr/bin/python3, python3)';
    } else {
      reporter.output(`PyTorch anchor (${python})`);
      try {
        torch = await runTorchBench(python, { quick: settings.torchQuick === true });
      } catch (error) {
        torchSkipped = `the PyTorch script failed: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`;
      }
    }
  }
  const ratios: Partial<Record<SpeedFigure, number>> = {};
  for (const figure of SPEED_FIGURES) {
    const mine = kdkit[figure];
    const theirs = torch?.figures[figure];
    if (mine !== undefined && theirs !== undefined && theirs > 0) ratios[figure] = mine / theirs;
  }
  reporter.output('');
  return {
    settings,
    backend: tf.getBackend(),
    images: data.size,
    kdkit,
    onnx,
    ...(torch ? { torch } : {}),
    ...(torchSkipped ? { torchSkipped } : {}),
    ratios,
  };
}
