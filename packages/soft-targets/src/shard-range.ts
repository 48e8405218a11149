import { assertInteger, KdkitError } from '@kdkit/engine';

/** Shard `shard` of `of`, counted from 0 (as Kubernetes' JOB_COMPLETION_INDEX). */
export interface ShardSpec {
  readonly shard: number;
  readonly of: number;
}

/**
 * The dataset ids shard `shard` of `of` holds: the contiguous range
 * `[⌊shard · size / of⌋, ⌊(shard + 1) · size / of⌋)`. It depends only on (size, shard, of), so
 * every machine puts the same ids in the same shard, and the shards tile `[0, size)` exactly.
 *
 * @example
 * shardRange(10, { shard: 1, of: 4 }); // { start: 2, end: 5 }
 */
export function shardRange(size: number, spec: ShardSpec): { start: number; end: number } {
  assertInteger('shardRange', 'size', size, 0);
  assertInteger('shardRange', 'of', spec.of, 1);
  assertInteger('shardRange', 'shard', spec.shard, 0);
  if (spec.shard >= spec.of) {
    throw new KdkitError(
      'OUT_OF_RANGE',
      `shardRange: shard ${spec.shard} does not exist in ${spec.of} shards (shards count from 0 to ${spec.of - 1})`,
    );
  }
  return {
    start: Math.floor((spec.shard * size) / spec.of),
    end: Math.floor(((spec.shard + 1) * size) / spec.of),
  };
}

/**
 * Parses `'I/N'` (e.g. `'3/8'`, I from 0) into a {@link ShardSpec}.
 *
 * @example
 * parseShardSpec('0/4'); // { shard: 0, of: 4 }
 */
export function parseShardSpec(text: string): ShardSpec {
  const match = /^(\d+)\/(\d+)$/.exec(text.trim());
  const shard = Number(match?.[1]);
  const of = Number(match?.[2]);
  if (!match || of < 1 || shard >= of) {
    throw new KdkitError(
      'INVALID_ARGUMENT',
      `parseShardSpec: expected 'I/N' with 0 ≤ I < N (e.g. '0/4'), got '${text}'`,
    );
  }
  return { shard, of };
}

/** `part-00003-of-00008`: the base name of a shard's files (.parquet, .json). */
export function shardBaseName(spec: ShardSpec): string {
  const pad = (n: number) => String(n).padStart(5, '0');
  return `part-${pad(spec.shard)}-of-${pad(spec.of)}`;
}
