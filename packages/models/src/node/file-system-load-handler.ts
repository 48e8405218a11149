import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { KdkitError } from '@kdkit/engine';
import { confinedPath } from '@kdkit/engine/node';
import * as tf from '@tensorflow/tfjs-core';

type ManifestGroup = tf.io.WeightsManifestConfig[number];

const DTYPE_BYTES: Readonly<Record<string, number>> = {
  float32: 4,
  int32: 4,
  bool: 1,
  complex64: 8,
  uint8: 1,
  uint16: 2,
  float16: 2,
};

/** Bytes a weight occupies in a shard, or undefined when not fixed (strings). */
function weightBytes(spec: tf.io.WeightsManifestEntry): number | undefined {
  const perElement = DTYPE_BYTES[spec.quantization?.dtype ?? spec.dtype];
  return perElement === undefined ? undefined : perElement * spec.shape.reduce((a, b) => a * b, 1);
}

/** A manifest entry with a string name and dtype and a shape of non-negative integers. */
function isWeightSpec(spec: unknown): boolean {
  if (spec === null || typeof spec !== 'object') return false;
  const { name, dtype, shape } = spec as Record<string, unknown>;
  return (
    typeof name === 'string' &&
    typeof dtype === 'string' &&
    Array.isArray(shape) &&
    shape.every((d) => Number.isSafeInteger(d) && (d as number) >= 0)
  );
}

async function readModelJSON(path: string): Promise<tf.io.ModelJSON> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new KdkitError(
      'FILE_NOT_FOUND',
      `fileSystemLoadHandler: cannot read '${path}' (${(error as NodeJS.ErrnoException).code ?? String(error)}); expected a model.json written by saveModel or tfjs.`,
      { cause: error },
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new KdkitError(
      'CORRUPT_FILE',
      `fileSystemLoadHandler: '${path}' is not valid JSON (${error instanceof Error ? error.message : String(error)}); expected a tfjs model.json.`,
      { cause: error },
    );
  }
  const json = parsed as Partial<tf.io.ModelJSON> | null;
  if (
    json === null ||
    typeof json !== 'object' ||
    typeof json.modelTopology !== 'object' ||
    json.modelTopology === null ||
    !Array.isArray(json.weightsManifest) ||
    !json.weightsManifest.every(
      (g) => Array.isArray(g?.paths) && Array.isArray(g?.weights) && g.weights.every(isWeightSpec),
    )
  ) {
    throw new KdkitError(
      'CORRUPT_FILE',
      `fileSystemLoadHandler: '${path}' is not a tfjs model.json; expected an object with 'modelTopology' and a 'weightsManifest' of { paths, weights } groups, each weight with a name, dtype and shape.`,
    );
  }
  return json as tf.io.ModelJSON;
}

async function readGroup(
  base: string,
  group: ManifestGroup,
  modelJSONPath: string,
): Promise<Uint8Array> {
  const files: string[] = [];
  for (const p of group.paths)
    files.push(await confinedPath('fileSystemLoadHandler', base, p, modelJSONPath));
  const digests = (group as { sha256?: unknown }).sha256;
  const buffers: Buffer[] = [];
  for (const file of files) {
    let bytes: Buffer;
    try {
      bytes = await readFile(file);
    } catch (error) {
      throw new KdkitError(
        'FILE_NOT_FOUND',
        `fileSystemLoadHandler: cannot read weight shard '${file}' (${(error as NodeJS.ErrnoException).code ?? String(error)}); it is listed in model.json's weightsManifest.`,
        { cause: error },
      );
    }
    buffers.push(bytes);
  }
  const sizes = group.weights.map(weightBytes);
  const actual = buffers.reduce((sum, b) => sum + b.byteLength, 0);
  if (sizes.every((s) => s !== undefined)) {
    const expected = sizes.reduce<number>((sum, s) => sum + (s ?? 0), 0);
    if (actual !== expected) {
      const what =
        files.length === 1
          ? `weight shard '${files[0]}' has ${actual} bytes`
          : `weight shards ${files.map((f, i) => `'${f}' (${buffers[i]?.byteLength} bytes)`).join(', ')} hold ${actual} bytes`;
      throw new KdkitError(
        'CORRUPT_FILE',
        `fileSystemLoadHandler: ${what}, expected ${expected} for ${group.weights.length} weights (${group.weights
          .slice(0, 3)
          .map((w) => `${w.name} [${w.shape.join(', ')}] ${w.dtype}`)
          .join(', ')}${group.weights.length > 3 ? ', …' : ''}).`,
      );
    }
  }
  // Sizes first (the clearer message for a truncated file), then the recorded digests.
  for (const [i, bytes] of buffers.entries()) {
    const file = files[i] as string;
    const expected = Array.isArray(digests) ? digests[i] : undefined;
    if (typeof expected === 'string') {
      const actual = createHash('sha256').update(bytes).digest('hex');
      if (actual !== expected) {
        throw new KdkitError(
          'CORRUPT_FILE',
          `fileSystemLoadHandler: weight shard '${file}' is corrupt: its SHA-256 is ${actual}, model.json records ${expected}. Restore the file or save the model again.`,
        );
      }
    }
  }
  const data = new Uint8Array(Buffer.concat(buffers, actual));
  assertFiniteWeights(group, data, files, buffers);
  return data;
}

