import type { ImageDataset } from '@kdkit/datasets';
import { Sha256 } from './sha256.js';
import type { DatasetDescription, ResolvedTripletConfig } from './types.js';

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
 * A short, stable hash (12 hex chars of SHA-256) of a JSON-like run config: key order and
 * `undefined` fields don't change it.
 *
 * @example
 * runConfigHash({ a: 1, b: 2 }) === runConfigHash({ b: 2, a: 1 }); // true
 */
export function runConfigHash(config: unknown): string {
  return new Sha256()
    .update(JSON.stringify(canonical(config)))
    .hex()
    .slice(0, 12);
}

/**
 * The hash of a triplet run (`TripletResult.configHash`), known before running it to skip runs
 * already on disk. The schedule is hashed under the key `schedule`, the key stored runs were
 * hashed with, so their hashes stay valid.
 *
 * @example
 * const hash = tripletConfigHash(resolveTripletConfig({ train, test, temperature: 8 }));
 */
export function tripletConfigHash(config: ResolvedTripletConfig): string {
  const { lrSchedule, ...rest } = config;
  return runConfigHash({ ...rest, schedule: lrSchedule });
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
  const hash = new Sha256();
  hash.update(new Uint8Array(ds.images.buffer, ds.images.byteOffset, ds.images.byteLength));
  hash.update(new Uint8Array(ds.labels.buffer, ds.labels.byteOffset, ds.labels.byteLength));
  const description: DatasetDescription = {
    name: ds.name,
    size: ds.size,
    shape: [ds.shape[0], ds.shape[1], ds.shape[2]],
    numClasses: ds.numClasses,
    fingerprint: hash.hex().slice(0, 12),
  };
  descriptions.set(ds, description);
  return description;
}
