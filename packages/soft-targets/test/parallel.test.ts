import { spawn } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describeBackends } from '@kdkit/test-utils';
import { layersTeacher } from '@kdkit/trainers';
import { expect, it } from 'vitest';
import { mergeStore, softTargetStore, writeShard } from '../src/node/index.js';
import { PARALLEL_FIXTURE, randomDataset, tempDir, tinyModel } from './fixtures.js';

const PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url));
const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm')).href;

/** Runs the real writer for one shard in a child process. */
function writeInChild(out: string, shard: number, of: number): Promise<string> {
  const child = spawn(
    process.execPath,
    [
      '--conditions=@kdkit/source',
      '--import',
      tsx,
      'test/write-shard-child.ts',
      out,
      String(shard),
      String(of),
    ],
    { cwd: PACKAGE_DIR, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0
        ? resolve(stdout)
        : reject(new Error(`shard ${shard}/${of} exited ${code}: ${stderr}`)),
    );
  });
}

/** Every stored row's logits as raw float32 bits, by id. */
async function bitsById(dir: string): Promise<Map<number, number[]>> {
  const rows = new Map<number, number[]>();
  for await (const chunk of (await softTargetStore(dir)).chunks()) {
    const bits = new Uint32Array((chunk.logits as Float32Array).slice().buffer);
    const width = bits.length / chunk.rows;
    chunk.ids.forEach((id, r) => {
      rows.set(id, Array.from(bits.subarray(r * width, (r + 1) * width)));
    });
  }
  return rows;
}

describeBackends(['cpu'], 'sharded writing', () => {
  it("four shard processes in parallel give the single-process store's logits, bit for bit", async () => {
    const { size, dataSeed, modelSeed, batchSize, rowGroupSize } = PARALLEL_FIXTURE;
    const single = await tempDir('single');
    const model = tinyModel(modelSeed);
    await writeShard({
      teacher: layersTeacher(model, { name: 'tiny' }),
      teacherHash: 'fixture',
      dataset: randomDataset(size, dataSeed),
      shard: 0,
      of: 1,
      out: single,
      batchSize,
      rowGroupSize,
    });
    model.dispose();
    await mergeStore(single);

    const sharded = await tempDir('sharded');
    const outputs = await Promise.all([0, 1, 2, 3].map((s) => writeInChild(sharded, s, 4)));
    expect(outputs.map((o) => (JSON.parse(o) as { rows: number }).rows)).toEqual([50, 51, 51, 51]);
    const manifest = await mergeStore(sharded);
    expect(manifest.shards).toHaveLength(4);

    const a = await bitsById(single);
    const b = await bitsById(sharded);
    expect(a.size).toBe(size);
    expect(b).toEqual(a);
    // a rerun of a finished shard, in another process, is a no-op
    expect((JSON.parse(await writeInChild(sharded, 2, 4)) as { skipped: boolean }).skipped).toBe(
      true,
    );
    await Promise.all([single, sharded].map((d) => rm(d, { recursive: true, force: true })));
  }, 240_000);
});
