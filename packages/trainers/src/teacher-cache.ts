import { assertInteger, KdkitError } from '@kdkit/engine';
import * as tf from '@tensorflow/tfjs-core';

export interface TeacherCacheOptions {
  /**
   * Keep only the k largest logits per sample (plus one residual), cutting memory from
   * `classes` to `2k + 1` numbers per sample. Default: all logits.
   */
  readonly topK?: number;
}

/**
 * Teacher logits stored by dataset index, never by batch position, so a shuffled or resumed epoch
 * can't read another sample's targets. Entries also carry an augmentation key: a batch augmented
 * under a different key misses (and storing under a new key drops the old entries), so augmented
 * samples never get the targets of their un-augmented selves.
 *
 * With `topK`, the other `classes − k` logits are rebuilt as one shared value
 * `log Σ_rest exp(z) − log(classes − k)`: at temperature 1 the top-k probabilities and the total
 * residual mass are exact.
 *
 * @example
 * const cache = new TeacherCache(train.size, 10);
 * const hit = cache.lookup(batch.indices); // tf.Tensor2D or undefined
 * if (!hit) cache.store(batch.indices, teacherLogits.dataSync());
 */
export class TeacherCache {
  readonly size: number;
  readonly classes: number;
  /** Stored numbers per sample. */
  readonly k: number;
  private readonly values: Float32Array;
  private readonly ids: Int32Array | undefined;
  private readonly residual: Float32Array | undefined;
  private readonly filled: Uint8Array;
  private key = '';
  hits = 0;
  misses = 0;

  constructor(size: number, classes: number, options: TeacherCacheOptions = {}) {
    assertInteger('TeacherCache', 'size', size, 1);
    assertInteger('TeacherCache', 'classes', classes, 1);
    const k = options.topK ?? classes;
    assertInteger('TeacherCache', 'topK', k, 1);
    this.size = size;
    this.classes = classes;
    this.k = Math.min(k, classes);
    this.values = new Float32Array(size * this.k);
    this.filled = new Uint8Array(size);
    if (this.k < classes) {
      this.ids = new Int32Array(size * this.k);
      this.residual = new Float32Array(size);
    }
  }

  /** Bytes held by the cache arrays. */
  get bytes(): number {
    return (
      this.values.byteLength +
      this.filled.byteLength +
      (this.ids?.byteLength ?? 0) +
      (this.residual?.byteLength ?? 0)
    );
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
    const complete = augmentationKey === this.key && indices.every((i) => this.filled[i] === 1);
    if (!complete) {
      this.misses += indices.length;
      return undefined;
    }
    this.hits += indices.length;
    return this.gather(indices);
  }

  /** Stores a batch's logits and returns them as served from the cache (top-k rebuilt). */
  fill(
    indices: Int32Array,
    logits: Float32Array | Int32Array | Uint8Array,
    augmentationKey = '',
  ): tf.Tensor2D {
    this.store(indices, logits, augmentationKey);
    return this.gather(indices);
  }

  private gather(indices: Int32Array): tf.Tensor2D {
    const c = this.classes;
    const out = new Float32Array(indices.length * c);
    indices.forEach((index, row) => {
      const from = index * this.k;
      if (!this.ids || !this.residual) {
        out.set(this.values.subarray(from, from + c), row * c);
        return;
      }
      out.fill(this.residual[index] ?? 0, row * c, (row + 1) * c);
      for (let j = 0; j < this.k; j++) {
        out[row * c + (this.ids[from + j] ?? 0)] = this.values[from + j] ?? 0;
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
    this.checkIndices('store', indices);
    const c = this.classes;
    if (logits.length !== indices.length * c) {
      throw new KdkitError(
        'SHAPE_MISMATCH',
        `TeacherCache.store: logits hold ${logits.length} values, expected ${indices.length} rows × ${c} classes`,
      );
    }
    if (augmentationKey !== this.key) {
      this.filled.fill(0);
      this.key = augmentationKey;
    }
    indices.forEach((index, row) => {
      const rowValues = Float32Array.from(logits.subarray(row * c, (row + 1) * c));
      const to = index * this.k;
      if (!this.ids || !this.residual) {
        this.values.set(rowValues, to);
      } else {
        const order = Array.from({ length: c }, (_, i) => i).sort(
          (a, b) => (rowValues[b] ?? 0) - (rowValues[a] ?? 0),
        );
        let max = Number.NEGATIVE_INFINITY;
        for (let j = this.k; j < c; j++) max = Math.max(max, rowValues[order[j] ?? 0] ?? 0);
        let sum = 0;
        for (let j = this.k; j < c; j++) sum += Math.exp((rowValues[order[j] ?? 0] ?? 0) - max);
        this.residual[index] = max + Math.log(sum) - Math.log(c - this.k);
        for (let j = 0; j < this.k; j++) {
          const cls = order[j] ?? 0;
          this.ids[to + j] = cls;
          this.values[to + j] = rowValues[cls] ?? 0;
        }
      }
      this.filled[index] = 1;
    });
  }
}
