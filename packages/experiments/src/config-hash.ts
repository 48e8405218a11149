import { createHash } from 'node:crypto';
import type { ImageDataset } from '@kdkit/datasets';
import type { DatasetDescription } from './types.js';

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return Object.fromEntries(entries.map(([k, v]) => [k, canonical(v)]));
  }
  return value;
}

/**
 * A short, stable hash (12 hex chars of SHA-256) of a JSON-like config: key order and
 * `undefined` fields don't change it.
 *
 * @example
 * configHash({ a: 1, b: 2 }) === configHash({ b: 2, a: 1 }); // true
 */
export function configHash(config: unknown): string {
  return createHash('sha256')
    .update(JSON.stringify(canonical(config)))
    .digest('hex')
    .slice(0, 12);
}

// Datasets are immutable by contract; hashing the full Fashion-MNIST takes ~0.3 s, so once is enough.
const descriptions = new WeakMap<ImageDataset, DatasetDescription>();

/**
 * Describes a dataset by name, size, shape, classes and a fingerprint (SHA-256 of its images and
 * labels), so a cache can't mistake one dataset (or subset) for another.
 *
 * @example
 * describeDataset(train).fingerprint; // 'a3f…'
 */
export function describeDataset(ds: ImageDataset): DatasetDescription {
  const known = descriptions.get(ds);
  if (known) return known;
  const hash = createHash('sha256');
  hash.update(new Uint8Array(ds.images.buffer, ds.images.byteOffset, ds.images.byteLength));
  hash.update(new Uint8Array(ds.labels.buffer, ds.labels.byteOffset, ds.labels.byteLength));
  const description: DatasetDescription = {
    name: ds.name,
    size: ds.size,
    shape: [ds.shape[0], ds.shape[1], ds.shape[2]],
    numClasses: ds.numClasses,
    fingerprint: hash.digest('hex').slice(0, 12),
  };
  descriptions.set(ds, description);
  return description;
}
