import { createHash } from 'node:crypto';
import { KdkitError } from '@kdkit/engine';
import { type DirFile, writeDirAtomically } from '@kdkit/engine/node';
import * as tf from '@tensorflow/tfjs-core';

/** Weight shards are cut at 4 MiB, like tfjs-converter's, so browsers can fetch them in parallel. */
export const SHARD_BYTES = 4 * 1024 * 1024;

export interface FileSystemSaveOptions {
  /** Merged into model.json's `userDefinedMetadata` (JSON-serializable values only). */
  readonly userDefinedMetadata?: Readonly<Record<string, object>>;
  /** More files written into the same directory in the same atomic step (e.g. optimizer state). */
  readonly extraFiles?: readonly DirFile[];
  /** Bytes per weight shard. Default {@link SHARD_BYTES}. */
  readonly shardBytes?: number;
}

function concat(data: tf.io.WeightData | undefined): Uint8Array {
  if (data === undefined) return new Uint8Array(0);
  return new Uint8Array(tf.io.CompositeArrayBuffer.join(data));
}

/**
 * A `tf.io.IOHandler` that saves a model to directory `dir` on the local filesystem, with no
 * tfjs-node: `model.json` (topology, weights manifest, `userDefinedMetadata`) plus weight shards
 * `group1-shard{i}of{n}.bin`, the standard tfjs format (plus each shard's SHA-256 in the manifest
 * group's `sha256` list, which the load handler checks) that `tf.loadLayersModel` reads from
 * tfjs-node's `file://` handler or over HTTP in a browser. The directory is written atomically
 * (temp dir, then rename) and replaced as a whole; a non-empty directory that holds no
 * `model.json` is refused.
 *
 * @example
 * await model.save(fileSystemSaveHandler('runs/teacher'));
 */
export function fileSystemSaveHandler(
  dir: string,
  options: FileSystemSaveOptions = {},
): tf.io.IOHandler {
  const shardBytes = options.shardBytes ?? SHARD_BYTES;
  return {
    async save(artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> {
      if (artifacts.modelTopology instanceof ArrayBuffer || artifacts.modelTopology === undefined) {
        throw new KdkitError(
          'INVALID_ARGUMENT',
          `fileSystemSaveHandler: '${dir}': expected a JSON model topology (a LayersModel), got ${artifacts.modelTopology === undefined ? 'none' : 'a binary graph'}.`,
        );
      }
      const bytes = concat(artifacts.weightData);
      const count = bytes.byteLength === 0 ? 0 : Math.ceil(bytes.byteLength / shardBytes);
      const shards: DirFile[] = Array.from({ length: count }, (_, i) => ({
        name: `group1-shard${i + 1}of${count}.bin`,
        data: bytes.subarray(i * shardBytes, Math.min((i + 1) * shardBytes, bytes.byteLength)),
      }));
      const userDefinedMetadata = {
        ...artifacts.userDefinedMetadata,
        ...options.userDefinedMetadata,
      };
      const modelJSON: tf.io.ModelJSON = {
        modelTopology: artifacts.modelTopology,
        format: artifacts.format ?? 'layers-model',
        generatedBy: artifacts.generatedBy ?? 'TensorFlow.js tfjs-layers',
        convertedBy: artifacts.convertedBy ?? null,
        weightsManifest: [
          {
            paths: shards.map((s) => s.name),
            weights: artifacts.weightSpecs ?? [],
            // Checked by fileSystemLoadHandler; tfjs's own loaders ignore the extra field.
            sha256: shards.map((s) =>
              createHash('sha256')
                .update(s.data as Uint8Array)
                .digest('hex'),
            ),
          } as tf.io.WeightsManifestConfig[number],
        ],
        ...(artifacts.trainingConfig ? { trainingConfig: artifacts.trainingConfig } : {}),
        ...(artifacts.signature ? { signature: artifacts.signature } : {}),
        ...(Object.keys(userDefinedMetadata).length > 0 ? { userDefinedMetadata } : {}),
      };
      const reserved = new Set(['model.json', ...shards.map((s) => s.name)]);
      for (const extra of options.extraFiles ?? []) {
        if (
          !/^[\w.-]+$/.test(extra.name) ||
          extra.name.startsWith('.') ||
          reserved.has(extra.name)
        ) {
          throw new KdkitError(
            'INVALID_ARGUMENT',
            `fileSystemSaveHandler: extra file name '${extra.name}' must be a plain file name (letters, digits, '_', '-', '.'; no leading '.') other than model.json and the weight shards.`,
          );
        }
      }
      const files: DirFile[] = [
        { name: 'model.json', data: JSON.stringify(modelJSON) },
        ...shards,
        ...(options.extraFiles ?? []),
      ];
      await writeDirAtomically('fileSystemSaveHandler', dir, files, 'model.json');
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    },
  };
}
