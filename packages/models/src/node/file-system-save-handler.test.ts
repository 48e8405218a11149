import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeBackends } from '@kdkit/test-utils';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createModel } from '../create-model.js';
import { fileSystemSaveHandler } from './file-system-save-handler.js';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'kdkit-models-handler-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describeBackends(['cpu'], 'fileSystemSaveHandler', () => {
  it('writes extra files and user metadata in the same atomic step', async () => {
    const model = createModel('cnn-student');
    const dir = join(root, 'checkpoint');
    const result = await model.save(
      fileSystemSaveHandler(dir, {
        userDefinedMetadata: { epoch: { value: 3 } },
        extraFiles: [{ name: 'optimizer.json', data: '{"lr":0.1}' }],
      }),
    );
    expect(result.modelArtifactsInfo.weightDataBytes).toBe(26_698 * 4);
    expect((await readdir(dir)).sort()).toEqual([
      'group1-shard1of1.bin',
      'model.json',
      'optimizer.json',
    ]);
    const json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8'));
    expect(json.userDefinedMetadata).toEqual({ epoch: { value: 3 } });
    model.dispose();
  });

  it('rejects extra file names that are paths or collide with the model files', async () => {
    const model = createModel('cnn-student');
    for (const name of ['../escape', 'a/b', 'model.json', 'group1-shard1of1.bin', '.hidden']) {
      await expect(
        model.save(fileSystemSaveHandler(join(root, 'bad'), { extraFiles: [{ name, data: '' }] })),
      ).rejects.toThrow(/must be a plain file name/);
    }
    model.dispose();
  });

  it('a write that fails midway leaves the previous model untouched and no temp dir', async () => {
    const dir = join(root, 'crash');
    const model = createModel('cnn-student', { seed: 1 });
    await model.save(fileSystemSaveHandler(dir));
    const good = await readFile(join(dir, 'group1-shard1of1.bin'));
    const other = createModel('cnn-student', { seed: 2 });
    // Data that cannot be written makes the write fail after model.json and the shards.
    const unwritable = { name: 'state.json', data: 42 as unknown as string };
    await expect(
      other.save(fileSystemSaveHandler(dir, { extraFiles: [unwritable] })),
    ).rejects.toThrow(/fileSystemSaveHandler: could not write/);
    expect(await readFile(join(dir, 'group1-shard1of1.bin'))).toEqual(good);
    expect((await readdir(root)).filter((f) => f.startsWith('.'))).toEqual([]);
    model.dispose();
    other.dispose();
  });
});
