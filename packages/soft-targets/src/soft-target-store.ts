import { assertInteger, KdkitError } from '@kdkit/engine';
import * as tf from '@tensorflow/tfjs-core';
import { TOP_K_FILL } from './columns.js';
import { MANIFEST_FILE, parseManifest, type ShardEntry, type StoreManifest } from './manifest.js';
import { type RowGroupChunk, readShard } from './read-shard.js';
import { shardRange } from './shard-range.js';
import { type StoreSource, urlSource } from './source.js';
import { expandTopK } from './top-k.js';

/** What {@link SoftTargetStore.fillCache} needs of a cache: @kdkit/trainers' `TeacherCache` fits. */
export interface CacheLike {
  readonly size: number;
  readonly classes: number;
  store(indices: Int32Array, logits: Float32Array, augmentationKey?: string): void;
}

/** A dataset as far as the store's checks go (an `ImageDataset` fits). */
export interface DatasetShape {
  readonly size: number;
  readonly numClasses: number;
  readonly name?: string;
}

export interface SoftTargetStoreOptions {
  /** Logit of the classes a top-k store left out, when rows are expanded. Default {@link TOP_K_FILL}. */
  readonly fill?: number;
  /** Decoded row groups `lookup` keeps (least recently used goes first). Default 2. */
  readonly rowGroupCache?: number;
  /** Bytes fetched to find a shard's footer. Default 64 KiB. */
  readonly footerFetchBytes?: number;
}

/** One row group of the store, by shard entry and group number. */
interface GroupRef {
  readonly shard: number;
  readonly group: number;
}

const MAX_LISTED = 10;

/**
 * A soft-target store opened for reading: teacher logits by dataset id, streamed from Parquet
 * shards one row group at a time. Use it as an offline teacher:
 *
 * - `fillCache(cache)` fills a @kdkit/trainers `TeacherCache` (after checking the store covers
 *   the cache's dataset, ids 0…size−1 exactly once), then `distill({ teacherCache: cache, … })`
 *   trains from the stored logits, bit for bit as from the live teacher with the cache;
 * - `lookup(indices)` serves a batch's dataset `indices` straight from disk with bounded memory
 *   (for stores larger than RAM; each call decodes the row groups the ids fall in).
 *
 * Logits are raw (before temperature). Rows of a top-k store are expanded to all classes with
 * `fill` (default {@link TOP_K_FILL}, −1e9) for the classes left out, so their probability is 0:
 * fine for KL / soft CE, not for losses on raw logits.
 *
 * Memory: one decoded row group at a time while streaming; `checkDataset` adds an index of
 * 8 bytes per sample; `lookup` keeps `rowGroupCache` decoded row groups.
 *
 * @example
 * const store = await openSoftTargetStore('https://example.org/stores/fmnist/');
 * await store.checkDataset(train); // refuses a store of another dataset, before any step
 * const cache = new TeacherCache(train.size, train.numClasses);
 * await store.fillCache(cache);
 */
export class SoftTargetStore {
  readonly kind = 'soft-target-store';
  /** The teacher's name (from the manifest). */
  readonly name: string;
  readonly numClasses: number;
  /** Logits per row: null = all classes. */
  readonly k: number | null;
  /** Rows over all shards (per the manifest). */
  readonly rows: number;
  readonly fill: number;
  private readonly rowGroupCache: number;
  private readonly footerFetchBytes: number;
  private groups: GroupRef[] = [];
  /** Per dataset id: its row group (index into `groups`) and row in it; −1 = absent. */
  private location: Int32Array | undefined;
  private rowInGroup: Int32Array | undefined;
  private readonly decoded = new Map<number, RowGroupChunk>();

  constructor(
    readonly source: StoreSource,
    readonly manifest: StoreManifest,
    options: SoftTargetStoreOptions = {},
  ) {
    this.name = manifest.teacher.name;
    this.numClasses = manifest.numClasses;
    this.k = manifest.k;
    this.rows = manifest.shards.reduce((s, e) => s + e.rows, 0);
    this.fill = options.fill ?? TOP_K_FILL;
    this.rowGroupCache = options.rowGroupCache ?? 2;
    assertInteger('SoftTargetStore', 'rowGroupCache', this.rowGroupCache, 1);
    this.footerFetchBytes = options.footerFetchBytes ?? 1 << 16;
  }

  private get width(): number {
    return this.k ?? this.numClasses;
  }

  private where(file: string): string {
    return `${this.source.location.replace(/[/\\]+$/, '')}/${file}`;
  }

