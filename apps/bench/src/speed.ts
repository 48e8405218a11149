import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ImageDataset, subsetPerClass } from '@kdkit/datasets';
import { KD_DEFAULTS } from '@kdkit/losses';
import { createModel } from '@kdkit/models';
import { type Callback, distill, evaluate, trainSupervised } from '@kdkit/trainers';
import * as tf from '@tensorflow/tfjs-core';
import type { SpeedSettings } from './options.js';
import type { StepReporter } from './progress.js';
import {
  exportTeacherTwin,
  findTorchPython,
  runTorchBench,
  SPEED_FIGURES,
  type SpeedFigure,
  type TorchRun,
  type TwinExport,
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
  /**
   * Teacher inference with ONNX Runtime on the teacher's PyTorch twin (exported at bench time) or,
   * without PyTorch, on @kdkit/onnx's fixture (a different network); or why it did not run.
   */
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

/** The speed suite's ONNX Runtime figure: teacher inference on the twin or on the fixture. */
export interface OnnxFigure {
  readonly figure: 'teacher-inference';
  readonly runtime: 'onnxruntime-node';
  readonly model: string;
  /**
   * True when `model` is the suite teacher's architecture (its PyTorch twin), so the figure
   * compares with kdkit's and PyTorch's teacher inference; false for @kdkit/onnx's fixture, a
   * different, smaller network.
   */
  readonly sameNetwork: boolean;
  /** Weights, counted as kdkit counts them (batch-norm running statistics included). */
  readonly params: number;
  readonly imagesPerSecond: number;
  /** How the twin was exported (the twin only). */
  readonly exported?: Omit<TwinExport, 'path'>;
  /** These images/s over PyTorch's own teacher inference of the same invocation (the twin only). */
  readonly ratioToPyTorch?: number;
  /** Why the twin was not timed (the fixture only). */
  readonly twinSkipped?: string;
}

/** @kdkit/onnx's PyTorch fixture (a 28×28×1 Fashion-MNIST CNN exported with torch.onnx.export). */
const ONNX_FIXTURE = fileURLToPath(
  new URL('../../../packages/onnx/fixtures/fashion-cnn.onnx', import.meta.url),
);

export const ONNX_FIXTURE_MODEL = 'fashion-cnn.onnx (PyTorch export, @kdkit/onnx fixture)';
/** make_fixture.py's FashionCnn: 105,962 parameters + 96 batch-norm running statistics. */
const ONNX_FIXTURE_PARAMS = 106_058;
export const ONNX_TWIN_MODEL = 'cnn-teacher (PyTorch twin, torch.onnx.export)';
/** The zoo net whose PyTorch twin (`teacher()` in torch_nets.py) the export script exports. */
const TWIN_TEACHER = 'cnn-teacher';

/** Which ONNX model the speed suite times, and why. */
export type OnnxChoice =
  | { readonly model: 'twin'; readonly python: string }
  | { readonly model: 'fixture'; readonly twinSkipped: string }
  | { readonly skipped: string };

/**
 * The twin of the suite's teacher when it has one and a Python with torch runs (the PyTorch
 * anchor's condition), else the fixture with the reason; nothing for images other than 28×28×1
 * of 10 classes (both models take only those).
 */
export function chooseOnnxModel(options: {
  readonly teacher: string;
  readonly data: Pick<ImageDataset, 'name' | 'shape' | 'numClasses'>;
  /** The Python the anchor runs with, or why there is none. */
  readonly torch: { readonly python: string } | { readonly skipped: string };
}): OnnxChoice {
  const { teacher, data, torch } = options;
  if (data.shape.join('x') !== '28x28x1' || data.numClasses !== 10) {
    return { skipped: `the ONNX models take 28×28×1 images of 10 classes, not ${data.name}` };
  }
  if (teacher !== TWIN_TEACHER) {
    return {
      model: 'fixture',
      twinSkipped: `the suite's teacher '${teacher}' has no PyTorch twin (only ${TWIN_TEACHER})`,
    };
  }
  if ('skipped' in torch) return { model: 'fixture', twinSkipped: `PyTorch: ${torch.skipped}` };
  return { model: 'twin', python: torch.python };
}

const firstLine = (error: unknown): string =>
  error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error);

/**
 * Images/s of inference over `data` in batches of `batchSize` (kdkit's `evaluate`, after a warm-up
 * on one image per class): the same measurement for the zoo teacher and for an ONNX teacher.
 */
async function inferenceRate(
  model: Parameters<typeof evaluate>[0],
  data: ImageDataset,
  batchSize: number,
): Promise<number> {
  await evaluate(model, subsetPerClass(data, 1, 0), { batchSize });
  const started = performance.now();
  await evaluate(model, data, { batchSize });
  return data.size / ((performance.now() - started) / 1000);
}

