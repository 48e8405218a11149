import { describe, expect, it } from 'vitest';
import { quickQuality, quickSpeed } from '../options.js';
import { ONNX_FIXTURE_MODEL, ONNX_TWIN_MODEL, type OnnxFigure } from '../speed.js';
import { augmentProtocol, onnxSpeedText } from './build.js';

describe('augmentProtocol', () => {
  it("says what each student's batches get, and that the KD teacher sees them", () => {
    expect(augmentProtocol(quickQuality())).toBe('No augmentation.');
    const text = augmentProtocol({
      ...quickQuality(),
      augment: { cropPadding: 2, horizontalFlip: true },
    });
    expect(text).toMatch(/^Augmentation `crop2,flip` \(zero-pad by 2 px and crop back/);
    expect(text).toContain('flip left-right with probability ½');
    expect(text).toContain('(scratch, KD, baselines)');
    expect(text).toContain('the KD teacher runs on each augmented batch');
    const flipOnly = augmentProtocol({
      ...quickQuality(),
      baselines: [],
      augment: { cropPadding: 0, horizontalFlip: true },
    });
    expect(flipOnly).toMatch(/^Augmentation `flip` \(flip left-right with probability ½\)/);
    expect(flipOnly).toContain('(scratch, KD)');
    const viewed = augmentProtocol({
      ...quickQuality(),
      augment: { cropPadding: 2, horizontalFlip: true, views: 4 },
    });
    expect(viewed).toMatch(
      /^Augmentation `crop2,flip,views4` \(zero-pad by 2 px .*, 4 fixed views per image, epoch e reusing view e mod 4\)/,
    );
    expect(viewed).toContain('depends on the seed, view and image only');
    expect(viewed).toContain(
      'the KD teacher runs once per image and view and its logits are cached',
    );
    expect(text).toContain('depends on the seed, epoch and image only');
  });
});

describe('onnxSpeedText', () => {
  const settings = quickSpeed();
  const twin: OnnxFigure = {
    figure: 'teacher-inference',
    runtime: 'onnxruntime-node',
    model: ONNX_TWIN_MODEL,
    sameNetwork: true,
    params: 1_701_802,
    imagesPerSecond: 1234.4,
    exported: { bytes: 6_806_240, params: 1_701_802, opset: 13, seed: 0, torch: '1.13.0' },
  };

  it("compares the teacher's twin with PyTorch's figure of the same invocation", () => {
    const text = onnxSpeedText({ settings, onnx: { ...twin, ratioToPyTorch: 0.437 } });
    expect(text).toContain(
      '`cnn-teacher (PyTorch twin, torch.onnx.export)`, 1,701,802 weights: 1,234 img/s.',
    );
    expect(text).toContain('It is the `cnn-teacher` architecture');
    expect(text).toContain('PyTorch 1.13.0, opset 13, default init with seed 0');
    expect(text).toMatch(/0\.44× PyTorch's teacher inference in the same invocation\.$/);
    expect(onnxSpeedText({ settings, onnx: twin })).toMatch(/so there is no ratio\.$/);
  });

  it('says the fixture is another network that compares with nothing, and why', () => {
    const text = onnxSpeedText({
      settings,
      onnx: {
        figure: 'teacher-inference',
        runtime: 'onnxruntime-node',
        model: ONNX_FIXTURE_MODEL,
        sameNetwork: false,
        params: 106_058,
        imagesPerSecond: 39_259,
        twinSkipped: 'PyTorch: disabled (--no-torch)',
      },
    });
    expect(text).toContain(
      '`fashion-cnn.onnx (PyTorch export, @kdkit/onnx fixture)`, 106,058 weights',
    );
    expect(text).toContain(
      "a different, smaller network than the `cnn-teacher` teacher, so it compares with nothing in the table (the teacher's PyTorch twin was not timed: PyTorch: disabled (--no-torch)).",
    );
    expect(text).not.toContain('×');
  });

  it('says why it did not run', () => {
    expect(onnxSpeedText({ settings, onnx: { skipped: 'no onnxruntime-node' } })).toBe(
      'ONNX Runtime: not run (no onnxruntime-node).',
    );
  });
});
