import { describeBackends } from '@kdkit/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { expect, it } from 'vitest';
import { tinyModel } from '../test/fixtures.js';
import { float16Artifacts, float16Bits } from './float16.js';

it('float16Bits gives the IEEE half bits, rounding to nearest even', () => {
  expect(float16Bits(1)).toBe(0x3c00);
  expect(float16Bits(-2)).toBe(0xc000);
  expect(float16Bits(0.1)).toBe(0x2e66);
  expect(float16Bits(65504)).toBe(0x7bff);
  expect(float16Bits(1e6)).toBe(0x7c00);
  expect(float16Bits(2 ** -24)).toBe(0x0001); // smallest subnormal
  expect(float16Bits(2 ** -26)).toBe(0); // rounds to zero
  expect(float16Bits(1 + 2 ** -11)).toBe(0x3c00); // halfway: to even
  expect(float16Bits(1 + 3 * 2 ** -11)).toBe(0x3c02); // halfway: to even (up)
  expect(float16Bits(Number.NaN) & 0x7c00).toBe(0x7c00);
});

describeBackends(['cpu'], 'float16Artifacts', () => {
  it('halves the weights, and tfjs decodes them back within float16 precision', async () => {
    const model = tinyModel();
    let saved: tf.io.ModelArtifacts | undefined;
    await model.save(
      tf.io.withSaveHandler(async (a) => {
        saved = a;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
    const artifacts = saved as tf.io.ModelArtifacts;
    const half = float16Artifacts(artifacts);
    const bytes = (a: tf.io.ModelArtifacts) => (a.weightData as ArrayBuffer).byteLength;
    expect(bytes(half)).toBe(bytes(artifacts) / 2);
    expect(half.weightSpecs?.every((s) => s.quantization?.dtype === 'float16')).toBe(true);
    const loaded = await tfl.loadLayersModel(tf.io.fromMemory(half));
    const original = model.getWeights();
    loaded.getWeights().forEach((w, i) => {
      const want = original[i]?.dataSync() ?? new Float32Array();
      const got = w.dataSync();
      got.forEach((v, j) => {
        const x = want[j] ?? Number.NaN;
        // float16 keeps 11 significant bits: relative error ≤ 2^-11.
        expect(Math.abs(v - x)).toBeLessThanOrEqual(Math.abs(x) * 2 ** -11 + 2 ** -24);
      });
    });
    const xs = tf.randomUniform([5, 4, 4, 1], 0, 1, 'float32', 3);
    const a = model.predict(xs) as tf.Tensor;
    const b = loaded.predict(xs) as tf.Tensor;
    expect(tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]).toBeLessThan(1e-2);
    tf.dispose([xs, a, b]);
    model.dispose();
    loaded.dispose();
  });
});
