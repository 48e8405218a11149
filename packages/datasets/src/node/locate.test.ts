import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { isKdkitError } from '@kdkit/engine';
import { describe, expect, it } from 'vitest';
import { makeTar, tempDir } from '../../test/fixtures.js';
import { type FetchLike, sha256Hex } from './download.js';
import { type DataSource, locateDataFiles } from './locate.js';

const fileA = new TextEncoder().encode('file a');
const fileB = new TextEncoder().encode('file b');
const source: DataSource = {
  name: 'toy',
  title: 'Toy',
  aptPackage: 'dataset-toy',
  download: {
    kind: 'files',
    baseUrls: ['https://mirror.test/toy/'],
    sha256: { 'a.gz': sha256Hex(fileA), 'b.gz': sha256Hex(fileB) },
  },
};
const files = ['a.gz', 'b.gz'];

function put(dir: string, names = files): string {
  mkdirSync(dir, { recursive: true });
  for (const name of names) writeFileSync(join(dir, name), 'x');
  return dir;
}

const offline: FetchLike = async () => {
  throw new TypeError('fetch failed', { cause: { code: 'ENOTFOUND' } });
};

function roots() {
  const base = tempDir();
  return {
    base,
    systemDir: join(base, 'system'),
    cacheDir: join(base, 'cache'),
    env: { KDKIT_DATA_DIR: join(base, 'env') },
  };
}

describe('locateDataFiles', () => {
  it('prefers dir, then $KDKIT_DATA_DIR, then the system path, then the cache', async () => {
    const r = roots();
    const options = { systemDir: r.systemDir, cacheDir: r.cacheDir, env: r.env, fetch: offline };
    put(join(r.cacheDir, 'toy'));
    expect(await locateDataFiles('t', source, files, options)).toBe(join(r.cacheDir, 'toy'));
    put(join(r.systemDir, 'toy'));
    expect(await locateDataFiles('t', source, files, options)).toBe(join(r.systemDir, 'toy'));
    put(join(r.base, 'env', 'toy'));
    expect(await locateDataFiles('t', source, files, options)).toBe(join(r.base, 'env', 'toy'));
    const mine = put(join(r.base, 'mine'));
    expect(await locateDataFiles('t', source, files, { ...options, dir: mine })).toBe(mine);
  });

  it('skips a location that holds only some of the files', async () => {
    const r = roots();
    put(join(r.systemDir, 'toy'), ['a.gz']);
    put(join(r.cacheDir, 'toy'));
    const found = await locateDataFiles('t', source, files, { ...r, fetch: offline });
    expect(found).toBe(join(r.cacheDir, 'toy'));
  });

  it('an explicit dir missing a file is an error naming dir and the file', async () => {
    const r = roots();
    const mine = put(join(r.base, 'mine'), ['a.gz']);
    const error = await locateDataFiles('loadToy', source, files, { dir: mine }).catch((e) => e);
    expect(isKdkitError(error, 'FILE_NOT_FOUND')).toBe(true);
    expect(error.message).toMatch(/loadToy: 'dir' .*mine lacks b\.gz/);
  });

  it('downloads missing files into the cache, verified, and leaves no temporary files', async () => {
    const r = roots();
    const seen: string[] = [];
    const fetchFn: FetchLike = async (url) => {
      seen.push(url);
      const body = url.endsWith('a.gz') ? fileA : fileB;
      return { ok: true, status: 200, arrayBuffer: async () => body.slice().buffer };
    };
    const found = await locateDataFiles('t', source, files, { ...r, fetch: fetchFn });
    expect(found).toBe(join(r.cacheDir, 'toy'));
    expect(seen).toEqual(['https://mirror.test/toy/a.gz', 'https://mirror.test/toy/b.gz']);
    expect(readdirSync(found).sort()).toEqual(['a.gz', 'b.gz']);
    // Second call: found in the cache, no fetch.
    await locateDataFiles('t', source, files, { ...r, fetch: offline });
  });

  it('a download with the wrong checksum is not written', async () => {
    const r = roots();
    const tampered: FetchLike = async () => ({
      ok: true,
      status: 200,
      arrayBuffer: async () => new Uint8Array([9, 9, 9]).buffer,
    });
    const error = await locateDataFiles('t', source, files, { ...r, fetch: tampered }).catch(
      (e) => e,
    );
    expect(isKdkitError(error, 'DATA_UNAVAILABLE')).toBe(true);
    expect(error.message).toMatch(/SHA-256 [0-9a-f]{64} ≠ expected/);
    expect(existsSync(join(r.cacheDir, 'toy', 'a.gz'))).toBe(false);
  });

  it('offline with no copy: says where it looked and exactly how to get the data', async () => {
    const r = roots();
    const error = await locateDataFiles('loadToy', source, files, { ...r, fetch: offline }).catch(
      (e) => e,
    );
    expect(isKdkitError(error, 'DATA_UNAVAILABLE')).toBe(true);
    const message: string = error.message;
    expect(message).toMatch(/^loadToy: Toy files \(a\.gz, b\.gz\) not found/);
    expect(message).toContain(join(r.systemDir, 'toy'));
    expect(message).toContain(join(r.cacheDir, 'toy'));
    expect(message).toMatch(/fetch failed \(ENOTFOUND\)/);
    expect(message).toContain('sudo apt-get install dataset-toy');
    expect(message).toContain("pass { dir: '<that directory>' }");
    expect(message).toContain('KDKIT_DATA_DIR');
  });

  it('with download: false, never fetches', async () => {
    const r = roots();
    const error = await locateDataFiles('t', source, files, {
      ...r,
      download: false,
      fetch: () => expect.unreachable('fetched'),
    }).catch((e) => e);
    expect(error.message).toMatch(/download disabled/);
  });

  it('extracts the needed members of a verified .tar.gz archive', async () => {
    const r = roots();
    const archive = gzipSync(makeTar({ 'pkg/a.gz': fileA, 'pkg/b.gz': fileB, 'pkg/other': fileA }));
    const tarSource: DataSource = {
      name: 'tarred',
      title: 'Tarred',
      download: {
        kind: 'tar.gz',
        urls: ['https://mirror.test/t.tar.gz'],
        sha256: sha256Hex(archive),
        members: { 'a.gz': 'pkg/a.gz', 'b.gz': 'pkg/b.gz' },
      },
    };
    const fetchFn: FetchLike = async () => ({
      ok: true,
      status: 200,
      arrayBuffer: async () => new Uint8Array(archive).buffer,
    });
    const found = await locateDataFiles('t', tarSource, files, { ...r, fetch: fetchFn });
    expect(readdirSync(found).sort()).toEqual(['a.gz', 'b.gz']);
    expect(readFileSync(join(found, 'b.gz'), 'utf8')).toBe('file b');
  });
});
