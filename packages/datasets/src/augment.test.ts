import { isKdkitError, SeededRandom } from '@kdkit/engine';
import { describe, expect, it } from 'vitest';
import { augmentationKey, resolveAugment, sampleAugmentation, writeExample } from './augment.js';
import { fromArrays } from './from-arrays.js';

// One 2×3 image, 2 channels: value = 10·y + x + 0.5·channel, scaled into [0, 1].
const image = new Float32Array(12);
for (let y = 0; y < 2; y++)
  for (let x = 0; x < 3; x++)
    for (let k = 0; k < 2; k++) image[(y * 3 + x) * 2 + k] = (10 * y + x + 0.5 * k) / 20;
const ds = fromArrays(image, [0], { shape: [2, 3, 2], numClasses: 1 });
const at = (out: Float32Array, y: number, x: number, k: number) => out[(y * 3 + x) * 2 + k];
const value = (y: number, x: number, k: number) => Math.fround((10 * y + x + 0.5 * k) / 20);

describe('writeExample', () => {
  it('without a transform copies the row', () => {
    const out = new Float32Array(12);
    writeExample(ds, 0, out, 0, undefined, 0);
    expect(out).toEqual(image);
  });

  it('flips left-right: out(y, x) = in(y, w − 1 − x), channels kept', () => {
    const out = new Float32Array(12);
    writeExample(ds, 0, out, 0, { offsetY: 0, offsetX: 0, flip: true }, 0);
    expect(at(out, 1, 0, 1)).toBe(value(1, 2, 1));
    expect(at(out, 0, 2, 0)).toBe(value(0, 0, 0));
  });

  it('crops the zero-padded image: out(y, x) = in(y + oy − p, x + ox − p), 0 outside', () => {
    const out = new Float32Array(12);
    writeExample(ds, 0, out, 0, { offsetY: 0, offsetX: 2, flip: false }, 1);
    // Row 0 comes from y = −1: all zero. Row 1 from y = 0, x shifted by +1.
    expect(Array.from(out.subarray(0, 6))).toEqual([0, 0, 0, 0, 0, 0]);
    expect(at(out, 1, 0, 1)).toBe(value(0, 1, 1));
    expect(at(out, 1, 1, 0)).toBe(value(0, 2, 0));
    expect(at(out, 1, 2, 0)).toBe(0);
  });
});

const SIZE = [28, 28] as const;

describe('writeExample erasing', () => {
  it('sets the erased rectangle to 0 after the flip, in every channel, and nothing else', () => {
    const out = new Float32Array(12);
    const erase = { top: 1, left: 1, height: 1, width: 2 };
    writeExample(ds, 0, out, 0, { offsetY: 0, offsetX: 0, flip: true, erase }, 0);
    expect([at(out, 1, 1, 0), at(out, 1, 1, 1), at(out, 1, 2, 0), at(out, 1, 2, 1)]).toEqual([
      0, 0, 0, 0,
    ]);
    expect(at(out, 1, 0, 1)).toBe(value(1, 2, 1));
    expect(at(out, 0, 1, 0)).toBe(value(0, 1, 0));
    expect(at(out, 0, 2, 1)).toBe(value(0, 0, 1));
  });
});