/** Refuses a float32 weight holding NaN or ±Infinity, naming the weight and its shard. */
function assertFiniteWeights(
  group: ManifestGroup,
  data: Uint8Array,
  files: readonly string[],
  buffers: readonly Buffer[],
): void {
  let offset = 0;
  for (const spec of group.weights) {
    const bytes = weightBytes(spec);
    if (bytes === undefined) return; // strings: offsets past here are unknown
    if (
      spec.dtype === 'float32' &&
      spec.quantization === undefined &&
      offset + bytes <= data.length
    ) {
      const values = new Float32Array(data.slice(offset, offset + bytes).buffer);
      const bad = values.findIndex((v) => !Number.isFinite(v));
      if (bad >= 0) {
        let at = offset + bad * 4;
        let shard = 0;
        while (shard < buffers.length - 1 && at >= (buffers[shard]?.byteLength ?? 0)) {
          at -= buffers[shard]?.byteLength ?? 0;
          shard++;
        }
        throw new KdkitError(
          'CORRUPT_FILE',
          `fileSystemLoadHandler: weight '${spec.name}' holds ${values[bad]} (element ${bad}) in shard '${files[shard]}' at byte ${at}; a saved model must have finite weights.`,
        );
      }
    }
    offset += bytes;
  }
}

/**
 * A `tf.io.IOHandler` that loads a model saved in the tfjs format from the local filesystem with
 * no tfjs-node. `path` is the model directory or its `model.json`. Before any tensor is made, every
 * shard path is confined to the model's folder (no absolute path, `..` or escaping symlink), each
 * shard is checked against the byte size the manifest implies and the SHA-256 saved with it, and
 * float32 weights must be finite.
 *
 * @throws KdkitError FILE_NOT_FOUND for a missing model.json or shard, CORRUPT_FILE for invalid
 * JSON, a file that is not a tfjs model.json, or a shard of the wrong size (naming file and sizes).
 * @example
 * const model = await tf.loadLayersModel(fileSystemLoadHandler('runs/teacher'));
 */
export function fileSystemLoadHandler(path: string): tf.io.IOHandler {
  const modelJSONPath = path.endsWith('.json') ? resolve(path) : join(resolve(path), 'model.json');
  return {
    async load(): Promise<tf.io.ModelArtifacts> {
      const modelJSON = await readModelJSON(modelJSONPath);
      return tf.io.getModelArtifactsForJSON(modelJSON, async (manifest) => {
        const base = dirname(modelJSONPath);
        const parts: Uint8Array[] = [];
        for (const group of manifest) parts.push(await readGroup(base, group, modelJSONPath));
        const specs = manifest.flatMap((group) => group.weights);
        const data = Buffer.concat(parts);
        return [specs, data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength)];
      });
    },
  };
}
