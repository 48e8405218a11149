import { KdkitError, type RandomState } from '@kdkit/engine';
import * as tf from '@tensorflow/tfjs-core';
import type { EpochLogs, PartialEpoch, TrainedModel, TrainerKind, TrainState } from './types.js';

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
  /** The run's settings ({@link TrainState.recipe}); a resume with other settings is refused. */
  readonly recipe?: Readonly<Record<string, unknown>>;
  /** Set when the run was interrupted inside an epoch: the resume continues at the next batch. */
  readonly partialEpoch?: PartialEpoch;
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
    recipe: state.recipe,
    ...(state.partialEpoch ? { partialEpoch: state.partialEpoch } : {}),
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
 * Encodes a checkpoint in kdkit's `.kdkc` layout, as byte chunks to write one after another:
 * a 12-byte prefix (magic `KDKC`, format version, header length; little-endian uint32s), a JSON
 * header padded with spaces to a multiple of 4 bytes, then every tensor's values (float32 or
 * int32, little-endian) in header order.
 *
 * @example
 * const bytes = encodeCheckpoint(await captureCheckpoint(state)); // Uint8Array[]
 */
export function encodeCheckpoint(data: CheckpointData): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  let offset = 0;
  const describe = (t: StoredTensor): HeaderTensor => {
    const entry = {
      name: t.name,
      shape: [...t.shape],
      dtype: t.dtype,
      offset,
      length: t.values.length,
    };
    chunks.push(new Uint8Array(t.values.buffer, t.values.byteOffset, t.values.byteLength));
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
    ...(data.recipe ? { recipe: data.recipe } : {}),
    ...(data.partialEpoch ? { partialEpoch: data.partialEpoch } : {}),
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
  const headerBytes = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(headerBytes.length / 4) * 4;
  const prefix = new Uint8Array(12 + padded).fill(0x20);
  const view = new DataView(prefix.buffer);
  view.setUint32(0, MAGIC, true);
  view.setUint32(4, FORMAT_VERSION, true);
  view.setUint32(8, padded, true);
  prefix.set(headerBytes, 12);
  return [prefix, ...chunks];
}

/**
 * Decodes the bytes {@link encodeCheckpoint} wrote. Throws `CORRUPT_FILE` naming `source`
 * (a file path or a store's description) when they are not a valid checkpoint.
 */