describe('sampleAugmentation', () => {
  const augment = { cropPadding: 4, horizontalFlip: true };
  const base = new SeededRandom(5).fork('augment');

  it('depends only on (seed, epoch, index), with offsets in [0, 2p] and both flips', () => {
    const draws = Array.from({ length: 200 }, (_, i) =>
      sampleAugmentation(base, 1, i, augment, SIZE),
    );
    expect(
      Array.from({ length: 200 }, (_, i) =>
        sampleAugmentation(new SeededRandom(5).fork('augment'), 1, i, augment, SIZE),
      ),
    ).toEqual(draws);
    expect(
      draws.every((d) => d.offsetX >= 0 && d.offsetX <= 8 && d.offsetY >= 0 && d.offsetY <= 8),
    ).toBe(true);
    const flips = draws.filter((d) => d.flip).length;
    expect(flips).toBeGreaterThan(60);
    expect(flips).toBeLessThan(140);
    expect(new Set(draws.map((d) => d.offsetX)).size).toBe(9);
    expect(sampleAugmentation(base, 2, 0, augment, SIZE)).not.toEqual(
      sampleAugmentation(base, 1, 0, augment, SIZE),
    );
  });

  it('without views draws what it drew before views existed', () => {
    // [offsetY, offsetX, flip] for epochs 0–2 × indices 0–3, computed with the code before `views`.
    const before = [
      [
        [7, 2, 1],
        [7, 4, 1],
        [2, 6, 0],
        [8, 7, 1],
      ],
      [
        [5, 4, 0],
        [5, 0, 1],
        [7, 2, 1],
        [0, 3, 0],
      ],
      [
        [2, 6, 0],
        [3, 1, 0],
        [8, 1, 0],
        [3, 2, 0],
      ],
    ];
    const draws = [0, 1, 2].map((epoch) =>
      [0, 1, 2, 3].map((index) => {
        const d = sampleAugmentation(base, epoch, index, augment, SIZE);
        return [d.offsetY, d.offsetX, d.flip ? 1 : 0];
      }),
    );
    expect(draws).toEqual(before);
  });

  it('with views: V, epoch e draws view e mod V: the unlimited draw of epoch e mod V', () => {
    const viewed = { ...augment, views: 3 };
    for (let index = 0; index < 50; index++) {
      for (let epoch = 0; epoch < 7; epoch++) {
        expect(sampleAugmentation(base, epoch, index, viewed, SIZE)).toEqual(
          sampleAugmentation(base, epoch % 3, index, augment, SIZE),
        );
      }
    }
    const view = (v: number) =>
      Array.from({ length: 50 }, (_, i) => sampleAugmentation(base, v, i, viewed, SIZE));
    expect(view(1)).not.toEqual(view(0));
    expect(view(2)).not.toEqual(view(1));
    expect(augmentationKey(3, 9, { cropPadding: 4, horizontalFlip: false, views: 4 })).toBe(
      'seed=3;view=1;crop=4;flip=0',
    );
    expect(augmentationKey(3, 1, { cropPadding: 4, horizontalFlip: false, views: 4 })).toBe(
      augmentationKey(3, 9, { cropPadding: 4, horizontalFlip: false, views: 4 }),
    );
  });

  it('erases one rectangle with probability erase, of 2–40% of the area, inside the image', () => {
    const erasing = { ...augment, erase: 0.5 };
    const draws = Array.from({ length: 400 }, (_, i) =>
      sampleAugmentation(base, 1, i, erasing, [28, 20]),
    );
    const rects = draws.flatMap((d) => (d.erase ? [d.erase] : []));
    expect(rects.length).toBeGreaterThan(160);
    expect(rects.length).toBeLessThan(240);
    for (const r of rects) {
      expect(r.top).toBeGreaterThanOrEqual(0);
      expect(r.left).toBeGreaterThanOrEqual(0);
      expect(r.top + r.height).toBeLessThanOrEqual(28);
      expect(r.left + r.width).toBeLessThanOrEqual(20);
      // Rounding each side moves the area a little outside [2%, 40%].
      expect(r.height * r.width).toBeGreaterThanOrEqual(0.01 * 28 * 20);
      expect(r.height * r.width).toBeLessThanOrEqual(0.5 * 28 * 20);
    }
    // The crop and flip draws come first, so they are the ones drawn without erasing.
    const plain = Array.from({ length: 400 }, (_, i) =>
      sampleAugmentation(base, 1, i, augment, SIZE),
    );
    expect(draws.map(({ erase: _, ...rest }) => rest)).toEqual(plain);
    expect(
      Array.from({ length: 50 }, (_, i) =>
        sampleAugmentation(base, 1, i, { ...augment, erase: 1 }, SIZE),
      ).every((d) => d.erase !== undefined),
    ).toBe(true);
  });

  it('resolveAugment treats no crop and no flip as off; the key names every setting', () => {
    expect(resolveAugment('t', ds, {})).toBeUndefined();
    expect(resolveAugment('t', ds, undefined)).toBeUndefined();
    expect(resolveAugment('t', ds, { horizontalFlip: true })).toEqual({
      cropPadding: 0,
      horizontalFlip: true,
    });
    expect(augmentationKey(3, 9, { cropPadding: 4, horizontalFlip: false })).toBe(
      'seed=3;epoch=9;crop=4;flip=0',
    );
    expect(resolveAugment('t', ds, { erase: 0 })).toBeUndefined();
    expect(resolveAugment('t', ds, { erase: 0.25 })).toEqual({
      cropPadding: 0,
      horizontalFlip: false,
      erase: 0.25,
    });
    expect(augmentationKey(3, 9, { cropPadding: 0, horizontalFlip: false, erase: 0.25 })).toBe(
      'seed=3;epoch=9;crop=0;flip=0;erase=0.25',
    );
  });

  it('resolveAugment refuses an erase that is not a probability', () => {
    for (const erase of [-0.1, 1.5, Number.NaN]) {
      expect(() => resolveAugment('f', ds, { erase })).toThrow(
        /f: 'augment.erase' must be a probability in \[0, 1\]/,
      );
    }
  });

  it('resolveAugment names the caller and the bad field', () => {
    expect(() => resolveAugment('f', ds, { cropPadding: 1.5 })).toThrow(
      /f: 'augment.cropPadding' must be an integer ≥ 0/,
    );
    expect(() => resolveAugment('f', ds, { horizontalFlip: 'yes' as unknown as boolean })).toThrow(
      /f: 'augment.horizontalFlip' must be true or false, got yes/,
    );
    expect(() => resolveAugment('f', ds, null as unknown as false)).toThrow(/f: 'augment'/);
    expect(resolveAugment('f', ds, { horizontalFlip: true, views: 4 })).toEqual({
      cropPadding: 0,
      horizontalFlip: true,
      views: 4,
    });
    expect(resolveAugment('f', ds, { views: 4 })).toBeUndefined();
    for (const views of [
      0,
      -1,
      1.5,
      Number.POSITIVE_INFINITY,
      Number.NaN,
      '4' as unknown as number,
    ]) {
      let caught: unknown;
      try {
        resolveAugment('f', ds, { horizontalFlip: true, views });
      } catch (error) {
        caught = error;
      }
      expect(isKdkitError(caught, 'OUT_OF_RANGE')).toBe(true);
      expect(String(caught)).toMatch(
        /f: 'augment.views' must be a positive integer \(the number of augmented views per image; leave it out for a fresh augmentation every epoch\), got /,
      );
    }
  });
});
