import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { ImageDataset } from '@kdkit/datasets';
import { assertInteger, isKdkitError, KdkitError } from '@kdkit/engine';
import {
  MANIFEST_FILE,
  MANIFEST_FORMAT,
  parseManifest,
  type StoreManifest,
  storeIdentity,
} from '../manifest.js';
import { shardBaseName, shardRange } from '../shard-range.js';
import { ShardWriter } from '../shard-writer.js';
import { type LogitsTeacher, teacherLogits } from '../teacher-logits.js';
import { fileSource } from './file-source.js';
import { HashingFileWriter } from './file-writer.js';
import { sha256File, tempPath, writeFileAtomic } from './files.js';

export interface WriteShardOptions {
  readonly teacher: LogitsTeacher;
  /** Identifies the teacher's weights (e.g. a SHA-256 of its files); every shard must agree. */
  readonly teacherHash: string;
  /** The full dataset; the shard takes its slice of ids. */
  readonly dataset: ImageDataset;
  /** Name recorded in the manifest. Default `dataset.name`. */
  readonly datasetName?: string;
  /** This shard, from 0. */
  readonly shard: number;
  /** Number of shards. */
  readonly of: number;
  /** The store folder (created if missing). */
  readonly out: string;
  /** Keep the k largest logits per sample (with their classes). Default: all logits. */
  readonly topK?: number;
  /** Images per teacher call. Default 256. */
  readonly batchSize?: number;
  /** Rows per Parquet row group (the reader's unit of memory). Default 4096. */
  readonly rowGroupSize?: number;
}

export interface WriteShardResult {
  /** The shard's Parquet file. */
  readonly file: string;
  readonly rows: number;
  readonly bytes: number;
  readonly sha256: string;
  /** Ids `[start, end)` of the shard. */
  readonly start: number;
  readonly end: number;
  /** True when the shard was already complete and nothing was written. */
  readonly skipped: boolean;
}

/**
 * Writes shard `shard` of `of` of a soft-target store: the teacher's raw logits for the dataset
 * ids `shardRange(dataset.size, { shard, of })` (contiguous ranges: the same ids in the same shard
 * whoever runs it) into `<out>/part-IIIII-of-NNNNN.parquet`, plus a sidecar `.json` holding its
 * manifest entry. `mergeStore(out)` joins the sidecars into `manifest.json` once all shards exist.
 *
 * - Atomic: the Parquet file is written under a temp name and renamed; the sidecar (written
 *   last, also atomically) marks the shard finished. A crash leaves no half shard.
 * - Idempotent: when the sidecar and a file with its SHA-256 exist for the same teacher, dataset
 *   and k, it returns `{ skipped: true }` without running the teacher.
 * - Refuses (CONFIG_INVALID) a folder holding a store of another teacher, dataset or k.
 *
 * @example
 * await writeShard({ teacher: layersTeacher(model, { name: 'cnn-teacher' }), teacherHash, dataset: train,
 *   shard: 0, of: 4, out: 'stores/fmnist', topK: 10 });
 */
export async function writeShard(options: WriteShardOptions): Promise<WriteShardResult> {
  const where = 'writeShard';
  const { teacher, dataset, shard, of } = options;
  const batchSize = options.batchSize ?? 256;
  assertInteger(where, 'batchSize', batchSize, 1);
  if (options.topK !== undefined) assertInteger(where, 'topK', options.topK, 1);
  const { start, end } = shardRange(dataset.size, { shard, of });
  const out = resolve(options.out);
  await mkdir(out, { recursive: true });
  const base = shardBaseName({ shard, of });
  const file = `${base}.parquet`;
  const path = join(out, file);
  const sidecar = `${base}.json`;
  const k = options.topK === undefined || options.topK >= dataset.numClasses ? null : options.topK;
  const header = {
    format: MANIFEST_FORMAT,
    version: 1,
    teacher: { name: teacher.name, hash: options.teacherHash },
    dataset: { name: options.datasetName ?? dataset.name, size: dataset.size },
    numClasses: dataset.numClasses,
    k,
  } as const;
  const identity = storeIdentity({ ...header, shards: [] });

  const done = await finishedShard(out, sidecar, identity, path);
  if (done) return { ...done, file: path, start, end, skipped: true };

  const temp = tempPath(path);
  const writer = new HashingFileWriter(temp);
  let finished = false;
  try {
    const shardWriter = new ShardWriter(
      {
        numClasses: dataset.numClasses,
        ...(k === null ? {} : { topK: k }),
        ...(options.rowGroupSize === undefined ? {} : { rowGroupSize: options.rowGroupSize }),
      },
      writer,
    );
    for await (const rows of teacherLogits(teacher, dataset, { start, end, batchSize })) {
      await shardWriter.append(rows);
    }
    await shardWriter.finish();
    finished = true;
    const { size: bytes } = await stat(temp);
    const entry = { file, rows: end - start, bytes, sha256: writer.digest(), shard, of };
    await rename(temp, path);
    const manifest: StoreManifest = { ...header, shards: [entry] };
    await writeFileAtomic(join(out, sidecar), `${JSON.stringify(manifest, null, 2)}\n`);
    return { ...entry, file: path, start, end, skipped: false };
  } finally {
    if (!finished) writer.abort();
    await rm(temp, { force: true });
  }
}

/** The sidecar's entry when the shard is complete (same store, file hash matches), else undefined. */
async function finishedShard(
  out: string,
  sidecar: string,
  identity: string,
  path: string,
): Promise<{ rows: number; bytes: number; sha256: string } | undefined> {
  const source = fileSource(out);
  for (const name of [MANIFEST_FILE, sidecar]) {
    let manifest: StoreManifest;
    try {
      manifest = parseManifest(await source.readJson(name), join(out, name));
    } catch (error) {
      if (isKdkitError(error, 'FILE_NOT_FOUND')) continue;
      throw error;
    }
    if (storeIdentity(manifest) !== identity) {
      throw new KdkitError(
        'CONFIG_INVALID',
        `writeShard: ${join(out, name)} belongs to another store (teacher ${manifest.teacher.name} ${manifest.teacher.hash.slice(0, 12)}, dataset ${manifest.dataset.name} of ${manifest.dataset.size}, ${manifest.numClasses} classes, k ${manifest.k ?? 'all'}); write to another folder or delete it`,
      );
    }
    if (name !== sidecar) continue;
    const entry = manifest.shards[0];
    const hash = await sha256File(path).catch(() => undefined);
    if (entry && hash === entry.sha256) return entry;
  }
  return undefined;
}
