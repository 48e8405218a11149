import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The four speed figures, named as the wasm-kernels benchmark names them. */
export type SpeedFigure =
  | 'teacher-train'
  | 'teacher-inference'
  | 'student-kd-train'
  | 'student-kd-train-cached';

export const SPEED_FIGURES: readonly SpeedFigure[] = [
  'teacher-train',
  'teacher-inference',
  'student-kd-train',
  'student-kd-train-cached',
];

export interface TorchRun {
  readonly python: string;
  readonly script: string;
  readonly info: Readonly<Record<string, unknown>>;
  readonly figures: Partial<Record<SpeedFigure, number>>;
}

/** The anchor's malloc tuning (issue 3): page faults are expensive on these VMs. */
const GLIBC_TUNABLES =
  'glibc.malloc.mmap_threshold=4294967296:glibc.malloc.trim_threshold=4294967296';

/**
 * The PyTorch twins of the bench nets, kept by @kdkit/wasm-kernels beside its own benchmark (one
 * copy for both benchmarks). The bench app is private and runs inside the repo, so a repo-relative
 * path is stable from src/ and dist/.
 */
export const TORCH_SCRIPT = fileURLToPath(
  new URL('../../../packages/wasm-kernels/bench/torch_nets.py', import.meta.url),
);

/** The script's figure names → ours. */
const FIGURE_NAMES: Readonly<Record<string, SpeedFigure>> = {
  teacher_train: 'teacher-train',
  teacher_inference: 'teacher-inference',
  student_kd_teacher_forward: 'student-kd-train',
  student_kd_cached_logits: 'student-kd-train-cached',
};

/**
 * The first Python that imports torch: `$KDKIT_PYTHON`, then Debian's `/usr/bin/python3` (a
 * pyenv shim may come first on PATH without torch), then `python3` on PATH.
 */
export async function findTorchPython(
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<string | undefined> {
  const candidates = [env['KDKIT_PYTHON'], '/usr/bin/python3', 'python3'].filter(
    (c): c is string => Boolean(c) && (c === 'python3' || existsSync(c as string)),
  );
  for (const python of candidates) {
    try {
      await run(python, ['-c', 'import torch'], { timeout: 60_000 });
      return python;
    } catch {
      // next candidate
    }
  }
  return undefined;
}

/**
 * Runs the PyTorch anchor script (same nets, batch 128, 2 threads, channels_last, the tuned malloc
 * thresholds) and returns its figures in images/s. `quick` runs fewer steps.
 */
export async function runTorchBench(
  python: string,
  options: { quick: boolean },
): Promise<TorchRun> {
  if (!existsSync(TORCH_SCRIPT)) {
    throw new Error(`the PyTorch anchor script ${TORCH_SCRIPT} is missing`);
  }
  const { stdout } = await run(python, [TORCH_SCRIPT, ...(options.quick ? ['--quick'] : [])], {
    env: { ...process.env, GLIBC_TUNABLES },
    timeout: 30 * 60_000,
    maxBuffer: 1 << 20,
  });
  let info: Record<string, unknown> = {};
  const figures: Partial<Record<SpeedFigure, number>> = {};
  for (const line of stdout.split('\n')) {
    if (!line.trim().startsWith('{')) continue;
    const { figure, images_per_s: rate, ...rest } = JSON.parse(line) as Record<string, unknown>;
    const name = typeof figure === 'string' ? FIGURE_NAMES[figure] : undefined;
    if (name && typeof rate === 'number') {
      figures[name] = rate;
      info = rest;
    }
  }
  return { python, script: TORCH_SCRIPT, info, figures };
}

/** The script that exports `cnn-teacher`'s PyTorch twin to ONNX (repo-relative, like TORCH_SCRIPT). */
export const EXPORT_SCRIPT = fileURLToPath(
  new URL('../torch/export_teacher_onnx.py', import.meta.url),
);

/** What the export script reports of the file it wrote. */
export interface TwinExport {
  readonly path: string;
  readonly bytes: number;
  /** Weights, batch-norm running statistics included (as kdkit counts the zoo net's). */
  readonly params: number;
  readonly opset: number;
  readonly seed: number;
  readonly torch: string;
}

/** The export script's JSON line, checked; throws naming the script when it is missing or malformed. */
export function parseTwinExport(stdout: string): TwinExport {
  const line = stdout.split('\n').find((l) => l.trim().startsWith('{'));
  const record = line ? (JSON.parse(line) as Record<string, unknown>) : {};
  const { path, bytes, params, opset, seed, torch } = record;
  if (
    typeof path !== 'string' ||
    typeof bytes !== 'number' ||
    typeof params !== 'number' ||
    typeof opset !== 'number' ||
    typeof seed !== 'number' ||
    typeof torch !== 'string'
  ) {
    throw new Error(
      `${EXPORT_SCRIPT} printed no JSON line with path, bytes, params, opset, seed and torch`,
    );
  }
  return { path, bytes, params, opset, seed, torch };
}

/** Exports `cnn-teacher`'s PyTorch twin (seed 0, opset 13, dynamic batch) to `out` with `python`. */
export async function exportTeacherTwin(python: string, out: string): Promise<TwinExport> {
  const { stdout } = await run(python, [EXPORT_SCRIPT, out], {
    timeout: 10 * 60_000,
    maxBuffer: 1 << 20,
  });
  return parseTwinExport(stdout);
}
