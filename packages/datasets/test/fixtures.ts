// Tiny datasets built in memory for the tests.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll } from 'vitest';
import { encodeIdx } from '../src/idx.js';

/** Deterministic bytes: pixel value depends on (seed, i). */
export function patternBytes(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let a = seed >>> 0;
  for (let i = 0; i < length; i++) {
    a = (Math.imul(a, 1664525) + 1013904223) >>> 0;
    out[i] = a >>> 24;
  }
  return out;
}

/** An MNIST-style split: `n` images of h×w and labels cycling 0..numClasses-1. */
export function makeIdxPair(n: number, h = 4, w = 3, numClasses = 10, seed = 1) {
  const pixels = patternBytes(n * h * w, seed);
  const labels = Uint8Array.from({ length: n }, (_, i) => i % numClasses);
  return {
    pixels,
    labels,
    imagesIdx: encodeIdx(pixels, [n, h, w]),
    labelsIdx: encodeIdx(labels, [n]),
  };
}

/** A temporary directory removed after the test file. */
export function tempDir(prefix = 'kdkit-datasets-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Writes a gzipped MNIST-style split into `dir` with the standard file names. */
export function writeIdxSplit(
  dir: string,
  split: 'train' | 'test',
  n: number,
  options: { gzip?: boolean; h?: number; w?: number; seed?: number; unzippedNames?: boolean } = {},
) {
  const pair = makeIdxPair(n, options.h ?? 28, options.w ?? 28, 10, options.seed ?? 1);
  const prefix = split === 'train' ? 'train' : 't10k';
  const encode = (b: Uint8Array) => (options.gzip === false ? b : gzipSync(b));
  const ext = options.unzippedNames === true ? '' : '.gz';
  writeFileSync(join(dir, `${prefix}-images-idx3-ubyte${ext}`), encode(pair.imagesIdx));
  writeFileSync(join(dir, `${prefix}-labels-idx1-ubyte${ext}`), encode(pair.labelsIdx));
  return pair;
}

/** A CIFAR-10 binary batch of `n` records; label i % 10, pixel bytes from a pattern. */
export function makeCifarBytes(n: number, seed = 3): { bytes: Uint8Array; labels: Uint8Array } {
  const bytes = patternBytes(n * 3073, seed);
  const labels = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    labels[i] = i % 10;
    bytes[i * 3073] = i % 10;
  }
  return { bytes, labels };
}

/** A minimal ustar archive of `files`. */
export function makeTar(files: Record<string, Uint8Array>): Uint8Array {
  const blocks: Uint8Array[] = [];
  for (const [name, data] of Object.entries(files)) {
    const header = new Uint8Array(512);
    header.set(new TextEncoder().encode(name), 0);
    header.set(new TextEncoder().encode(`${data.length.toString(8).padStart(11, '0')}\0`), 124);
    header[156] = '0'.charCodeAt(0);
    header.set(new TextEncoder().encode('ustar\0'), 257);
    blocks.push(header);
    const padded = new Uint8Array(Math.ceil(data.length / 512) * 512);
    padded.set(data);
    blocks.push(padded);
  }
  blocks.push(new Uint8Array(1024));
  const out = new Uint8Array(blocks.reduce((n, b) => n + b.length, 0));
  let offset = 0;
  for (const b of blocks) {
    out.set(b, offset);
    offset += b.length;
  }
  return out;
}
