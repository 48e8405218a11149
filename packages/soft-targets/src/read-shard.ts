import { isKdkitError, KdkitError } from '@kdkit/engine';
import {
  type AsyncBuffer,
  type FileMetaData,
  parquetMetadataAsync,
  parquetRead,
  parquetSchema,
  type SchemaTree,
} from 'hyparquet';
import { COLUMNS } from './columns.js';

/** One row group of a shard, decoded. */
export interface RowGroupChunk {
  /** The shard file it came from. */
  readonly file: string;
  /** Row group number within the file. */
  readonly group: number;
  readonly rows: number;
  readonly ids: Float64Array;
  /** Row-major `[rows, width]` raw logits (width = k in a top-k store, else numClasses). Absent in an ids-only read. */
  readonly logits?: Float32Array;
  /** Row-major `[rows, k]` classes of a top-k store. */
  readonly indices?: Int32Array;
  /** Per-row augmentation keys, when the shard has that column. */
  readonly augmentationKeys?: readonly string[];
}

export interface ReadShardOptions {
  /** Name of the file, for errors. */
  readonly file: string;
  /** Logits per row: numClasses, or k. */
  readonly width: number;
  /** Whether the store is top-k (so an `indices` column is required). */
  readonly topK: boolean;
  /** `'ids'` reads only the id column (coverage checks). Default `'all'`. */
  readonly columns?: 'ids' | 'all';
  /** Row groups to read (default all), in this order. */
  readonly groups?: readonly number[];
  /** Bytes fetched to find the footer. Default 64 KiB. */
  readonly footerFetchBytes?: number;
}

const corrupt = (file: string, what: string, cause?: unknown): KdkitError =>
  new KdkitError('CORRUPT_FILE', `readShard: ${file}: ${what}`, cause ? { cause } : undefined);

const LEAF_TYPES: Record<string, readonly string[]> = {
  [COLUMNS.id]: ['INT64', 'INT32'],
  [COLUMNS.logits]: ['FLOAT', 'DOUBLE'],
  [COLUMNS.indices]: ['INT32', 'INT64'],
  [COLUMNS.augmentationKey]: ['BYTE_ARRAY'],
};

function leafOf(node: SchemaTree): SchemaTree {
  let leaf = node;
  while (leaf.children.length === 1) leaf = leaf.children[0] as SchemaTree;
  return leaf;
}

/** Checks the shard's columns against the documented schema; returns the columns present. */
function checkSchema(file: string, metadata: FileMetaData, topK: boolean): Set<string> {
  const present = new Map(parquetSchema(metadata).children.map((c) => [c.element.name, c]));
  const required = [COLUMNS.id, COLUMNS.logits, ...(topK ? [COLUMNS.indices] : [])];
  for (const name of required) {
    if (!present.has(name)) {
      throw corrupt(
        file,
        `has no '${name}' column (columns: ${[...present.keys()].join(', ')}); a ${topK ? 'top-k' : 'full-logit'} store needs ${required.join(', ')}`,
      );
    }
  }
  for (const [name, node] of present) {
    const allowed = LEAF_TYPES[name];
    if (!allowed) continue;
    const isList = name === COLUMNS.logits || name === COLUMNS.indices;
    const leaf = leafOf(node);
    if ((isList && node.children.length === 0) || !allowed.includes(leaf.element.type ?? '')) {
      throw corrupt(
        file,
        `column '${name}' is ${isList && node.children.length === 0 ? 'not a list' : leaf.element.type}; expected ${isList ? 'LIST<' : ''}${allowed.join(' or ')}${isList ? '>' : ''}`,
      );
    }
  }
  return new Set(present.keys());
}

/**
 * Reads a Parquet shard one row group at a time (an async generator: the next group is fetched
 * only when the consumer asks), so memory holds one row group whatever the file size. Errors
 * name the file: CORRUPT_FILE for an unreadable file, a missing or mistyped column, a null or
 * a list of the wrong length.
 */
