import { mkdir, mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isKdkitError } from '../errors.js';
import { checkOutputDir, confinedPath, makeDirectory, removeStaleTemps } from './paths.js';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'kdkit-engine-paths-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const refusal = async (run: () => Promise<unknown>): Promise<Error> => {
  try {
    await run();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a refusal');
};

describe('confinedPath', () => {
  it('accepts plain relative paths inside the folder, missing or not', async () => {
    const folder = join(root, 'model');
    await mkdir(join(folder, 'sub'), { recursive: true });
    await writeFile(join(folder, 'sub', 'a.bin'), '');
    expect(await confinedPath('t', folder, 'sub/a.bin', 'm.json')).toBe(join(folder, 'sub/a.bin'));
    expect(await confinedPath('t', folder, 'missing.bin', 'm.json')).toBe(
      join(folder, 'missing.bin'),
    );
  });

  it('refuses absolute paths, .. segments, NUL bytes, non-strings and symlinks out', async () => {
    const folder = join(root, 'confined');
    await mkdir(folder, { recursive: true });
    await writeFile(join(root, 'secret'), 's');
    await symlink(join(root, 'secret'), join(folder, 'link'));
    const cases: [unknown, string][] = [
      ['/etc/passwd', 'is absolute'],
      ['C:\\x', 'is absolute'],
      ['../secret', "has a '..' segment"],
      ['a/../../secret', "has a '..' segment"],
      ['a\0b', 'holds a NUL byte'],
      [42, 'is not a non-empty string'],
      ['link', 'is a symlink to'],
    ];
    for (const [path, why] of cases) {
      const error = await refusal(() => confinedPath('loadModel', folder, path, 'model.json'));
      expect(isKdkitError(error, 'CORRUPT_FILE')).toBe(true);
      expect(error.message).toContain(why);
      expect(error.message).toContain("loadModel: 'model.json' lists the path");
    }
  });
});

describe('makeDirectory and checkOutputDir', () => {
  it('creates missing parents; refuses /proc at once and a file in the way', async () => {
    const deep = join(root, 'a', 'b', 'c');
    expect(await makeDirectory('t', '--out', deep)).toBe(deep);
    expect(await readdir(join(root, 'a', 'b'))).toEqual(['c']);
    const proc = await refusal(() => makeDirectory('kdkit train', '--out', '/proc/kdkit-out/x'));
    expect(proc.message).toContain(
      "kdkit train: --out '/proc/kdkit-out/x': cannot create directory",
    );
    await writeFile(join(root, 'file'), '');
    const file = await refusal(() => makeDirectory('t', '--out', join(root, 'file', 'x')));
    expect(file.message).toContain('is a file, not a directory');
  });

  it('accepts new, empty or marked directories; refuses files and foreign directories', async () => {
    const check = (dir: string) =>
      checkOutputDir({ where: 'w', arg: '--out', dir, marker: 'model.json' });
    await mkdir(join(root, 'empty'));
    await mkdir(join(root, 'marked'));
    await writeFile(join(root, 'marked', 'model.json'), '{}');
    await mkdir(join(root, 'foreign'));
    await writeFile(join(root, 'foreign', 'thesis.tex'), '');
    for (const ok of ['new/deeper', 'empty', 'marked']) await check(join(root, ok));
    expect((await refusal(() => check(join(root, 'file')))).message).toContain(
      'is not a directory',
    );
    expect((await refusal(() => check(join(root, 'foreign')))).message).toContain(
      'non-empty directory without model.json',
    );
    expect((await refusal(() => check('/proc/kdkit-out'))).message).toContain('is not writable');
  });
});

describe('removeStaleTemps', () => {
  it("removes a dead process's temp file and keeps the current process's", async () => {
    const dir = join(root, 'temps');
    await mkdir(dir);
    await writeFile(join(dir, 'x.kdkc'), '');
    await writeFile(join(dir, '.x.kdkc.tmp-999999999-aa'), '');
    await writeFile(join(dir, `.x.kdkc.tmp-${process.pid}-bb`), '');
    expect(await removeStaleTemps(join(dir, 'x.kdkc'))).toEqual([
      join(dir, '.x.kdkc.tmp-999999999-aa'),
    ]);
    expect((await readdir(dir)).sort()).toEqual([`.x.kdkc.tmp-${process.pid}-bb`, 'x.kdkc']);
  });
});
