import { fromArrays } from '@kdkit/datasets';
import { describe, expect, it } from 'vitest';
import { describeDataset, runConfigHash, tripletConfigHash } from './run-config-hash.js';
import type { ResolvedTripletConfig } from './types.js';

describe('runConfigHash', () => {
  it('ignores key order and undefined fields', () => {
    expect(runConfigHash({ a: 1, b: { c: 2, d: [1, 2] } })).toBe(
      runConfigHash({ b: { d: [1, 2], c: 2 }, a: 1, e: undefined }),
    );
  });

  it('changes with any value and is 12 hex characters', () => {
    const h = runConfigHash({ temperature: 4, alpha: 0.9 });
    expect(h).toMatch(/^[0-9a-f]{12}$/);
    expect(runConfigHash({ temperature: 4, alpha: 0.5 })).not.toBe(h);
    expect(runConfigHash({ temperature: 4, alpha: [0.9] })).not.toBe(h);
  });
});

describe('tripletConfigHash', () => {
  // The config and hash of docs/results/2026-11-28-few-label-equal-steps (seed 0): stored runs are
  // found again by this hash, so it must not change.
  const stored: ResolvedTripletConfig = {
    teacher: 'cnn-teacher',
    student: 'cnn-student',
    train: {
      name: 'fashion-mnist/train',
      size: 60000,
      shape: [28, 28, 1],
      numClasses: 10,
      fingerprint: 'cf7177193a7c',
    },
    test: {
      name: 'fashion-mnist/test',
      size: 10000,
      shape: [28, 28, 1],
      numClasses: 10,
      fingerprint: 'd431fb80c542',
    },
    teacherEpochs: 4,
    studentEpochs: 12,
    batchSize: 128,
    optimizer: 'adam',
    learningRate: 0.001,
    lrSchedule: 'cosine',
    loss: 'hinton',
    temperature: 4,
    alpha: 0.9,
    seed: 0,
    teacherSeed: 0,
    labelFraction: 0.1,
    fewLabelScratchEpochs: 120,
  };

  it('gives a stored run its stored hash', () => {
    expect(tripletConfigHash(stored)).toBe('68fa0c7f87ed');
  });

  it('changes with the augmentation, and not without it', () => {
    expect(tripletConfigHash({ ...stored, augment: undefined })).toBe('68fa0c7f87ed');
    const jittered = tripletConfigHash({
      ...stored,
      augment: { cropPadding: 2, horizontalFlip: true },
    });
    expect(jittered).not.toBe('68fa0c7f87ed');
    expect(jittered).toBe('a269c2c18d98'); // as before views existed: stored runs are found again
    expect(
      tripletConfigHash({ ...stored, augment: { cropPadding: 2, horizontalFlip: false } }),
    ).not.toBe(jittered);
    const viewed = tripletConfigHash({
      ...stored,
      augment: { cropPadding: 2, horizontalFlip: true, views: 4 },
    });
    expect(viewed).not.toBe(jittered);
    expect(
      tripletConfigHash({ ...stored, augment: { cropPadding: 2, horizontalFlip: true, views: 2 } }),
    ).not.toBe(viewed);
  });

  it('changes with the schedule', () => {
    expect(tripletConfigHash({ ...stored, lrSchedule: 'constant' })).not.toBe('68fa0c7f87ed');
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