export function decodeCheckpoint(bytes: Uint8Array, source: string): CheckpointData {
  const corrupt = (why: string) =>
    new KdkitError(
      'CORRUPT_FILE',
      `readCheckpoint: '${source}' is not a valid checkpoint (${why})`,
    );
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 12 || view.getUint32(0, true) !== MAGIC) throw corrupt('bad magic');
  if (view.getUint32(4, true) !== FORMAT_VERSION) throw corrupt('unknown version');
  const headerLength = view.getUint32(8, true);
  const dataStart = 12 + headerLength;
  if (dataStart > bytes.length) throw corrupt('truncated header');
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(12, dataStart)));
  } catch (error) {
    throw corrupt(`header: ${(error as Error).message}`);
  }
  const check = (ok: boolean, what: string): void => {
    if (!ok) throw corrupt(`header field ${what}`);
  };
  const isObject = (v: unknown): v is Record<string, unknown> =>
    v !== null && typeof v === 'object' && !Array.isArray(v);
  const count = (v: unknown) => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
  const list = (v: unknown, what: string): unknown[] => {
    check(Array.isArray(v), `${what} is not a list`);
    return v as unknown[];
  };
  check(isObject(header), 'header is not an object');
  const h = header as Record<string, unknown>;
  check(h['kind'] === 'supervised' || h['kind'] === 'distill' || h['kind'] === 'mutual', "'kind'");
  check(count(h['completedEpochs']) && count(h['globalStep']) && count(h['seed']), 'progress');
  check(isObject(h['rng']), "'rng'");
  const history = list(h['history'], "'history'");
  check(history.every(isObject), "'history' entries");
  check(h['recipe'] === undefined || isObject(h['recipe']), "'recipe'");
  const partial = h['partialEpoch'];
  check(
    partial === undefined ||
      (isObject(partial) &&
        count(partial['batches']) &&
        count(partial['images']) &&
        isObject(partial['sums'])),
    "'partialEpoch'",
  );
  const load = (entry: unknown): StoredTensor => {
    check(isObject(entry), 'tensor entry');
    const t = entry as Record<string, unknown>;
    const name = String(t['name']);
    const shape = list(t['shape'], `shape of '${name}'`);
    check(shape.every(count), `shape of '${name}'`);
    check(t['dtype'] === 'float32' || t['dtype'] === 'int32', `dtype of '${name}'`);
    check(count(t['offset']) && count(t['length']), `offset of '${name}'`);
    const length = t['length'] as number;
    check(
      (shape as number[]).reduce((a, b) => a * b, 1) === length,
      `length of '${name}' (does not match its shape)`,
    );
    const start = dataStart + (t['offset'] as number);
    if (start + length * 4 > bytes.length) throw corrupt(`tensor '${name}' is truncated`);
    // A copy (a Node Buffer's slice() is a view into a shared pool).
    const copy = new Uint8Array(bytes.subarray(start, start + length * 4)).buffer;
    const dtype = t['dtype'] as 'float32' | 'int32';
    const values = dtype === 'int32' ? new Int32Array(copy) : new Float32Array(copy);
    return { name, shape: shape as number[], dtype, values };
  };
  const models = list(h['models'], "'models'").map((m) => {
    check(isObject(m), "'models' entry");
    const model = m as Record<string, unknown>;
    return {
      name: String(model['name']),
      weights: list(model['weights'], 'model weights').map(load),
      extra: list(model['extra'], 'model extra variables').map(load),
    };
  });
  const optimizers = list(h['optimizers'], "'optimizers'").map((o) => {
    check(isObject(o) && typeof o['className'] === 'string', "'optimizers' entry");
    const optimizer = o as Record<string, unknown>;
    const extra = optimizer['extra'];
    check(
      isObject(extra) && Object.values(extra).every((v) => typeof v === 'number'),
      'optimizer extra',
    );
    return {
      className: optimizer['className'] as string,
      extra: extra as Record<string, number>,
      weights: list(optimizer['weights'], 'optimizer weights').map(load),
    };
  });
  return {
    kind: h['kind'] as TrainerKind,
    completedEpochs: h['completedEpochs'] as number,
    globalStep: h['globalStep'] as number,
    seed: h['seed'] as number,
    rng: h['rng'] as RandomState,
    history: history as unknown as EpochLogs[],
    ...(h['recipe'] ? { recipe: h['recipe'] as Record<string, unknown> } : {}),
    ...(partial ? { partialEpoch: partial as PartialEpoch } : {}),
    models,
    optimizers,
  };
}

const sameShape = (a: readonly number[], b: readonly number[]) =>
  a.length === b.length && a.every((d, i) => d === b[i]);

/**
 * Puts a checkpoint's weights and optimizer state back into the models of a run, checking that
 * the loop kind, model count and every weight shape match and, with `expected`, that the run's
 * settings are the checkpoint's (before any weight is touched).
 */
export async function restoreCheckpoint(
  data: CheckpointData,
  kind: TrainerKind,
  targets: readonly TrainedModel[],
  expected?: { readonly recipe: Readonly<Record<string, unknown>>; readonly source: string },
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
  if (expected !== undefined && data.recipe !== undefined)
    assertSameRecipe(expected.source, data.recipe, expected.recipe);
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

/** Canonical JSON (sorted keys), so settings compare by value. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'undefined';
}

/**
 * Refuses a resume whose settings differ from the checkpoint's, naming each with both values.
 * `epochs` may grow (the run is extended), never shrink.
 */
function assertSameRecipe(
  source: string,
  stored: Readonly<Record<string, unknown>>,
  current: Readonly<Record<string, unknown>>,
): void {
  const keys = [...new Set([...Object.keys(stored), ...Object.keys(current)])];
  const differing = keys.filter(
    (key) =>
      canonical(stored[key]) !== canonical(current[key]) &&
      !(key === 'epochs' && Number(current[key]) > Number(stored[key])),
  );
  if (differing.length === 0) return;
  const show = (value: unknown) => (value === undefined ? '(not set)' : canonical(value));
  throw new KdkitError(
    'CONFIG_INVALID',
    `resumeFrom: the checkpoint in ${source} belongs to a run with other settings: ${differing
      .map((key) => `${key} ${show(stored[key])} in the checkpoint, ${show(current[key])} now`)
      .join(
        '; ',
      )}. Resume with the checkpoint's settings (epochs may only grow), or start over without resuming.`,
  );
}
