import { assertInteger, KdkitError } from '@kdkit/engine';
import { ByteWriter, ParquetWriter, type Writer } from 'hyparquet-writer';
import { COLUMNS, shardSchema } from './columns.js';
import { topKRows } from './top-k.js';

/** Rows of teacher logits: ids and row-major `[rows, classes]` raw logits. */
export interface LogitRows {
  readonly ids: Int32Array;
  readonly logits: Float32Array;
}

export interface ShardWriterOptions {
  readonly numClasses: number;
  /** Keep the k largest logits per row (with an `indices` column). Default: all. */
  readonly topK?: number;
  /** Rows per Parquet row group: the reader's unit of memory. Default 4096. */
  readonly rowGroupSize?: number;
}

/**
 * Encodes rows of teacher logits into one Parquet shard, a row group at a time, into any
 * hyparquet-writer `Writer` (an in-memory `ByteWriter` by default; `./node` passes one that
 * streams to a file). Holds at most one row group of rows.
 *
 * @example
 * const w = new ShardWriter({ numClasses: 10, topK: 3 });
 * await w.append({ ids: Int32Array.from([0, 1]), logits });
 * const parquet = (await w.finish()).getBuffer();
 */
export class ShardWriter {
  readonly numClasses: number;
  readonly k: number | undefined;
  readonly rowGroupSize: number;
  rows = 0;
  private readonly out: Writer;
  private readonly parquet: ParquetWriter;
  private ids: bigint[] = [];
  private values: number[][] = [];
  private classes: number[][] = [];

  constructor(options: ShardWriterOptions, writer: Writer = new ByteWriter()) {
    const where = 'ShardWriter';
    assertInteger(where, 'numClasses', options.numClasses, 1);
    if (options.topK !== undefined) assertInteger(where, 'topK', options.topK, 1);
    this.rowGroupSize = options.rowGroupSize ?? 4096;
    assertInteger(where, 'rowGroupSize', this.rowGroupSize, 1);
    this.numClasses = options.numClasses;
    this.k =
      options.topK === undefined || options.topK >= options.numClasses ? undefined : options.topK;
    this.out = writer;
    this.parquet = new ParquetWriter({
      writer,
      schema: shardSchema(this.k !== undefined),
      createdBy: 'kdkit soft-targets (hyparquet-writer)',
    });
  }

  /** Adds rows; writes a row group whenever `rowGroupSize` rows are pending. */
  async append(rows: LogitRows): Promise<void> {
    const c = this.numClasses;
    if (rows.logits.length !== rows.ids.length * c) {
      throw new KdkitError(
        'SHAPE_MISMATCH',
        `ShardWriter.append: logits hold ${rows.logits.length} values, expected ${rows.ids.length} rows × ${c} classes`,
      );
    }
    const width = this.k ?? c;
    const kept = this.k === undefined ? undefined : topKRows(rows.logits, c, this.k);
    const values = kept?.values ?? rows.logits;
    for (let r = 0; r < rows.ids.length; r++) {
      this.ids.push(BigInt(rows.ids[r] as number));
      this.values.push(Array.from(values.subarray(r * width, (r + 1) * width)));
      if (kept) this.classes.push(Array.from(kept.indices.subarray(r * width, (r + 1) * width)));
      if (this.ids.length === this.rowGroupSize) await this.flushGroup();
    }
  }

  private async flushGroup(): Promise<void> {
    if (this.ids.length === 0) return;
    const columnData = [
      { name: COLUMNS.id, data: BigInt64Array.from(this.ids) },
      { name: COLUMNS.logits, data: this.values },
      ...(this.k === undefined ? [] : [{ name: COLUMNS.indices, data: this.classes }]),
    ];
    this.rows += this.ids.length;
    const size = this.ids.length;
    this.ids = [];
    this.values = [];
    this.classes = [];
    await this.parquet.write({ columnData, rowGroupSize: size });
  }

  /** Writes the last row group and the footer; returns the writer. */
  async finish(): Promise<Writer> {
    await this.flushGroup();
    await this.parquet.finish();
    return this.out;
  }
}
