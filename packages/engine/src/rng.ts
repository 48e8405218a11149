import { assertInteger } from './validate.js';

/** Serializable state of a {@link SeededRandom}; store it in a checkpoint to resume a run. */
export interface RandomState {
  readonly s: readonly [number, number, number, number];
}

function splitmix32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x9e3779b9) >>> 0;
    let z = a;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** Hashes a string label to 32 bits (FNV-1a), for deriving independent streams. */
export function hashString(label: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < label.length; i++) {
    h ^= label.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/**
 * A small, fast, seeded random source (xoshiro128**). The same seed gives the same stream on
 * every platform, so a run with `--seed` is repeatable. Its state can be saved and restored.
 *
 * @example
 * const rng = new SeededRandom(42);
 * rng.shuffle([0, 1, 2, 3]);
 * const layerSeed = rng.fork('conv1').nextUint32();
 */
export class SeededRandom {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  constructor(seed: number) {
    assertInteger('SeededRandom', 'seed', seed, 0);
    const next = splitmix32(seed);
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
  }

  /** A generator that resumes exactly from a saved {@link RandomState}. */
  static fromState(state: RandomState): SeededRandom {
    const rng = new SeededRandom(0);
    rng.setState(state);
    return rng;
  }

  /** An independent stream derived from this generator's seed state and a label. */
  fork(label: string | number): SeededRandom {
    const mixed = (this.s0 ^ hashString(String(label)) ^ Math.imul(this.s3, 0x9e3779b9)) >>> 0;
    return new SeededRandom(mixed);
  }

  getState(): RandomState {
    return { s: [this.s0, this.s1, this.s2, this.s3] };
  }

  setState(state: RandomState): void {
    [this.s0, this.s1, this.s2, this.s3] = state.s.map((v) => v >>> 0) as [
      number,
      number,
      number,
      number,
    ];
  }

  /** A uniform 32-bit unsigned integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5) >>> 0, 7), 9) >>> 0;
    const t = (this.s1 << 9) >>> 0;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    this.s0 >>>= 0;
    this.s1 >>>= 0;
    this.s2 >>>= 0;
    return result;
  }

  /** A uniform float in [0, 1). */
  nextFloat(): number {
    return this.nextUint32() / 4294967296;
  }

  /** A uniform integer in [0, maxExclusive). */
  nextInt(maxExclusive: number): number {
    assertInteger('SeededRandom.nextInt', 'maxExclusive', maxExclusive, 1);
    return Math.floor(this.nextFloat() * maxExclusive);
  }

  /** A standard normal sample (Box-Muller). */
  nextNormal(): number {
    const u = 1 - this.nextFloat();
    const v = this.nextFloat();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** Shuffles `items` in place (Fisher-Yates) and returns it. */
  shuffle<T, A extends { length: number; [i: number]: T }>(items: A): A {
    for (let i = items.length - 1; i > 0; i--) {
      const j = Math.floor(this.nextFloat() * (i + 1));
      const tmp = items[i] as T;
      items[i] = items[j] as T;
      items[j] = tmp;
    }
    return items;
  }

  /** A random permutation of 0..n-1. */
  permutation(n: number): Int32Array {
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++) out[i] = i;
    return this.shuffle<number, Int32Array>(out);
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
