import { assertInteger, KdkitError } from '@kdkit/engine';
import * as tf from '@tensorflow/tfjs-core';

export interface TeacherCacheOptions {
  /**
   * Keep only the k largest logits per sample (plus one residual), cutting memory from
   * `classes` to `2k + 1` numbers per sample. Default: all logits.
   */
  readonly topK?: number;
  /**
   * How many augmentation keys the cache holds at once, one slot of `size` rows each (the
   * un-augmented data is the key `''`): pass datasets' `augment.views` to keep the teacher's
   * logits on every view. Storing under one more key drops the least recently used slot.
   * Default 1: storing under a new key drops the old entries.
   */
  readonly views?: number;
}

/** The entries stored under one augmentation key. */
interface Slot {
  readonly values: Float32Array;
  readonly ids: Int32Array | undefined;
  readonly residual: Float32Array | undefined;
  readonly filled: Uint8Array;
}

/**
 * Teacher logits stored by dataset index, never by batch position, so a shuffled or resumed epoch
 * can't read another sample's targets. Entries also carry an augmentation key: a batch augmented
 * under a key the cache doesn't hold misses, so augmented samples never get the targets of their
 * un-augmented selves. The cache holds up to `views` keys (default 1), one slot each; storing
 * under one more key drops the least recently used slot's entries. With datasets'
 * `augment.views: V` and `views: V`, each image's V augmented views are each run through the
 * teacher once (FKD, Shen & Xing 2022).
 *
 * Memory: up to `size × k × views` float32 logits (k = `classes`, or `topK`), plus with `topK`
 * as many int32 class ids and `size × views` residuals, plus one byte per sample and view. A slot
 * is allocated when its key is first stored (the first one at construction).
 *
 * With `topK`, the other `classes − k` logits are rebuilt as one shared value
 * `log Σ_rest exp(z) − log(classes − k)`: at temperature 1 the top-k probabilities and the total
 * residual mass are exact.
 *
 * @example
 * const cache = new TeacherCache(train.size, 10);
 * const hit = cache.lookup(batch.indices); // tf.Tensor2D or undefined
 * if (!hit) cache.store(batch.indices, teacherLogits.dataSync());
 * // Four augmented views per image: new TeacherCache(train.size, 10, { views: 4 }), looked up
 * // and stored with batch.augmentationKey.
 */
export class TeacherCache {
  readonly size: number;
  readonly classes: number;
  /** Stored numbers per sample. */
  readonly k: number;
  /** The most augmentation keys held at once. */
  readonly views: number;
  /** Slots by augmentation key, least recently used first. */
  private readonly slots = new Map<string, Slot>();
  hits = 0;
  misses = 0;

  constructor(size: number, classes: number, options: TeacherCacheOptions = {}) {
    assertInteger('TeacherCache', 'size', size, 1);
    assertInteger('TeacherCache', 'classes', classes, 1);
    const k = options.topK ?? classes;
    assertInteger('TeacherCache', 'topK', k, 1);
    const views = options.views ?? 1;
    assertInteger('TeacherCache', 'views', views, 1);
    this.size = size;
    this.classes = classes;
    this.k = Math.min(k, classes);
    this.views = views;
    this.slots.set('', this.newSlot());
  }

  private newSlot(): Slot {
    const partial = this.k < this.classes;
    return {
      values: new Float32Array(this.size * this.k),
      ids: partial ? new Int32Array(this.size * this.k) : undefined,
      residual: partial ? new Float32Array(this.size) : undefined,
      filled: new Uint8Array(this.size),
    };
  }

  /** Bytes held by the cache arrays. */
  get bytes(): number {
    let total = 0;
    for (const slot of this.slots.values()) {
      total +=
        slot.values.byteLength +
        slot.filled.byteLength +
        (slot.ids?.byteLength ?? 0) +
        (slot.residual?.byteLength ?? 0);
    }
    return total;
  }

  /** The slot of `key`, marked most recently used; undefined when the cache doesn't hold it. */
  private use(key: string): Slot | undefined {
    const slot = this.slots.get(key);
    if (slot) {
      this.slots.delete(key);
      this.slots.set(key, slot);
    }
    return slot;
  }

