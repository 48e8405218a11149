import { fromArrays } from '@kdkit/datasets';
import { describe, expect, it } from 'vitest';
import { configHash, describeDataset } from './config-hash.js';

describe('configHash', () => {
  it('ignores key order and undefined fields', () => {
    expect(configHash({ a: 1, b: { c: 2, d: [1, 2] } })).toBe(
      configHash({ b: { d: [1, 2], c: 2 }, a: 1, e: undefined }),
    );
  });

  it('changes with any value and is 12 hex characters', () => {
    const h = configHash({ temperature: 4, alpha: 0.9 });
    expect(h).toMatch(/^[0-9a-f]{12}$/);
    expect(configHash({ temperature: 4, alpha: 0.5 })).not.toBe(h);
    expect(configHash({ temperature: 4, alpha: [0.9] })).not.toBe(h);
  });
});

describe('describeDataset', () => {
  const make = (pixel: number, labels: number[]) =>
    fromArrays(new Float32Array(labels.length * 4).fill(pixel), labels, {
      shape: [2, 2, 1],
      numClasses: 3,
      name: 'tiny',
    });

  it('describes name, size, shape, classes', () => {
    const d = describeDataset(make(0.5, [0, 1, 2]));
    expect(d).toMatchObject({ name: 'tiny', size: 3, shape: [2, 2, 1], numClasses: 3 });
    expect(d.fingerprint).toMatch(/^[0-9a-f]{12}$/);
  });

  it('fingerprints images and labels', () => {
    const base = describeDataset(make(0.5, [0, 1, 2])).fingerprint;
    expect(describeDataset(make(0.5, [0, 1, 2])).fingerprint).toBe(base);
    expect(describeDataset(make(0.25, [0, 1, 2])).fingerprint).not.toBe(base);
    expect(describeDataset(make(0.5, [0, 1, -1])).fingerprint).not.toBe(base);
  });
});
