// Bench-only reader for the Fashion-MNIST IDX files (gzipped), no dependency on @kdkit/datasets.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

export const FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';

export interface RawImages {
  /** `count × 28 × 28` pixels, 0..255, row-major. */
  readonly pixels: Uint8Array;
  readonly labels: Uint8Array;
  readonly count: number;
}

function readIdx(path: string, magic: number): { dims: number[]; body: Uint8Array } {
  const bytes = gunzipSync(readFileSync(path));
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(0) !== magic) {
    throw new Error(`${path}: magic ${view.getUint32(0)} is not the IDX magic ${magic}`);
  }
  const rank = magic & 0xff;
  const dims = Array.from({ length: rank }, (_, i) => view.getUint32(4 + 4 * i));
  return { dims, body: bytes.subarray(4 + 4 * rank) };
}

/** The first `limit` training images and labels. */
export function loadFashionMnist(limit: number, dir = FASHION_MNIST_DIR): RawImages {
  const images = readIdx(join(dir, 'train-images-idx3-ubyte.gz'), 0x803);
  const labels = readIdx(join(dir, 'train-labels-idx1-ubyte.gz'), 0x801);
  const count = Math.min(limit, images.dims[0] ?? 0);
  return {
    pixels: images.body.slice(0, count * 784),
    labels: labels.body.slice(0, count),
    count,
  };
}

/** Batch `index` (wrapping around) as float32 NHWC in [0, 1] and int32 labels. */
export function batchArrays(
  raw: RawImages,
  batchSize: number,
  index: number,
): { images: Float32Array; labels: Int32Array } {
  const images = new Float32Array(batchSize * 784);
  const labels = new Int32Array(batchSize);
  for (let b = 0; b < batchSize; b++) {
    const src = (index * batchSize + b) % raw.count;
    for (let p = 0; p < 784; p++) images[b * 784 + p] = (raw.pixels[src * 784 + p] as number) / 255;
    labels[b] = raw.labels[src] as number;
  }
  return { images, labels };
}
