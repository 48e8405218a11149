// `pnpm --filter @kdkit/wasm-kernels bench`: images/s of the teacher and student on real
// Fashion-MNIST batches, on wasm with these kernels, stock wasm, cpu, and PyTorch when importable.
// One JSON line per figure. Training steps use FusedAdamOptimizer (kdkit's trainers' Adam; tfjs's
// own ops where its kernel isn't registered: stock wasm, cpu). Options: --quick (fewer steps),
// --no-torch, --no-cpu, --no-kernels, --no-kernel-threads (kdkit's SIMD kernels on one thread),
// --tfjs-adam (step with tf.train.adam instead), --profile-steps N.
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { FusedAdamOptimizer, installWasmKernels, uninstallWasmKernels } from '../src/index.js';
import { activateWasmBackend } from '../src/node/index.js';
import { batchArrays, loadFashionMnist, type RawImages } from './fashion-mnist.js';
import { compareKernels } from './kernel-compare.js';
import { timeKernels } from './kernel-timer.js';
import { buildStudent, buildTeacher } from './nets.js';

const FIGURES = [
  'teacher_train',
  'teacher_inference',
  'student_kd_teacher_forward',
  'student_kd_cached_logits',
] as const;
type Figure = (typeof FIGURES)[number];
type Setup = 'wasm+kdkit' | 'wasm-stock' | 'cpu';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const BATCH = 128;
const TEMPERATURE = 4;
const ALPHA = 0.9;
const STEPS: Record<Figure, number> = quick
  ? {
      teacher_train: 3,
      teacher_inference: 5,
      student_kd_teacher_forward: 3,
      student_kd_cached_logits: 10,
    }
  : {
      teacher_train: 8,
      teacher_inference: 16,
      student_kd_teacher_forward: 8,
      student_kd_cached_logits: 40,
    };
const profileFlag = args.indexOf('--profile-steps');
const PROFILE_STEPS = profileFlag >= 0 ? Number(args[profileFlag + 1]) : quick ? 2 : 4;
const tfjsAdam = args.includes('--tfjs-adam');
const makeOptimizer = (): tf.Optimizer =>
  tfjsAdam ? tf.train.adam(1e-3) : new FusedAdamOptimizer(1e-3);

