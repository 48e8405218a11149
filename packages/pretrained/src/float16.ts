import type * as tf from '@tensorflow/tfjs-core';

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** IEEE 754 half-precision bits of `value`, rounded to nearest even (±Inf beyond ±65504). */
export function float16Bits(value: number): number {
  f32[0] = value;
  const x = u32[0] as number;
  const sign = (x >>> 16) & 0x8000;
  const exponent = (x >>> 23) & 0xff;
  let mantissa = x & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa ? 0x200 : 0);
  const e = exponent - 112; // rebias 127 → 15
  if (e >= 0x1f) return sign | 0x7c00;
  let shift = 13;
  let half: number;
  if (e <= 0) {
    if (e < -10) return sign;
    mantissa |= 0x800000;
    shift = 14 - e;
    half = mantissa >> shift;
  } else {
    half = (e << 10) | (mantissa >> shift);
  }
  const rest = mantissa & ((1 << shift) - 1);
  const halfway = 1 << (shift - 1);
  // A carry out of the mantissa rounds up into the exponent, as it should (up to Inf).
  if (rest > halfway || (rest === halfway && half & 1)) half++;
  return sign | half;
}

/**
 * `artifacts` with every float32 weight stored as float16 (weight spec
 * `quantization: { dtype: 'float16' }`, which tfjs's io decodes back to float32 at load); other
 * weights are kept as they are. Halves the size of a float32 model.
 */
export function float16Artifacts(artifacts: tf.io.ModelArtifacts): tf.io.ModelArtifacts {
  const specs = artifacts.weightSpecs ?? [];
  const data = artifacts.weightData;
  const source = new Uint8Array(
    data === undefined ? new ArrayBuffer(0) : Array.isArray(data) ? join(data) : data,
  );
  const out: Uint8Array[] = [];
  const outSpecs: tf.io.WeightsManifestEntry[] = [];
  let offset = 0;
  for (const spec of specs) {
    const count = spec.shape.reduce((a, b) => a * b, 1);
    if (spec.quantization || spec.dtype !== 'float32') {
      const bytes = count * (spec.quantization ? quantizedBytes(spec) : 4);
      out.push(source.slice(offset, offset + bytes));
      outSpecs.push(spec);
      offset += bytes;
      continue;
    }
    const values = new Float32Array(source.slice(offset, offset + count * 4).buffer);
    const halves = Uint16Array.from(values, float16Bits);
    out.push(new Uint8Array(halves.buffer));
    outSpecs.push({ ...spec, quantization: { dtype: 'float16' } });
    offset += count * 4;
  }
  const { weightData: _, weightSpecs: __, ...rest } = artifacts;
  return { ...rest, weightSpecs: outSpecs, weightData: join(out) };
}

const quantizedBytes = (spec: tf.io.WeightsManifestEntry) =>
  spec.quantization?.dtype === 'uint8' ? 1 : 2;

function join(parts: readonly (ArrayBuffer | Uint8Array)[]): ArrayBuffer {
  const total = parts.reduce((s, p) => s + p.byteLength, 0);
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p instanceof Uint8Array ? p : new Uint8Array(p), at);
    at += p.byteLength;
  }
  return out.buffer;
}