  /** The slot to store `key` in: its own, a new one, or the least recently used one, emptied. */
  private slotFor(key: string): Slot {
    const own = this.use(key);
    if (own) return own;
    let slot: Slot;
    if (this.slots.size < this.views) {
      slot = this.newSlot();
    } else {
      const [oldest, reused] = this.slots.entries().next().value as [string, Slot];
      this.slots.delete(oldest);
      reused.filled.fill(0);
      slot = reused;
    }
    this.slots.set(key, slot);
    return slot;
  }

  private checkIndices(where: string, indices: Int32Array): void {
    for (const index of indices) {
      if (!(index >= 0 && index < this.size)) {
        throw new KdkitError(
          'OUT_OF_RANGE',
          `TeacherCache.${where}: dataset index ${index} is outside [0, ${this.size}); the cache was built for a dataset of ${this.size} samples`,
        );
      }
    }
  }

  /** The cached [rows, classes] logits of these dataset indices, or undefined if any is missing. */
  lookup(indices: Int32Array, augmentationKey = ''): tf.Tensor2D | undefined {
    this.checkIndices('lookup', indices);
    const slot = this.slots.get(augmentationKey);
    if (!slot || !indices.every((i) => slot.filled[i] === 1)) {
      this.misses += indices.length;
      return undefined;
    }
    this.use(augmentationKey);
    this.hits += indices.length;
    return this.gather(slot, indices);
  }

  /** Stores a batch's logits and returns them as served from the cache (top-k rebuilt). */
  fill(
    indices: Int32Array,
    logits: Float32Array | Int32Array | Uint8Array,
    augmentationKey = '',
  ): tf.Tensor2D {
    return this.gather(this.write('fill', indices, logits, augmentationKey), indices);
  }

  private gather(slot: Slot, indices: Int32Array): tf.Tensor2D {
    const c = this.classes;
    const { values, ids, residual } = slot;
    const out = new Float32Array(indices.length * c);
    indices.forEach((index, row) => {
      const from = index * this.k;
      if (!ids || !residual) {
        out.set(values.subarray(from, from + c), row * c);
        return;
      }
      out.fill(residual[index] ?? 0, row * c, (row + 1) * c);
      for (let j = 0; j < this.k; j++) {
        out[row * c + (ids[from + j] ?? 0)] = values[from + j] ?? 0;
      }
    });
    return tf.tensor2d(out, [indices.length, c]);
  }

  /** Stores [rows, classes] row-major logits for these dataset indices. */
  store(
    indices: Int32Array,
    logits: Float32Array | Int32Array | Uint8Array,
    augmentationKey = '',
  ): void {
    this.write('store', indices, logits, augmentationKey);
  }

  private write(
    where: string,
    indices: Int32Array,
    logits: Float32Array | Int32Array | Uint8Array,
    augmentationKey: string,
  ): Slot {
    this.checkIndices(where, indices);
    const c = this.classes;
    if (logits.length !== indices.length * c) {
      throw new KdkitError(
        'SHAPE_MISMATCH',
        `TeacherCache.${where}: logits hold ${logits.length} values, expected ${indices.length} rows × ${c} classes`,
      );
    }
    const slot = this.slotFor(augmentationKey);
    const { values, ids, residual, filled } = slot;
    indices.forEach((index, row) => {
      const rowValues = Float32Array.from(logits.subarray(row * c, (row + 1) * c));
      const to = index * this.k;
      if (!ids || !residual) {
        values.set(rowValues, to);
      } else {
        const order = Array.from({ length: c }, (_, i) => i).sort(
          (a, b) => (rowValues[b] ?? 0) - (rowValues[a] ?? 0),
        );
        let max = Number.NEGATIVE_INFINITY;
        for (let j = this.k; j < c; j++) max = Math.max(max, rowValues[order[j] ?? 0] ?? 0);
        let sum = 0;
        for (let j = this.k; j < c; j++) sum += Math.exp((rowValues[order[j] ?? 0] ?? 0) - max);
        residual[index] = max + Math.log(sum) - Math.log(c - this.k);
        for (let j = 0; j < this.k; j++) {
          const cls = order[j] ?? 0;
          ids[to + j] = cls;
          values[to + j] = rowValues[cls] ?? 0;
        }
      }
      filled[index] = 1;
    });
    return slot;
  }
}
