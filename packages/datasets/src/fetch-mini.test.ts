import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { isKdkitError } from '@kdkit/engine';
import { gunzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import type { FetchLike } from './fetch-like.js';
import { fetchFashionMnistMini, type MiniAssetName } from './fetch-mini.js';
import { loadFashionMnistMini } from './node/mini.js';

const ASSETS = new URL('../assets/', import.meta.url);
const asset = (name: string) => new Uint8Array(readFileSync(fileURLToPath(new URL(name, ASSETS))));

/** A fetch serving the real asset files under https://example.test/mini/, recording each URL. */
function fakeFetch(
  requested: string[] = [],
  change: (bytes: Uint8Array) => Uint8Array = (b) => b,
): FetchLike {
  return async (url) => {
    requested.push(url);
    const name = url.startsWith('https://example.test/mini/')
      ? url.slice('https://example.test/mini/'.length)
      : url.startsWith('https://cdn.test/') && url.endsWith('.gz')
        ? url.slice('https://cdn.test/'.length).replace(/\.[0-9a-f]{8}\.gz$/, '.gz')
        : undefined;
    if (name === undefined || !/^(train|t10k)-(images-idx3|labels-idx1)-ubyte\.gz$/.test(name)) {
      return { ok: false, status: 404, arrayBuffer: async () => new ArrayBuffer(0) };
    }
    const bytes = change(asset(name));
    return { ok: true, status: 200, arrayBuffer: async () => bytes.slice().buffer };
  };
}

describe('fetchFashionMnistMini', () => {
  it('fetches a split from a directory URL and matches the Node loader image for image', async () => {
    const requested: string[] = [];
    const ds = await fetchFashionMnistMini({
      split: 'test',
      from: 'https://example.test/mini',
      fetch: fakeFetch(requested),
    });
    expect(requested.sort()).toEqual([
      'https://example.test/mini/t10k-images-idx3-ubyte.gz',
      'https://example.test/mini/t10k-labels-idx1-ubyte.gz',
    ]);
    const disk = await loadFashionMnistMini({ split: 'test' });
    expect(ds.name).toBe('fashion-mnist-mini/test');
    expect(ds.size).toBe(1000);
    expect(ds.shape).toEqual([28, 28, 1]);
    expect(ds.classNames).toEqual(disk.classNames);
    expect(ds.labels.every((label, i) => label === disk.labels[i])).toBe(true);
    expect(ds.images.every((pixel, i) => pixel === disk.images[i])).toBe(true);
  });

  it('takes one URL per file (hashed bundler assets) and a limit', async () => {
    const from: Partial<Record<MiniAssetName, string>> = {
      'train-images-idx3-ubyte.gz': 'https://cdn.test/train-images-idx3-ubyte.1a2b3c4d.gz',
      'train-labels-idx1-ubyte.gz': 'https://cdn.test/train-labels-idx1-ubyte.5e6f7a8b.gz',
    };
    const ds = await fetchFashionMnistMini({ split: 'train', limit: 30, from, fetch: fakeFetch() });
    expect(ds.size).toBe(30);
    expect(ds.images.length).toBe(30 * 28 * 28);
    await expect(
      fetchFashionMnistMini({ split: 'test', from, fetch: fakeFetch() }),
    ).rejects.toThrow("fetchFashionMnistMini: 'from' gives no URL for 't10k-images-idx3-ubyte.gz'");
  });

  it('accepts a file a server gunzipped on the way (Content-Encoding: gzip)', async () => {
    const ds = await fetchFashionMnistMini({
      split: 'test',
      from: 'https://example.test/mini/',
      fetch: fakeFetch([], (bytes) => gunzipSync(bytes)),
    });
    expect(ds.size).toBe(1000);
  });

  it('refuses a file whose SHA-256 is not the manifest one, naming the URL', async () => {
    const flipLastByte = (bytes: Uint8Array) => {
      const copy = bytes.slice();
      copy[copy.length - 1] = (copy[copy.length - 1] ?? 0) ^ 1;
      return copy;
    };
    const attempt = fetchFashionMnistMini({
      split: 'test',
      from: new URL('https://example.test/mini/'),
      fetch: fakeFetch([], flipLastByte),
    });
    await expect(attempt).rejects.toThrow(
      /fetchFashionMnistMini: https:\/\/example\.test\/mini\/t10k-(images|labels)-idx[13]-ubyte\.gz has SHA-256 [0-9a-f]{64}, expected [0-9a-f]{64}/,
    );
    await attempt.catch((error: unknown) => expect(isKdkitError(error, 'CORRUPT_FILE')).toBe(true));
  });

  it('says which URL failed and how', async () => {
    const attempt = fetchFashionMnistMini({
      split: 'test',
      from: 'https://example.test/elsewhere/',
      fetch: fakeFetch(),
    });
    await expect(attempt).rejects.toThrow(
      /fetchFashionMnistMini: https:\/\/example\.test\/elsewhere\/t10k-.*\.gz answered HTTP 404\./,
    );
    await attempt.catch((error: unknown) =>
      expect(isKdkitError(error, 'DATA_UNAVAILABLE')).toBe(true),
    );
    const offline: FetchLike = async () => {
      throw new TypeError('fetch failed');
    };
    await expect(
      fetchFashionMnistMini({ split: 'train', from: './mini/', fetch: offline }),
    ).rejects.toThrow(/could not fetch \.\/mini\/train-.*\.gz \(fetch failed\)/);
  });

  it('checks split and limit like the other loaders', async () => {
    await expect(
      fetchFashionMnistMini({ split: 'val' as 'test', from: './', fetch: fakeFetch() }),
    ).rejects.toThrow("fetchFashionMnistMini: 'split' must be one of 'train', 'test', got 'val'");
  });
});
