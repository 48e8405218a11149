// Interop with an independent Parquet implementation: DuckDB reads kdkit's store, and kdkit
// reads a store DuckDB wrote with SQL (plus a hand-written manifest, as any tool would).
import { readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { describeBackends } from '@kdkit/test-utils';
import { layersTeacher } from '@kdkit/trainers';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { TOP_K_FILL } from '../src/columns.js';
import type { StoreManifest } from '../src/manifest.js';
import { mergeStore, sha256File, softTargetStore, writeShard } from '../src/node/index.js';
import { randomDataset, tempDir, tinyModel } from './fixtures.js';

type Connection = Awaited<ReturnType<Awaited<ReturnType<typeof DuckDBInstance.create>>['connect']>>;
let db: Connection;
let dir: string;

beforeAll(async () => {
  db = await (await DuckDBInstance.create(':memory:')).connect();
  dir = await tempDir('duckdb');
});
afterAll(async () => {
  db.closeSync();
  await rm(dir, { recursive: true, force: true });
});

const rowsOf = async (sql: string) => (await db.runAndReadAll(sql)).getRowObjectsJS();

describeBackends(['cpu'], 'DuckDB interop', () => {
  it("DuckDB reads kdkit's store with the documented column types", async () => {
    const out = join(dir, 'kdkit');
    const data = randomDataset(30, 4);
    const model = tinyModel(9);
    for (const shard of [0, 1]) {
      await writeShard({
        teacher: layersTeacher(model, { name: 't' }),
        teacherHash: 'h',
        dataset: data,
        shard,
        of: 2,
        out,
        topK: 3,
        rowGroupSize: 7,
      });
    }
    model.dispose();
    await mergeStore(out);
    const glob = `${out}/*.parquet`;
    const [types] = await rowsOf(
      `SELECT typeof(id) AS id, typeof(logits) AS logits, typeof(indices) AS indices FROM read_parquet('${glob}') LIMIT 1`,
    );
    expect(types).toEqual({ id: 'BIGINT', logits: 'FLOAT[]', indices: 'INTEGER[]' });
    const [counts] = await rowsOf(
      `SELECT count(*)::INTEGER AS n, count(DISTINCT id)::INTEGER AS ids, min(id)::INTEGER AS lo, max(id)::INTEGER AS hi, min(len(logits))::INTEGER AS k FROM read_parquet('${glob}')`,
    );
    expect(counts).toEqual({ n: 30, ids: 30, lo: 0, hi: 29, k: 3 });

    const duck = await rowsOf(
      `SELECT id::INTEGER AS id, logits, indices FROM read_parquet('${glob}') ORDER BY id`,
    );
    const store = await softTargetStore(out);
    const ours = await store.lookup(Int32Array.from({ length: 30 }, (_, i) => i));
    const full = ours.arraySync();
    ours.dispose();
    duck.forEach((row, id) => {
      const classes = row['indices'] as number[];
      const values = row['logits'] as number[];
      classes.forEach((c, j) => {
        expect(Math.fround(values[j] as number)).toBe(full[id]?.[c]);
      });
      expect(full[id]?.filter((v) => v === TOP_K_FILL)).toHaveLength(7);
    });
  });

  it('kdkit reads a store DuckDB wrote with COPY … (FORMAT PARQUET)', async () => {
    const out = join(dir, 'duck');
    const { mkdir } = await import('node:fs/promises');
    await mkdir(out);
    const logit = (id: string, j: number) => `((${id} * 10 + ${j}) / 8.0 - 20)::FLOAT`;
    const list = (id: string) => `[${[0, 1, 2, 3].map((j) => logit(id, j)).join(', ')}]`;
    // two files, ids interleaved (even / odd), several row groups each
    for (const [file, parity] of [
      ['a.parquet', 0],
      ['b.parquet', 1],
    ] as const) {
      await db.run(
        `COPY (SELECT i::BIGINT AS id, ${list('i')} AS logits FROM range(${parity}, 40, 2) t(i) ORDER BY i DESC)
         TO '${join(out, file)}' (FORMAT PARQUET, ROW_GROUP_SIZE 5)`,
      );
    }
    const shards = await Promise.all(
      ['a.parquet', 'b.parquet'].map(async (file) => ({
        file,
        rows: 20,
        bytes: (await stat(join(out, file))).size,
        sha256: await sha256File(join(out, file)),
      })),
    );
    const manifest: StoreManifest = {
      format: 'kdkit-soft-targets',
      version: 1,
      teacher: { name: 'duckdb-teacher', hash: 'sql' },
      dataset: { name: 'toy', size: 40 },
      numClasses: 4,
      k: null,
      shards,
    };
    await writeFile(join(out, 'manifest.json'), JSON.stringify(manifest));
    await mergeStore(out); // re-checks hashes and ids of a store written by another tool
    const store = await softTargetStore(out);
    const logits = await store.lookup(Int32Array.from([0, 39, 17]));
    const expected = [0, 39, 17].flatMap((i) =>
      [0, 1, 2, 3].map((j) => Math.fround((i * 10 + j) / 8 - 20)),
    );
    expect(Array.from(logits.dataSync())).toEqual(expected);
    logits.dispose();
    expect(Array.from((await readFile(join(out, 'a.parquet'))).subarray(0, 4))).toEqual([
      80, 65, 82, 49,
    ]);
  });
});
