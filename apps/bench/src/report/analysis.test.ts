import { describe, expect, it } from 'vitest';
import { fullQuality, regime } from '../options.js';
import { agreement, PYTORCH_ANCHOR, protocolDifferences } from './analysis.js';

const anchorData = { trainImages: 60000, testImages: 10000 };
const anchorSettings = () => ({
  ...fullQuality(),
  seeds: [0, 1, 2],
  regimes: [regime(1), regime(0.1)],
});

describe('protocolDifferences', () => {
  it('is empty for the anchor protocol and names every field that differs', () => {
    expect(protocolDifferences(anchorSettings(), anchorData)).toEqual([]);
    const diffs = protocolDifferences(
      { ...anchorSettings(), teacherEpochs: 8, seeds: [0], batchSize: 64 },
      { trainImages: 55000, testImages: 10000 },
    );
    expect(diffs).toEqual([
      'teacher epochs 8 (anchor 4)',
      'batch size 64 (anchor 128)',
      'training images 55000 (anchor 60000)',
      '1 seed(s) (anchor 3)',
    ]);
  });

  it('names augmentation (the anchor had none)', () => {
    const augment = { cropPadding: 2, horizontalFlip: true };
    expect(protocolDifferences({ ...anchorSettings(), augment }, anchorData)).toEqual([
      'students augmented (crop2,flip; anchor none)',
    ]);
  });

  it("counts the few-label scratch student's epochs (the anchor gave it equal steps)", () => {
    const tenth = protocolDifferences(
      { ...anchorSettings(), fewLabelScratchEpochs: 12 },
      anchorData,
    );
    expect(tenth).toEqual([
      'few-label scratch student 12 epochs (anchor: equal steps, 120 epochs)',
    ]);
    expect(
      protocolDifferences({ ...anchorSettings(), fewLabelScratchEpochs: 120 }, anchorData),
    ).toEqual([]);
    // Without a few-label regime the field is irrelevant.
    expect(
      protocolDifferences(
        { ...anchorSettings(), regimes: [regime(1)], fewLabelScratchEpochs: 12 },
        anchorData,
      ),
    ).toEqual([]);
  });
});

describe('agreement', () => {
  it('tests at the standard error of the means and returns the interval of the difference', () => {
    // kdkit 88.62 ± 0.39 vs anchor 87.72 ± 0.51 (3 seeds each): Δ = 0.90 pt, se = 0.37 pt.
    const kd = agreement({ mean: 0.8862, std: 0.0039, n: 3 }, PYTORCH_ANCHOR.rows[0].kd);
    expect(kd.test.diff).toBeCloseTo(0.009, 10);
    expect(kd.test.se).toBeCloseTo(Math.sqrt((0.0039 ** 2 + 0.0051 ** 2) / 3), 10);
    // t = 2.43 on ~3.8 Welch df: p ≈ 0.07, so no difference is shown, but the interval still
    // allows kdkit to be up to ~2 points above the anchor.
    expect(kd.test.p).toBeGreaterThan(0.05);
    expect(kd.test.p).toBeLessThan(0.1);
    expect(kd.test.ci95[0]).toBeLessThan(0);
    expect(kd.test.ci95[1]).toBeGreaterThan(0.018);
    expect(kd.agrees).toBe(true);
    // Equal-steps scratch, 86.65 ± 0.27 vs 87.08 ± 0.10: Δ = −0.43 pt.
    const scratch = agreement({ mean: 0.8665, std: 0.0027, n: 3 }, PYTORCH_ANCHOR.rows[1].scratch);
    expect(scratch.test.diff).toBeCloseTo(-0.0043, 10);
    expect(scratch.test.ci95[0]).toBeLessThan(-0.008);
    // A shifted mean with the same spread: p < 0.05, so it differs.
    expect(
      agreement({ mean: 0.86, std: 0.0027, n: 3 }, PYTORCH_ANCHOR.rows[1].scratch).agrees,
    ).toBe(false);
    expect(agreement({ mean: 0.8705, std: 0, n: 1 }, PYTORCH_ANCHOR.rows[1].scratch).agrees).toBe(
      false,
    );
  });
});
