import { describe, expect, it } from 'vitest';
import { SeededRandom } from './rng.js';

describe('SeededRandom', () => {
  it('repeats the same stream for the same seed and differs for another', () => {
    const a = new SeededRandom(7);
    const b = new SeededRandom(7);
    const c = new SeededRandom(8);
    const seqA = Array.from({ length: 20 }, () => a.nextUint32());
    expect(Array.from({ length: 20 }, () => b.nextUint32())).toEqual(seqA);
    expect(Array.from({ length: 20 }, () => c.nextUint32())).not.toEqual(seqA);
  });

  it('resumes exactly from a saved state', () => {
    const a = new SeededRandom(123);
    for (let i = 0; i < 5; i++) a.nextFloat();
    const saved = JSON.parse(JSON.stringify(a.getState()));
    const expected = Array.from({ length: 10 }, () => a.nextFloat());
    const b = SeededRandom.fromState(saved);
    expect(Array.from({ length: 10 }, () => b.nextFloat())).toEqual(expected);
  });

  it('gives uniform floats in [0, 1) with the right mean', () => {
    const rng = new SeededRandom(1);
    let sum = 0;
    for (let i = 0; i < 20000; i++) {
      const x = rng.nextFloat();
      expect(x >= 0 && x < 1).toBe(true);
      sum += x;
    }
    expect(sum / 20000).toBeCloseTo(0.5, 1);
  });

  it('normal samples have mean 0 and variance 1 within sampling error', () => {
    const rng = new SeededRandom(3);
    const xs = Array.from({ length: 20000 }, () => rng.nextNormal());
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    const variance = xs.reduce((s, x) => s + (x - mean) ** 2, 0) / xs.length;
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(Math.abs(variance - 1)).toBeLessThan(0.05);
  });

  it('permutation is a repeatable permutation of 0..n-1', () => {
    const p = new SeededRandom(5).permutation(100);
    expect([...p].sort((x, y) => x - y)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect([...new SeededRandom(5).permutation(100)]).toEqual([...p]);
    expect([...p]).not.toEqual(Array.from({ length: 100 }, (_, i) => i));
  });

  it('forks independent, labelled streams', () => {
    const root = new SeededRandom(9);
    expect(root.fork('a').nextUint32()).toBe(new SeededRandom(9).fork('a').nextUint32());
    expect(root.fork('a').nextUint32()).not.toBe(root.fork('b').nextUint32());
  });

  it('rejects a non-integer seed, naming it', () => {
    expect(() => new SeededRandom(1.5)).toThrow(
      "SeededRandom: 'seed' must be an integer ≥ 0, got 1.5",
    );
    expect(() => new SeededRandom(1).nextInt(0)).toThrow("'maxExclusive' must be an integer ≥ 1");
  });
});