export async function* readShard(
  buffer: AsyncBuffer,
  options: ReadShardOptions,
): AsyncGenerator<RowGroupChunk, void, undefined> {
  const { file, width, topK } = options;
  let metadata: FileMetaData;
  try {
    metadata = await parquetMetadataAsync(buffer, {
      initialFetchSize: options.footerFetchBytes ?? 1 << 16,
    });
  } catch (error) {
    throw corrupt(file, `not a readable Parquet file (${(error as Error).message})`, error);
  }
  const present = checkSchema(file, metadata, topK);
  const idsOnly = options.columns === 'ids';
  const columns = idsOnly
    ? [COLUMNS.id]
    : [
        COLUMNS.id,
        COLUMNS.logits,
        ...(topK ? [COLUMNS.indices] : []),
        ...(present.has(COLUMNS.augmentationKey) ? [COLUMNS.augmentationKey] : []),
      ];
  const starts: number[] = [];
  let total = 0;
  for (const group of metadata.row_groups) {
    starts.push(total);
    total += Number(group.num_rows);
  }
  const groups = options.groups ?? metadata.row_groups.map((_, i) => i);
  for (const group of groups) {
    const rowStart = starts[group];
    if (rowStart === undefined) throw corrupt(file, `has no row group ${group}`);
    const rowEnd = rowStart + Number(metadata.row_groups[group]?.num_rows ?? 0);
    let rows: unknown[][] = [];
    try {
      await parquetRead({
        file: buffer,
        metadata,
        columns,
        rowStart,
        rowEnd,
        onComplete: (r) => {
          rows = r;
        },
      });
    } catch (error) {
      if (isKdkitError(error)) throw error;
      throw corrupt(file, `row group ${group} is unreadable (${(error as Error).message})`, error);
    }
    yield decodeRows(file, group, rows, width, topK, idsOnly, present.has(COLUMNS.augmentationKey));
  }
}

function decodeRows(
  file: string,
  group: number,
  rows: unknown[][],
  width: number,
  topK: boolean,
  idsOnly: boolean,
  withKeys: boolean,
): RowGroupChunk {
  const n = rows.length;
  const ids = new Float64Array(n);
  const logits = idsOnly ? undefined : new Float32Array(n * width);
  const indices = idsOnly || !topK ? undefined : new Int32Array(n * width);
  const keys: string[] = [];
  const listAt = (row: number, col: number, name: string): unknown[] => {
    const list = rows[row]?.[col];
    if (!Array.isArray(list) || list.length !== width) {
      throw corrupt(
        file,
        `row group ${group}, row ${row}: '${name}' holds ${Array.isArray(list) ? `${list.length} values` : String(list)}; expected a list of ${width}`,
      );
    }
    return list;
  };
  for (let r = 0; r < n; r++) {
    const id = rows[r]?.[0];
    if (typeof id !== 'bigint' && typeof id !== 'number') {
      throw corrupt(
        file,
        `row group ${group}, row ${r}: 'id' is ${String(id)}; expected an integer`,
      );
    }
    ids[r] = Number(id);
    if (!logits) continue;
    const values = listAt(r, 1, COLUMNS.logits);
    for (let j = 0; j < width; j++) {
      const v = values[j];
      if (typeof v !== 'number') {
        throw corrupt(
          file,
          `row group ${group}, row ${r}: logits[${j}] is ${String(v)}; expected a number`,
        );
      }
      logits[r * width + j] = v;
    }
    if (indices) {
      const classes = listAt(r, 2, COLUMNS.indices);
      for (let j = 0; j < width; j++) indices[r * width + j] = Number(classes[j]);
    }
    if (withKeys) {
      const key = rows[r]?.[topK ? 3 : 2];
      keys.push(typeof key === 'string' ? key : '');
    }
  }
  return {
    file,
    group,
    rows: n,
    ids,
    ...(logits ? { logits } : {}),
    ...(indices ? { indices } : {}),
    ...(withKeys && !idsOnly ? { augmentationKeys: keys } : {}),
  };
}
