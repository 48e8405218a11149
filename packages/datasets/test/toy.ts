import { fromArrays } from '../src/from-arrays.js';
import type { ImageDataset } from '../src/types.js';

/** `n` images of h×w×c whose every value encodes (index, pixel) so rows can be traced. */
export function toyDataset(n: number, h = 3, w = 4, c = 1, numClasses = 3): ImageDataset {
  const per = h * w * c;
  const images = new Float32Array(n * per);
  for (let i = 0; i < n; i++) {
    for (let p = 0; p < per; p++) images[i * per + p] = ((i * 7 + p) % 97) / 96;
  }
  const labels = Array.from({ length: n }, (_, i) => i % numClasses);
  return fromArrays(images, labels, { shape: [h, w, c], numClasses, name: 'toy' });
}