function emit(record: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify({ bench: 'wasm-kernels', ...record })}\n`);
}

let wasmThreadsReported = false;

async function useSetup(setup: Setup): Promise<void> {
  tf.env().set('IS_TEST', false);
  uninstallWasmKernels();
  if (setup === 'wasm+kdkit') installWasmKernels();
  if (setup === 'cpu') {
    if (!(await tf.setBackend('cpu'))) throw new Error("tf.setBackend('cpu') failed");
  } else {
    // Threads as engine would start them (KDKIT_WASM_THREADS); reported once.
    const { summary, kernelThreads } = await activateWasmBackend({
      kernelThreads: !args.includes('--no-kernel-threads'),
    });
    if (!wasmThreadsReported) emit({ figure: 'wasm_threads', summary, kernelThreads });
    wasmThreadsReported = true;
  }
  await tf.ready();
}

function crossEntropy(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => {
    const oneHot = tf.oneHot(labels, 10);
    return tf.mean(tf.neg(tf.sum(tf.mul(oneHot, tf.logSoftmax(logits)), -1)));
  });
}

/** α·T²·KL(softmax(t/T) ‖ softmax(s/T)) + (1 − α)·CE(s, y), from logits. */
function kdLoss(student: tf.Tensor2D, teacher: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => {
    const logQ = tf.logSoftmax(tf.div(student, TEMPERATURE));
    const logP = tf.logSoftmax(tf.div(teacher, TEMPERATURE));
    const kl = tf.mean(tf.sum(tf.mul(tf.exp(logP), tf.sub(logP, logQ)), -1));
    return tf.add(
      tf.mul(kl, ALPHA * TEMPERATURE * TEMPERATURE),
      tf.mul(crossEntropy(student, labels), 1 - ALPHA),
    );
  });
}

interface Batch {
  readonly xs: tf.Tensor4D;
  readonly ys: tf.Tensor1D;
}

function makeBatches(raw: RawImages, batch: number, count: number): Batch[] {
  return Array.from({ length: count }, (_, i) => {
    const { images, labels } = batchArrays(raw, batch, i);
    return { xs: tf.tensor4d(images, [batch, 28, 28, 1]), ys: tf.tensor1d(labels, 'int32') };
  });
}

function trainableVariables(model: tfl.LayersModel): tf.Variable[] {
  return model.trainableWeights.map((w) => w.read() as tf.Variable);
}

/** One step of the given figure on batch `b`, synchronised by reading the loss/logits. */
function stepper(
  figure: Figure,
  batches: Batch[],
): { step: (i: number) => void; dispose: () => void } {
  const teacher = buildTeacher();
  const student = buildStudent();
  const optimizer = makeOptimizer();
  const cached =
    figure === 'student_kd_cached_logits'
      ? batches.map((b) => teacher.apply(b.xs, { training: false }) as tf.Tensor2D)
      : [];
  const teacherVars = trainableVariables(teacher);
  const studentVars = trainableVariables(student);
  const pick = (i: number) => batches[i % batches.length] as Batch;
  const step = (i: number): void => {
    const { xs, ys } = pick(i);
    if (figure === 'teacher_inference') {
      const logits = tf.tidy(() => teacher.apply(xs, { training: false }) as tf.Tensor);
      logits.dataSync();
      logits.dispose();
      return;
    }
    if (figure === 'teacher_train') {
      const loss = optimizer.minimize(
        () => crossEntropy(teacher.apply(xs, { training: true }) as tf.Tensor2D, ys),
        true,
        teacherVars,
      );
      loss?.dataSync();
      loss?.dispose();
      return;
    }
    const teacherLogits =
      figure === 'student_kd_cached_logits'
        ? (cached[i % cached.length] as tf.Tensor2D)
        : tf.tidy(() => teacher.apply(xs, { training: false }) as tf.Tensor2D);
    const loss = optimizer.minimize(
      () => kdLoss(student.apply(xs, { training: true }) as tf.Tensor2D, teacherLogits, ys),
      true,
      studentVars,
    );
    loss?.dataSync();
    loss?.dispose();
    if (figure !== 'student_kd_cached_logits') teacherLogits.dispose();
  };
  const dispose = () => {
    tf.dispose(cached);
    optimizer.dispose();
    teacher.dispose();
    student.dispose();
  };
  return { step, dispose };
}

function measure(
  setup: Setup,
  figure: Figure,
  raw: RawImages,
  batch: number,
  steps: number,
  warmup = 2,
): number | undefined {
  const batches = makeBatches(raw, batch, 4);
  let runner: ReturnType<typeof stepper> | undefined;
  try {
    runner = stepper(figure, batches);
    for (let i = 0; i < warmup; i++) runner.step(i);
    const start = performance.now();
    for (let i = 0; i < steps; i++) runner.step(i + warmup);
    const seconds = (performance.now() - start) / 1000;
    const imagesPerSecond = Number(((batch * steps) / seconds).toFixed(1));
    emit({ setup, figure, batch, steps, images_per_s: imagesPerSecond });
    return imagesPerSecond;
  } catch (error) {
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
    emit({ setup, figure, batch, error: message });
    return undefined;
  } finally {
    runner?.dispose();
    tf.dispose(batches.flatMap((b) => [b.xs, b.ys]));
  }
}

function profileTeacherStep(raw: RawImages): void {
  const batches = makeBatches(raw, BATCH, 2);
  const runner = stepper('teacher_train', batches);
  runner.step(0);
  const start = performance.now();
  const times = timeKernels('wasm', () => {
    for (let i = 0; i < PROFILE_STEPS; i++) runner.step(i + 1);
  });
  const stepMs = (performance.now() - start) / PROFILE_STEPS;
  runner.dispose();
  tf.dispose(batches.flatMap((b) => [b.xs, b.ys]));
  const kernelMs = times.reduce((sum, t) => sum + t.selfMs, 0) / PROFILE_STEPS;
  emit({
    setup: 'wasm+kdkit',
    profile: 'teacher_train_step',
    batch: BATCH,
    step_ms: +stepMs.toFixed(1),
    kernels_ms: +kernelMs.toFixed(1),
  });
  for (const t of times.filter((k) => k.selfMs / PROFILE_STEPS >= 0.5)) {
    emit({
      setup: 'wasm+kdkit',
      profile: 'teacher_train_step',
      kernel: t.kernel,
      calls_per_step: t.calls / PROFILE_STEPS,
      ms_per_step: Number((t.selfMs / PROFILE_STEPS).toFixed(1)),
      ...(t.selfFlops > 0
        ? {
            gflop_per_step: Number((t.selfFlops / PROFILE_STEPS / 1e9).toFixed(3)),
            gflop_per_s: Number((t.selfFlops / t.selfMs / 1e6).toFixed(1)),
          }
        : {}),
    });
  }
}

/** `/usr/bin/python3` first: another python3 (without torch) may come first on PATH. */
function findTorchPython(): string | undefined {
  for (const candidate of ['/usr/bin/python3', 'python3']) {
    if (candidate.startsWith('/') && !existsSync(candidate)) continue;
    const probe = spawnSync(candidate, ['-c', 'import torch'], { stdio: 'ignore' });
    if (probe.status === 0) return candidate;
  }
  return undefined;
}

/** Runs one figure of bench/torch_nets.py (tuned PyTorch, 2 threads) and echoes its JSON line. */
function runTorch(python: string, figure: Figure): number | undefined {
  const script = fileURLToPath(new URL('./torch_nets.py', import.meta.url));
  const proc = spawnSync(python, [script, '--figure', figure, ...(quick ? ['--quick'] : [])], {
    encoding: 'utf8',
    env: {
      ...process.env,
      OMP_NUM_THREADS: '2',
      OPENBLAS_NUM_THREADS: '2',
      GLIBC_TUNABLES:
        'glibc.malloc.mmap_threshold=4294967296:glibc.malloc.trim_threshold=4294967296',
    },
    maxBuffer: 1 << 24,
  });
  if (proc.status !== 0) {
    emit({
      setup: 'torch-tuned',
      figure,
      error: (proc.stderr || '').trim().split('\n').slice(-3).join(' | '),
    });
    return undefined;
  }
  let result: number | undefined;
  for (const line of proc.stdout.split('\n')) {
    if (!line.trim().startsWith('{')) continue;
    const record = JSON.parse(line) as { images_per_s?: number };
    emit({ python, ...record });
    result = record.images_per_s;
  }
  return result;
}

async function main(): Promise<void> {
  const raw = loadFashionMnist(8 * BATCH);
  emit({
    note: 'shared 2-core machine: figures are noisy; each torch figure runs right after its wasm twin',
    cpus: cpus().length,
    load_average_1min: Number(loadavg()[0]?.toFixed(2)),
  });
  emit({
    figure: 'optimizer',
    summary: tfjsAdam ? 'tf.train.adam (tfjs ops)' : 'fused adam (KdkitAdamUpdate)',
  });
  await useSetup('wasm+kdkit');
  if (!args.includes('--no-kernels')) compareKernels(emit, BATCH, quick ? 1 : 3);
  const python = args.includes('--no-torch') ? undefined : findTorchPython();
  if (!python && !args.includes('--no-torch')) {
    emit({ setup: 'torch-tuned', skipped: 'no python3 that can import torch' });
  }
  for (const figure of FIGURES) {
    const before = tf.memory().numTensors;
    const ours = measure('wasm+kdkit', figure, raw, BATCH, STEPS[figure]);
    const leaked = tf.memory().numTensors - before;
    if (leaked !== 0) emit({ setup: 'wasm+kdkit', figure, leaked_tensors: leaked });
    const theirs = python ? runTorch(python, figure) : undefined;
    if (ours !== undefined && theirs !== undefined) {
      emit({
        figure,
        ratio_wasm_over_torch: Number((ours / theirs).toFixed(3)),
        wasm: ours,
        torch: theirs,
      });
    }
  }
  profileTeacherStep(raw);
  await useSetup('wasm-stock');
  for (const figure of FIGURES) measure('wasm-stock', figure, raw, BATCH, STEPS[figure]);
  if (!args.includes('--no-cpu')) {
    // pure JS: a handful of images, one warm-up step
    await useSetup('cpu');
    for (const figure of FIGURES) {
      const heavy = figure !== 'student_kd_cached_logits';
      measure('cpu', figure, raw, heavy ? 8 : BATCH, heavy ? 1 : 3, 1);
    }
  }
  await useSetup('wasm+kdkit');
}

await main();
