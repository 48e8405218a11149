import { mkdir, open, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { KdkitError, type RandomState } from '@kdkit/engine';
import * as tf from '@tensorflow/tfjs-core';
import type { EpochLogs, TrainedModel, TrainerKind, TrainState } from './types.js';

/** The file inside a checkpoint directory. One file, so it is replaced atomically. */
export const CHECKPOINT_FILE = 'checkpoint.kdkc';
const MAGIC = 0x434b444b; // 'KDKC' little-endian
const FORMAT_VERSION = 1;

export interface StoredTensor {
  readonly name: string;
  readonly shape: readonly number[];
  readonly dtype: 'float32' | 'int32';
  readonly values: Float32Array | Int32Array;
}

export interface StoredOptimizer {
  readonly className: string;
  readonly weights: readonly StoredTensor[];
  /** Optimizer fields outside getWeights() (Adam's running β powers), for a bit-exact resume. */
  readonly extra: Readonly<Record<string, number>>;
}

/** Everything a resume needs: weights, optimizer state, progress, RNG state and history. */
export interface CheckpointData {
  readonly kind: TrainerKind;
  readonly completedEpochs: number;
  readonly globalStep: number;
  readonly seed: number;
  readonly rng: RandomState;
  readonly history: readonly EpochLogs[];
  readonly models: readonly {
    readonly name: string;
    readonly weights: readonly StoredTensor[];
    /** Extra trained variables (a loss's adapters), in `extraVariables` order. */
    readonly extra: readonly StoredTensor[];
  }[];
  readonly optimizers: readonly StoredOptimizer[];
}

const ADAM_EXTRA_FIELDS = ['accBeta1', 'accBeta2'] as const;

function store(name: string, tensor: tf.Tensor): StoredTensor {
  if (tensor.dtype !== 'float32' && tensor.dtype !== 'int32') {
    throw new KdkitError(
      'DTYPE_MISMATCH',
      `saveCheckpoint: weight '${name}' has dtype ${tensor.dtype}; only float32 and int32 are stored`,
    );
  }
  const values = tensor.dataSync();
  return {
    name,
    shape: [...tensor.shape],
    dtype: tensor.dtype,
    values: tensor.dtype === 'int32' ? Int32Array.from(values) : Float32Array.from(values),
  };
}

/** Reads the current weights, optimizer state and progress of a run into plain arrays. */
export async function captureCheckpoint(state: TrainState): Promise<CheckpointData> {
  const models = state.models.map(({ name, model, extraVariables }) => ({
    name,
    weights: model.weights.map((w, i) => store(`${i}:${w.originalName}`, w.read())),
    extra: (extraVariables ?? []).map((v, i) => store(`extra${i}`, v)),
  }));
  const optimizers: StoredOptimizer[] = [];
  for (const { optimizer } of state.models) {
    const named = await optimizer.getWeights();
    const weights = named.map((w) => store(w.name, w.tensor));
    // getWeights() returns the live accumulators plus a fresh 'iter' scalar: free only the latter.
    tf.dispose(named.map((w) => w.tensor).filter((t) => !(t instanceof tf.Variable)));
    const extra: Record<string, number> = {};
    const fields = optimizer as unknown as Record<string, unknown>;
    for (const field of ADAM_EXTRA_FIELDS) {
      const value = fields[field];
      if (value instanceof tf.Variable) extra[field] = value.dataSync()[0] ?? 0;
    }
    optimizers.push({ className: optimizer.getClassName(), weights, extra });
  }
  return {
    kind: state.kind,
    completedEpochs: state.completedEpochs,
    globalStep: state.globalStep,
    seed: state.seed,
    rng: state.rng,
    history: state.history,
    models,
    optimizers,
  };
}

interface HeaderTensor {
  name: string;
  shape: number[];
  dtype: 'float32' | 'int32';
  offset: number;
  length: number;
}

/**
 * Writes a checkpoint atomically: to `checkpoint.kdkc.tmp-<pid>` in `dir`, fsync, then rename over
 * `checkpoint.kdkc`. A kill at any moment leaves either the old or the new checkpoint, never half.
 *
 * @example
 * await writeCheckpoint('runs/a', await captureCheckpoint(state));
 */
export async function writeCheckpoint(dir: string, data: CheckpointData): Promise<string> {
  const chunks: (Float32Array | Int32Array)[] = [];
  let offset = 0;
  const describe = (t: StoredTensor): HeaderTensor => {
    const entry = {
      name: t.name,
      shape: [...t.shape],
      dtype: t.dtype,
      offset,
      length: t.values.length,
    };
    chunks.push(t.values);
    offset += t.values.length * 4;
    return entry;
  };
  const header = {
    kind: data.kind,
    completedEpochs: data.completedEpochs,
    globalStep: data.globalStep,
    seed: data.seed,
    rng: data.rng,
    history: data.history,
    models: data.models.map((m) => ({
      name: m.name,
      weights: m.weights.map(describe),
      extra: m.extra.map(describe),
    })),
    optimizers: data.optimizers.map((o) => ({
      className: o.className,
      extra: o.extra,
      weights: o.weights.map(describe),
    })),
  };
  const headerBytes = Buffer.from(JSON.stringify(header), 'utf8');
  const padded = Math.ceil(headerBytes.length / 4) * 4;
  const prefix = Buffer.alloc(12 + padded, 0x20);
  prefix.writeUInt32LE(MAGIC, 0);
  prefix.writeUInt32LE(FORMAT_VERSION, 4);
  prefix.writeUInt32LE(padded, 8);
  headerBytes.copy(prefix, 12);

  await mkdir(dir, { recursive: true });
  const target = join(dir, CHECKPOINT_FILE);
  const temp = `${target}.tmp-${process.pid}`;
  const file = await open(temp, 'w');
  try {
    await file.write(prefix);
    for (const chunk of chunks) {
      await file.write(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    }
    await file.sync();
  } finally {
    await file.close();
  }
  await rename(temp, target);
  return target;
}

/**
 * Reads a checkpoint written by {@link writeCheckpoint} from a directory (or the file itself).
 * Throws `FILE_NOT_FOUND` or `CORRUPT_FILE` naming the path.
 */
export async function readCheckpoint(path: string): Promise<CheckpointData> {
  const file = path.endsWith('.kdkc') ? path : join(path, CHECKPOINT_FILE);
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    throw new KdkitError('FILE_NOT_FOUND', `readCheckpoint: no checkpoint at '${file}'`, {
      cause: error,
    });
  }
  const corrupt = (why: string) =>
    new KdkitError('CORRUPT_FILE', `readCheckpoint: '${file}' is not a valid checkpoint (${why})`);
  if (bytes.length < 12 || bytes.readUInt32LE(0) !== MAGIC) throw corrupt('bad magic');
  if (bytes.readUInt32LE(4) !== FORMAT_VERSION) throw corrupt('unknown version');
  const headerLength = bytes.readUInt32LE(8);
  const dataStart = 12 + headerLength;
  type Header = Omit<CheckpointData, 'models' | 'optimizers'> & {
    models: { name: string; weights: HeaderTensor[]; extra: HeaderTensor[] }[];
    optimizers: { className: string; extra: Record<string, number>; weights: HeaderTensor[] }[];
  };
  let header: Header;
  try {
    header = JSON.parse(bytes.subarray(12, dataStart).toString('utf8')) as Header;
  } catch (error) {
    throw corrupt(`header: ${(error as Error).message}`);
  }
  const load = (t: HeaderTensor): StoredTensor => {
    const start = dataStart + t.offset;
    if (start + t.length * 4 > bytes.length) throw corrupt(`tensor '${t.name}' is truncated`);
    const copy = new Uint8Array(bytes.subarray(start, start + t.length * 4)).buffer;
    const values = t.dtype === 'int32' ? new Int32Array(copy) : new Float32Array(copy);
    return { name: t.name, shape: t.shape, dtype: t.dtype, values };
  };
  return {
    ...header,
    models: header.models.map((m) => ({
      name: m.name,
      weights: m.weights.map(load),
      extra: m.extra.map(load),
    })),
    optimizers: header.optimizers.map((o) => ({
      className: o.className,
      extra: o.extra,
      weights: o.weights.map(load),
    })),
  };
}

const sameShape = (a: readonly number[], b: readonly number[]) =>
  a.length === b.length && a.every((d, i) => d === b[i]);

/**
 * Puts a checkpoint's weights and optimizer state back into the models of a run, checking that
 * the loop kind, model count and every weight shape match.
 */
export async function restoreCheckpoint(
  data: CheckpointData,
  kind: TrainerKind,
  targets: readonly TrainedModel[],
): Promise<void> {
  const where = 'resumeFrom';
  if (data.kind !== kind) {
    throw new KdkitError(
      'CONFIG_INVALID',
      `${where}: checkpoint was written by a '${data.kind}' run, cannot resume a '${kind}' run`,
    );
  }
  if (data.models.length !== targets.length) {
    throw new KdkitError(
      'CONFIG_INVALID',
      `${where}: checkpoint holds ${data.models.length} model(s), this run trains ${targets.length}`,
    );
  }
  targets.forEach(({ name, model }, m) => {
    const stored = data.models[m]?.weights ?? [];
    const live = model.weights;
    if (stored.length !== live.length) {
      throw new KdkitError(
        'SHAPE_MISMATCH',
        `${where}: model '${name}' has ${live.length} weights, the checkpoint ${stored.length}`,
      );
    }
    stored.forEach((s, i) => {
      const shape = (live[i]?.shape ?? []) as number[];
      if (!sameShape(s.shape, shape)) {
        throw new KdkitError(
          'SHAPE_MISMATCH',
          `${where}: model '${name}' weight ${i} ('${live[i]?.originalName}') has shape [${shape.join(', ')}], checkpoint [${s.shape.join(', ')}]`,
        );
      }
    });
    const tensors = stored.map((s) => tf.tensor(s.values, [...s.shape], s.dtype));
    model.setWeights(tensors);
    tf.dispose(tensors);
    const extra = data.models[m]?.extra ?? [];
    const variables = targets[m]?.extraVariables ?? [];
    if (extra.length !== variables.length) {
      throw new KdkitError(
        'SHAPE_MISMATCH',
        `${where}: model '${name}' trains ${variables.length} extra loss variable(s), the checkpoint holds ${extra.length}`,
      );
    }
    variables.forEach((v, i) => {
      const s = extra[i] as StoredTensor;
      if (!sameShape(s.shape, v.shape)) {
        throw new KdkitError(
          'SHAPE_MISMATCH',
          `${where}: extra variable ${i} of '${name}' has shape [${v.shape.join(', ')}], checkpoint [${s.shape.join(', ')}]`,
        );
      }
      tf.tidy(() => v.assign(tf.tensor(s.values, [...s.shape], s.dtype)));
    });
  });
  for (const [m, { name, optimizer }] of targets.entries()) {
    const stored = data.optimizers[m];
    if (!stored || stored.className !== optimizer.getClassName()) {
      throw new KdkitError(
        'CONFIG_INVALID',
        `${where}: model '${name}' uses optimizer ${optimizer.getClassName()}, the checkpoint ${stored?.className ?? 'none'}`,
      );
    }
    const named = stored.weights.map((s) => ({
      name: s.name,
      tensor: tf.tensor(s.values, [...s.shape], s.dtype),
    }));
    await optimizer.setWeights(named);
    tf.dispose(named.map((n) => n.tensor));
    const fields = optimizer as unknown as Record<string, unknown>;
    for (const [field, value] of Object.entries(stored.extra)) {
      const variable = fields[field];
      if (variable instanceof tf.Variable) {
        tf.tidy(() => variable.assign(tf.scalar(value)));
      }
    }
  }
}
