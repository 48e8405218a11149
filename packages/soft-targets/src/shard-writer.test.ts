import { isKdkitError } from '@kdkit/engine';
import { type ByteWriter, parquetWriteBuffer } from 'hyparquet-writer';
import { describe, expect, it } from 'vitest';
import { type RowGroupChunk, readShard } from './read-shard.js';
import { ShardWriter } from './shard-writer.js';

const ids = Int32Array.from([5, 6, 7, 8, 9]);
const logits = Float32Array.from({ length: 15 }, (_, i) => Math.sin(i) * 10);

async function collect(buffer: ArrayBuffer, width: number, topK: boolean) {
  const chunks: RowGroupChunk[] = [];
  for await (const c of readShard(buffer, { file: 'x.parquet', width, topK })) chunks.push(c);
  return chunks;
}

describe('ShardWriter → readShard', () => {
  it('round-trips all logits exactly, a row group at a time', async () => {
    const writer = new ShardWriter({ numClasses: 3, rowGroupSize: 2 });
    await writer.append({ ids: ids.subarray(0, 3), logits: logits.subarray(0, 9) });
    await writer.append({ ids: ids.subarray(3), logits: logits.subarray(9) });
    const buffer = ((await writer.finish()) as ByteWriter).getBuffer();
    const chunks = await collect(buffer, 3, false);
    expect(chunks.map((c) => c.rows)).toEqual([2, 2, 1]);
    expect(chunks.flatMap((c) => Array.from(c.ids))).toEqual(Array.from(ids));
    const read = new Float32Array(chunks.flatMap((c) => Array.from(c.logits ?? [])));
    expect(read).toEqual(logits);
    expect(chunks[0]?.indices).toBeUndefined();
  });

  it('keeps the top k values with their classes', async () => {
    const writer = new ShardWriter({ numClasses: 3, topK: 1 });
    await writer.append({
      ids: Int32Array.from([0, 1]),
      logits: Float32Array.from([1, 9, 2, 7, 3, 4]),
    });
    const chunks = await collect(((await writer.finish()) as ByteWriter).getBuffer(), 1, true);
    expect(Array.from(chunks[0]?.logits ?? [])).toEqual([9, 7]);
    expect(Array.from(chunks[0]?.indices ?? [])).toEqual([1, 0]);
  });

  it('refuses logits of the wrong size', async () => {
    const writer = new ShardWriter({ numClasses: 3 });
    await expect(writer.append({ ids, logits: new Float32Array(4) })).rejects.toThrow(
      /5 rows × 3 classes/,
    );
  });
});

describe('readShard', () => {
  it('names the file when a column is missing or the bytes are not Parquet', async () => {
    const noLogits = parquetWriteBuffer({
      columnData: [{ name: 'id', data: BigInt64Array.from([0n]), type: 'INT64' }],
    });
    await expect(collect(noLogits, 3, false)).rejects.toThrow(/x\.parquet: has no 'logits' column/);
    let error: unknown;
    try {
      await collect(new Uint8Array(64).buffer, 3, false);
    } catch (e) {
      error = e;
    }
    expect(isKdkitError(error, 'CORRUPT_FILE')).toBe(true);
    expect((error as Error).message).toContain('x.parquet');
  });

  it('refuses rows whose logits list has the wrong length', async () => {
    const writer = new ShardWriter({ numClasses: 3 });
    await writer.append({ ids: Int32Array.from([0]), logits: Float32Array.from([1, 2, 3]) });
    const buffer = ((await writer.finish()) as ByteWriter).getBuffer();
    await expect(collect(buffer, 4, false)).rejects.toThrow(/holds 3 values; expected a list of 4/);
  });
});
