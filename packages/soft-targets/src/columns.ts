import type { SchemaElement } from 'hyparquet';

/** Column names of a shard. Any Parquet writer (Spark, PyTorch + pyarrow, DuckDB) can fill them. */
export const COLUMNS = {
  /** INT64: the dataset index of the sample (or a user key). */
  id: 'id',
  /** LIST<FLOAT>: raw teacher logits (before temperature): all of them, or the top-k values. */
  logits: 'logits',
  /** LIST<INT32>: the class of each top-k value. Only in top-k stores. */
  indices: 'indices',
  /** STRING, optional: the augmentation key the logits were computed under ('' = none). */
  augmentationKey: 'augmentation_key',
} as const;

/**
 * The logit given to the classes a top-k store left out when its rows are expanded to all
 * classes: large and negative, so their probability `softmax(z / T)` underflows to 0 for any
 * T ≤ 10⁶, yet finite, so `p · log p` terms stay 0 instead of NaN (−∞ would give 0 · −∞ = NaN).
 * Fine for probability losses (KL, soft CE); meaningless for losses on raw logits (logit MSE).
 */
export const TOP_K_FILL = -1e9;

const list = (name: string, type: 'FLOAT' | 'INT32'): SchemaElement[] => [
  { name, repetition_type: 'REQUIRED', converted_type: 'LIST', num_children: 1 },
  { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
  { name: 'element', type, repetition_type: 'REQUIRED' },
];

/** The Parquet schema kdkit writes: required `id`, `logits` and (top-k) `indices`. */
export function shardSchema(topK: boolean): SchemaElement[] {
  return [
    { name: 'root', num_children: topK ? 3 : 2 },
    { name: COLUMNS.id, type: 'INT64', repetition_type: 'REQUIRED' },
    ...list(COLUMNS.logits, 'FLOAT'),
    ...(topK ? list(COLUMNS.indices, 'INT32') : []),
  ];
}