  /** Row groups of one shard (all of them, or `groups`), checked against its manifest entry. */
  private async *shard(
    entry: ShardEntry,
    columns: 'ids' | 'all',
    groups?: readonly number[],
  ): AsyncGenerator<RowGroupChunk, void, undefined> {
    const file = this.where(entry.file);
    const buffer = await this.source.open(entry.file);
    try {
      if (buffer.byteLength !== entry.bytes) {
        throw new KdkitError(
          'CORRUPT_FILE',
          `SoftTargetStore: ${file} is ${buffer.byteLength} bytes; the manifest says ${entry.bytes} (truncated or rewritten). Rewrite the shard and run 'kdkit soft-targets merge' again.`,
        );
      }
      let rows = 0;
      for await (const chunk of readShard(buffer, {
        file,
        width: this.width,
        topK: this.k !== null,
        columns,
        footerFetchBytes: this.footerFetchBytes,
        ...(groups ? { groups } : {}),
      })) {
        rows += chunk.rows;
        yield chunk;
      }
      if (!groups && rows !== entry.rows) {
        throw new KdkitError(
          'CORRUPT_FILE',
          `SoftTargetStore: ${file} holds ${rows} rows; the manifest says ${entry.rows}`,
        );
      }
    } finally {
      await buffer.close?.();
    }
  }

  /**
   * Every row group of the store in manifest order, one decoded group at a time (the next is read
   * only when asked for). `columns: 'ids'` reads only the id column.
   */
  async *chunks(
    options: { columns?: 'ids' | 'all' } = {},
  ): AsyncGenerator<RowGroupChunk, void, undefined> {
    for (const entry of this.manifest.shards) yield* this.shard(entry, options.columns ?? 'all');
  }

  /**
   * Checks that the store fits a dataset, before any training step: same number of classes, the
   * same dataset size, and ids covering 0…size−1 exactly once (SHAPE_MISMATCH, or
   * CORRUPT_FILE naming the missing and duplicate ids and their shards). Builds the id index
   * `lookup` uses (8 bytes per sample). Reads only the id column.
   */
  async checkDataset(dataset: DatasetShape): Promise<void> {
    const where = 'SoftTargetStore.checkDataset';
    const m = this.manifest;
    if (dataset.numClasses !== m.numClasses || dataset.size !== m.dataset.size) {
      throw new KdkitError(
        'SHAPE_MISMATCH',
        `${where}: the store in ${this.source.location} holds logits of ${m.numClasses} classes for dataset '${m.dataset.name}' (${m.dataset.size} samples), but the training set${dataset.name ? ` '${dataset.name}'` : ''} has ${dataset.size} samples of ${dataset.numClasses} classes`,
      );
    }
    if (this.location?.length === dataset.size) return;
    await this.indexIds(dataset.size);
  }

  private async indexIds(size: number): Promise<void> {
    const where = 'SoftTargetStore.checkDataset';
    const location = new Int32Array(size).fill(-1);
    const rowInGroup = new Int32Array(size);
    const groups: GroupRef[] = [];
    const outside: string[] = [];
    const duplicates: string[] = [];
    for (const [shard, entry] of this.manifest.shards.entries()) {
      for await (const chunk of this.shard(entry, 'ids')) {
        const g = groups.push({ shard, group: chunk.group }) - 1;
        chunk.ids.forEach((id, row) => {
          if (!(Number.isInteger(id) && id >= 0 && id < size)) {
            if (outside.length < MAX_LISTED) outside.push(`${id} (${entry.file})`);
            return;
          }
          const before = location[id] as number;
          if (before >= 0) {
            const first = this.manifest.shards[groups[before]?.shard ?? 0]?.file;
            if (duplicates.length < MAX_LISTED) {
              duplicates.push(
                `${id} (${first === entry.file ? `twice in ${first}` : `${first} and ${entry.file}`})`,
              );
            }
            return;
          }
          location[id] = g;
          rowInGroup[id] = row;
        });
      }
    }
    const missing: number[] = [];
    let missingCount = 0;
    location.forEach((g, id) => {
      if (g >= 0) return;
      missingCount++;
      if (missing.length < MAX_LISTED) missing.push(id);
    });
    if (outside.length || duplicates.length || missingCount) {
      const parts = [
        outside.length ? `ids outside [0, ${size}): ${outside.join(', ')}` : '',
        duplicates.length ? `duplicate ids: ${duplicates.join(', ')}` : '',
        missingCount
          ? `${missingCount} missing id${missingCount === 1 ? '' : 's'}: ${missing.join(', ')}${missingCount > missing.length ? ', …' : ''}${this.ownerHint(missing[0] ?? 0, size)}`
          : '',
      ].filter(Boolean);
      throw new KdkitError(
        'CORRUPT_FILE',
        `${where}: the shards in ${this.source.location} must hold every id of 0…${size - 1} exactly once; ${parts.join('; ')}`,
      );
    }
    this.groups = groups;
    this.location = location;
    this.rowInGroup = rowInGroup;
  }

  /** For kdkit-written shards: which shard should have held `id`. */
  private ownerHint(id: number, size: number): string {
    const of = this.manifest.shards[0]?.of;
    if (of === undefined) return '';
    let shard = 0;
    while (shard + 1 < of && shardRange(size, { shard: shard + 1, of }).start <= id) shard++;
    return ` (id ${id} belongs in shard ${shard}/${of}: run 'kdkit soft-targets --shard ${shard}/${of}' again)`;
  }

