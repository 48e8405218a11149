import { assertInteger, KdkitError } from '@kdkit/engine';

/**
 * The k largest logits of each row of a row-major `[rows, classes]` array, largest first (ties:
 * lower class first), with their classes. Deterministic, so every shard writer picks the same.
 *
 * @example
 * topKRows(Float32Array.from([1, 3, 2]), 3, 2); // { values: [3, 2], indices: [1, 2] }
 */
export function topKRows(
  logits: Float32Array,
  classes: number,
  k: number,
): { values: Float32Array; indices: Int32Array } {
  assertInteger('topKRows', 'classes', classes, 1);
  assertInteger('topKRows', 'k', k, 1);
  if (k > classes || logits.length % classes !== 0) {
    throw new KdkitError(
      'SHAPE_MISMATCH',
      `topKRows: expected k ≤ classes (${k} vs ${classes}) and logits of rows × ${classes} values, got ${logits.length}`,
    );
  }
  const rows = logits.length / classes;
  const values = new Float32Array(rows * k);
  const indices = new Int32Array(rows * k);
  for (let r = 0; r < rows; r++) {
    const row = logits.subarray(r * classes, (r + 1) * classes);
    const top = values.subarray(r * k, (r + 1) * k);
    const ids = indices.subarray(r * k, (r + 1) * k);
    // Insertion into the kept k, in class order: a later class only passes a strictly larger value.
    let kept = 0;
    for (let cls = 0; cls < classes; cls++) {
      const v = row[cls] as number;
      if (kept === k && !(v > (top[k - 1] as number))) continue;
      let at = kept < k ? kept++ : k - 1;
      while (at > 0 && v > (top[at - 1] as number)) {
        top[at] = top[at - 1] as number;
        ids[at] = ids[at - 1] as number;
        at--;
      }
      top[at] = v;
      ids[at] = cls;
    }
  }
  return { values, indices };
}

/**
 * Rows of a top-k store expanded to all classes: the kept values at their classes,
 * `fill` elsewhere (default {@link TOP_K_FILL}).
 */
export function expandTopK(
  values: Float32Array,
  indices: Int32Array,
  k: number,
  classes: number,
  fill: number,
): Float32Array {
  const rows = values.length / k;
  const out = new Float32Array(rows * classes).fill(fill);
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < k; j++) {
      const cls = indices[r * k + j] as number;
      if (!(cls >= 0 && cls < classes)) {
        throw new KdkitError(
          'OUT_OF_RANGE',
          `expandTopK: class index ${cls} in row ${r} is outside [0, ${classes})`,
        );
      }
      out[r * classes + cls] = values[r * k + j] as number;
    }
  }
  return out;
}
