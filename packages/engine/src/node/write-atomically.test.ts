import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isKdkitError } from '../errors.js';
import { writeDirAtomically, writeFileAtomically } from './write-atomically.js';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'kdkit-atomic-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('writeFileAtomically', () => {
  it('writes text, bytes or chunks in order, creating the directory and leaving no temp file', async () => {
    const path = join(root, 'deep', 'f.bin');
    await writeFileAtomically(path, [new Uint8Array([1, 2]), new Uint8Array([3])]);
    expect([...(await readFile(path))]).toEqual([1, 2, 3]);
    await writeFileAtomically(path, 'hé');
    expect(await readFile(path, 'utf8')).toBe('hé');
    await writeFileAtomically(path, new Uint8Array([9]));
    expect([...(await readFile(path))]).toEqual([9]);
    expect(await readdir(join(root, 'deep'))).toEqual(['f.bin']);
  });

  it('leaves the old file and no temp file when the target cannot be replaced', async () => {
    const path = join(root, 'a-dir');
    await mkdir(path);
    await writeFile(join(path, 'keep'), 'x');
    await expect(writeFileAtomically(path, 'new')).rejects.toThrow();
    expect((await readdir(root)).sort()).toEqual(['a-dir']);
  });
});

describe('writeDirAtomically', () => {
  it('replaces a directory that holds the marker, and refuses one that does not', async () => {
    const dir = join(root, 'model');
    await writeDirAtomically('test', dir, [{ name: 'model.json', data: '{}' }], 'model.json');
    await writeDirAtomically(
      'test',
      dir,
      [
        { name: 'model.json', data: '{"v":2}' },
        { name: 'w.bin', data: [new Uint8Array([1]), new Uint8Array([2])] },
      ],
      'model.json',
    );
    expect(await readFile(join(dir, 'model.json'), 'utf8')).toBe('{"v":2}');
    expect([...(await readFile(join(dir, 'w.bin')))]).toEqual([1, 2]);
    expect(await readdir(root)).toEqual(['model']);

    const other = join(root, 'other');
    await mkdir(other);
    await writeFile(join(other, 'notes.txt'), 'mine');
    const attempt = writeDirAtomically(
      'test',
      other,
      [{ name: 'model.json', data: '{}' }],
      'model.json',
    );
    await expect(attempt).rejects.toThrow(/non-empty directory without model.json/);
    await attempt.catch((error: unknown) =>
      expect(isKdkitError(error, 'INVALID_ARGUMENT')).toBe(true),
    );
  });
});