/**
 * Images/s of teacher inference through onnxruntime-node on the chosen model: the twin exported
 * into a temporary directory (removed after), or the fixture when there is no twin or its export
 * fails (with the reason).
 */
export async function onnxInference(
  choice: OnnxChoice,
  data: ImageDataset,
  batchSize: number,
): Promise<OnnxFigure | { skipped: string }> {
  if ('skipped' in choice) return choice;
  let dir: string | undefined;
  try {
    let twin: TwinExport | undefined;
    let twinSkipped = choice.model === 'fixture' ? choice.twinSkipped : undefined;
    if (choice.model === 'twin') {
      // ~7 MB of float32 weights: generated per run, never stored with the results.
      dir = await mkdtemp(join(tmpdir(), 'kdkit-bench-onnx-'));
      try {
        twin = await exportTeacherTwin(choice.python, join(dir, `${TWIN_TEACHER}.onnx`));
      } catch (error) {
        twinSkipped = `the export failed: ${firstLine(error)}`;
      }
    }
    const { onnxTeacher } = await import('@kdkit/onnx');
    const teacher = await onnxTeacher(twin?.path ?? ONNX_FIXTURE, { layout: 'nchw' });
    try {
      const imagesPerSecond = await inferenceRate(teacher, data, batchSize);
      if (twin) {
        const { path: _, ...exported } = twin;
        return {
          figure: 'teacher-inference',
          runtime: 'onnxruntime-node',
          model: ONNX_TWIN_MODEL,
          sameNetwork: true,
          params: twin.params,
          imagesPerSecond,
          exported,
        };
      }
      return {
        figure: 'teacher-inference',
        runtime: 'onnxruntime-node',
        model: ONNX_FIXTURE_MODEL,
        sameNetwork: false,
        params: ONNX_FIXTURE_PARAMS,
        imagesPerSecond,
        ...(twinSkipped ? { twinSkipped } : {}),
      };
    } finally {
      teacher.dispose?.();
    }
  } catch (error) {
    return { skipped: firstLine(error) };
  } finally {
    if (dir) await rm(dir, { recursive: true, force: true });
  }
}

/** The Python the PyTorch anchor runs with, or why it doesn't run. */
async function torchAnchor(enabled: boolean): Promise<{ python: string } | { skipped: string }> {
  if (!enabled) return { skipped: 'disabled (--no-torch)' };
  const python = await findTorchPython();
  return python
    ? { python }
    : { skipped: 'no Python with torch found ($KDKIT_PYTHON, /usr/bin/python3, python3)' };
}

/**
 * The ONNX figure with its ratio to PyTorch's teacher inference of the same invocation, when it
 * times the same network and PyTorch gave that figure.
 */
export function withPyTorchRatio(
  onnx: OnnxFigure | { readonly skipped: string },
  torchTeacherInference: number | undefined,
): OnnxFigure | { readonly skipped: string } {
  if ('skipped' in onnx || !onnx.sameNetwork) return onnx;
  if (torchTeacherInference === undefined || !(torchTeacherInference > 0)) return onnx;
  return { ...onnx, ratioToPyTorch: onnx.imagesPerSecond / torchTeacherInference };
}

/**
 * The speed suite: images/s of teacher training, teacher inference, and student KD training with
 * the teacher forward on every step and with the teacher-output cache, on the current backend and
 * on real images; teacher inference through ONNX Runtime; then the same four figures from PyTorch
 * when a Python with torch is found.
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
    kdkit['teacher-inference'] = await inferenceRate(teacher, data, settings.batchSize);

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

  const anchor = await torchAnchor(settings.torch);

  reporter.output('teacher inference (ONNX Runtime)');
  const onnxChoice = chooseOnnxModel({ teacher: settings.teacher, data, torch: anchor });
  const onnxMeasured = await onnxInference(onnxChoice, data, settings.batchSize);
  reporter.output(JSON.stringify(onnxMeasured));

  let torch: TorchRun | undefined;
  let torchSkipped = 'skipped' in anchor ? anchor.skipped : undefined;
  if ('python' in anchor) {
    reporter.output(`PyTorch anchor (${anchor.python})`);
    try {
      torch = await runTorchBench(anchor.python, { quick: settings.torchQuick === true });
    } catch (error) {
      torchSkipped = `the PyTorch script failed: ${firstLine(error)}`;
    }
  }
  const onnx = withPyTorchRatio(onnxMeasured, torch?.figures['teacher-inference']);
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
