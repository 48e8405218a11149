// The Fashion-MNIST mini set of @kdkit/datasets (3,000 train / 1,000 test real images), fetched
// as static assets and parsed with the package's own IDX reader. (@kdkit/datasets' loader of it
// reads the files from disk, so it lives under its ./node entry.)
import {
  FASHION_MNIST_CLASSES,
  fromArrays,
  type ImageDataset,
  parseIdx,
  type Split,
} from '@kdkit/datasets';
import { KdkitError } from '@kdkit/engine';
import testImages from '../../../packages/datasets/assets/t10k-images-idx3-ubyte.gz?url';
import testLabels from '../../../packages/datasets/assets/t10k-labels-idx1-ubyte.gz?url';
import trainImages from '../../../packages/datasets/assets/train-images-idx3-ubyte.gz?url';
import trainLabels from '../../../packages/datasets/assets/train-labels-idx1-ubyte.gz?url';

const FILES: Record<Split, { images: string; labels: string }> = {
  train: { images: trainImages, labels: trainLabels },
  test: { images: testImages, labels: testLabels },
};

async function fetchBytes(url: string): Promise<Uint8Array> {
  let response: Response;
  try {
    response = await fetch(url);
  } catch (error) {
    throw new KdkitError(
      'DATA_UNAVAILABLE',
      `mini set: could not fetch ${url} (${String(error)}).`,
    );
  }
  if (!response.ok) {
    throw new KdkitError('DATA_UNAVAILABLE', `mini set: ${url} answered HTTP ${response.status}.`);
  }
  return new Uint8Array(await response.arrayBuffer());
}

/** One split of the mini set, optionally its first `limit` images. */
export async function loadMiniSet(split: Split, limit?: number): Promise<ImageDataset> {
  const urls = FILES[split];
  const [imageBytes, labelBytes] = await Promise.all([
    fetchBytes(urls.images),
    fetchBytes(urls.labels),
  ]);
  const images = parseIdx(imageBytes, urls.images, 3);
  const labels = parseIdx(labelBytes, urls.labels, 1);
  const [n, h, w] = images.dims as [number, number, number];
  const size = Math.min(n, labels.data.length, limit ?? n);
  return fromArrays(images.data.subarray(0, size * h * w), labels.data.subarray(0, size), {
    shape: [h, w, 1],
    numClasses: FASHION_MNIST_CLASSES.length,
    classNames: FASHION_MNIST_CLASSES,
    name: `fashion-mnist-mini/${split}`,
  });
}
