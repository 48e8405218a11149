import type { ImageDataset } from './types.js';

/** A new dataset holding the examples at `indices` (in that order), images copied. */
export function selectExamples(ds: ImageDataset, indices: Int32Array, name: string): ImageDataset {
  const [h, w, c] = ds.shape;
  const perImage = h * w * c;
  const images = new Float32Array(indices.length * perImage);
  const labels = new Int32Array(indices.length);
  indices.forEach((index, i) => {
    images.set(ds.images.subarray(index * perImage, (index + 1) * perImage), i * perImage);
    labels[i] = ds.labels[index] as number;
  });
  return { ...ds, name, images, labels, size: indices.length };
}

/** Dataset positions grouped by label; the last group holds the unlabelled (−1) examples. */
export function groupByLabel(ds: ImageDataset): number[][] {
  const groups: number[][] = Array.from({ length: ds.numClasses + 1 }, () => []);
  ds.labels.forEach((label, i) => {
    (groups[label < 0 ? ds.numClasses : label] as number[]).push(i);
  });
  return groups;
}

/** Sorted copy of `positions` as an Int32Array. */
export function sortedIndices(positions: readonly number[]): Int32Array {
  return Int32Array.from(positions).sort();
}