  /** A chunk's rows as `[rows, numClasses]` logits (top-k expanded with `fill`). */
  private fullLogits(chunk: RowGroupChunk): Float32Array {
    const logits = chunk.logits ?? new Float32Array(0);
    if (this.k === null || !chunk.indices) return logits;
    return expandTopK(logits, chunk.indices, this.k, this.numClasses, this.fill);
  }

  /**
   * Fills a teacher cache (e.g. @kdkit/trainers' `TeacherCache`) from the store, streaming one
   * row group at a time, after {@link checkDataset} against the cache's size and classes.
   * Rows stored under an augmentation key are used only when `augmentationKey` matches.
   */
  async fillCache(cache: CacheLike, augmentationKey = ''): Promise<void> {
    await this.checkDataset({ size: cache.size, numClasses: cache.classes });
    for await (const chunk of this.chunks()) {
      const logits = this.fullLogits(chunk);
      const keys = chunk.augmentationKeys;
      const rows = keys
        ? Array.from({ length: chunk.rows }, (_, r) => r).filter((r) => keys[r] === augmentationKey)
        : undefined;
      if (!rows) {
        cache.store(Int32Array.from(chunk.ids), logits, augmentationKey);
        continue;
      }
      const c = this.numClasses;
      const picked = new Float32Array(rows.length * c);
      rows.forEach((r, i) => {
        picked.set(logits.subarray(r * c, (r + 1) * c), i * c);
      });
      cache.store(
        Int32Array.from(rows, (r) => chunk.ids[r] as number),
        picked,
        augmentationKey,
      );
    }
  }

  /**
   * The `[indices.length, numClasses]` logits of these dataset ids (a batch's `indices`), read
   * from the shards with bounded memory. Runs {@link checkDataset} first if it has not run
   * (against the manifest's dataset size). The tensor is the caller's to dispose.
   */
  async lookup(indices: Int32Array): Promise<tf.Tensor2D> {
    if (!this.location) {
      await this.checkDataset({ size: this.manifest.dataset.size, numClasses: this.numClasses });
    }
    const location = this.location as Int32Array;
    const rowInGroup = this.rowInGroup as Int32Array;
    const c = this.numClasses;
    const out = new Float32Array(indices.length * c);
    const byGroup = new Map<number, number[]>();
    indices.forEach((id, i) => {
      const g = id >= 0 && id < location.length ? (location[id] as number) : -1;
      if (g < 0) {
        throw new KdkitError(
          'OUT_OF_RANGE',
          `SoftTargetStore.lookup: dataset id ${id} is outside [0, ${location.length}), the ids of the store's dataset '${this.manifest.dataset.name}'`,
        );
      }
      byGroup.set(g, [...(byGroup.get(g) ?? []), i]);
    });
    for (const [g, positions] of byGroup) {
      const logits = this.fullLogits(await this.decodedGroup(g));
      for (const i of positions) {
        const row = rowInGroup[indices[i] as number] as number;
        out.set(logits.subarray(row * c, (row + 1) * c), i * c);
      }
    }
    return tf.tensor2d(out, [indices.length, c]);
  }

  private async decodedGroup(g: number): Promise<RowGroupChunk> {
    const cached = this.decoded.get(g);
    if (cached) {
      this.decoded.delete(g);
      this.decoded.set(g, cached);
      return cached;
    }
    const ref = this.groups[g] as GroupRef;
    const entry = this.manifest.shards[ref.shard] as ShardEntry;
    let chunk: RowGroupChunk | undefined;
    for await (const c of this.shard(entry, 'all', [ref.group])) chunk = c;
    const decoded = chunk as RowGroupChunk;
    this.decoded.set(g, decoded);
    while (this.decoded.size > this.rowGroupCache) {
      this.decoded.delete(this.decoded.keys().next().value as number);
    }
    return decoded;
  }
}

/**
 * Opens a soft-target store: a {@link StoreSource}, or the base URL of a store served over HTTP.
 * Reads and checks `manifest.json` (CONFIG_INVALID naming the file when it is malformed).
 * On disk, use `softTargetStore(dir)` from `@kdkit/soft-targets/node`.
 *
 * @example
 * const store = await openSoftTargetStore('https://example.org/stores/fmnist/');
 * for await (const { ids, logits } of store.chunks()) { … } // one row group at a time
 */
export async function openSoftTargetStore(
  source: StoreSource | string | URL,
  options: SoftTargetStoreOptions = {},
): Promise<SoftTargetStore> {
  const src = typeof source === 'string' || source instanceof URL ? urlSource(source) : source;
  const manifest = parseManifest(
    await src.readJson(MANIFEST_FILE),
    `${src.location.replace(/[/\\]+$/, '')}/${MANIFEST_FILE}`,
  );
  return new SoftTargetStore(src, manifest, options);
}
