import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { subsetPerClass } from '@kdkit/datasets';
import { loadFashionMnistMini } from '@kdkit/datasets/node';
import { describeBackends } from '@kdkit/test-utils';
import { afterAll, describe, expect, it } from 'vitest';
import {
  chooseOnnxModel,
  ONNX_FIXTURE_MODEL,
  ONNX_TWIN_MODEL,
  type OnnxFigure,
  onnxInference,
  withPyTorchRatio,
} from './speed.js';

const fashion = { name: 'fashion-mnist-mini', shape: [28, 28, 1] as const, numClasses: 10 };
const python = { python: '/usr/bin/python3' };

describe('chooseOnnxModel', () => {
  it("times cnn-teacher's PyTorch twin when the anchor's Python runs", () => {
    expect(chooseOnnxModel({ teacher: 'cnn-teacher', data: fashion, torch: python })).toEqual({
      model: 'twin',
      python: '/usr/bin/python3',
    });
  });

  it('falls back to the fixture, saying why, without PyTorch or for a teacher with no twin', () => {
    expect(
      chooseOnnxModel({
        teacher: 'cnn-teacher',
        data: fashion,
        torch: { skipped: 'disabled (--no-torch)' },
      }),
    ).toEqual({ model: 'fixture', twinSkipped: 'PyTorch: disabled (--no-torch)' });
    expect(chooseOnnxModel({ teacher: 'lenet5', data: fashion, torch: python })).toEqual({
      model: 'fixture',
      twinSkipped: "the suite's teacher 'lenet5' has no PyTorch twin (only cnn-teacher)",
    });
  });

  it('runs nothing on images neither model takes', () => {
    const cifar = { name: 'cifar-10', shape: [32, 32, 3] as const, numClasses: 10 };
    expect(chooseOnnxModel({ teacher: 'cnn-teacher', data: cifar, torch: python })).toEqual({
      skipped: 'the ONNX models take 28×28×1 images of 10 classes, not cifar-10',
    });
  });
});

describe('withPyTorchRatio', () => {
  const twin: OnnxFigure = {
    figure: 'teacher-inference',
    runtime: 'onnxruntime-node',
    model: ONNX_TWIN_MODEL,
    sameNetwork: true,
    params: 1_701_802,
    imagesPerSecond: 1500,
  };

  it("divides by PyTorch's teacher inference only for the same network", () => {
    expect(withPyTorchRatio(twin, 3000)).toEqual({ ...twin, ratioToPyTorch: 0.5 });
    const fixture = { ...twin, model: ONNX_FIXTURE_MODEL, sameNetwork: false };
    expect(withPyTorchRatio(fixture, 3000)).toEqual(fixture);
  });

  it('gives no ratio without a PyTorch figure, or for a skipped figure', () => {
    expect(withPyTorchRatio(twin, undefined)).toEqual(twin);
    expect(withPyTorchRatio(twin, 0)).toEqual(twin);
    expect(withPyTorchRatio({ skipped: 'no runtime' }, 3000)).toEqual({ skipped: 'no runtime' });
  });
});

const work = mkdtempSync(join(tmpdir(), 'kdkit-bench-speed-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const FIXTURE = fileURLToPath(
  new URL('../../../packages/onnx/fixtures/fashion-cnn.onnx', import.meta.url),
);

/**
 * A stand-in for `python export_teacher_onnx.py OUT`, so the twin's path runs without torch: it
 * copies the fixture to OUT, logs OUT, and prints the export line (or fails, when `fail`).
 */
function fakePython(name: string, fail = false): { python: string; log: string } {
  const python = join(work, name);
  const log = join(work, `${name}.log`);
  writeFileSync(
    python,
    fail
      ? '#!/bin/sh\necho "ModuleNotFoundError: No module named torch" >&2\nexit 1\n'
      : `#!/bin/sh\ncp '${FIXTURE}' "$2" && echo "$2" > '${log}'\n` +
          `echo '{"model": "cnn-teacher", "path": "'"$2"'", "bytes": 1, "params": 1701802, "opset": 13, "seed": 0, "torch": "fake"}'\n`,
  );
  chmodSync(python, 0o755);
  return { python, log };
}

describeBackends(['cpu'], 'onnxInference', () => {
  const data = async () => subsetPerClass(await loadFashionMnistMini({ split: 'test' }), 2, 0);

  it('labels an exported twin with its weights and export, and removes the file after', async () => {
    const { python, log } = fakePython('exports');
    const figure = await onnxInference({ model: 'twin', python }, await data(), 8);
    expect(figure).toMatchObject({
      model: ONNX_TWIN_MODEL,
      sameNetwork: true,
      params: 1_701_802,
      exported: { bytes: 1, opset: 13, seed: 0, torch: 'fake' },
    });
    expect(figure).not.toHaveProperty('exported.path');
    expect((figure as OnnxFigure).imagesPerSecond).toBeGreaterThan(0);
    const exportedTo = readFileSync(log, 'utf8').trim();
    expect(exportedTo).toMatch(/kdkit-bench-onnx-.*\/cnn-teacher\.onnx$/);
    expect(existsSync(exportedTo)).toBe(false);
  });

  it('times the fixture, labelled as such with the reason, when the export fails', async () => {
    const { python } = fakePython('fails', true);
    const figure = await onnxInference({ model: 'twin', python }, await data(), 8);
    expect(figure).toMatchObject({
      model: ONNX_FIXTURE_MODEL,
      sameNetwork: false,
      params: 106_058,
      twinSkipped: expect.stringMatching(/^the export failed: Command failed: /),
    });
    expect(figure).not.toHaveProperty('exported');
  });
});
