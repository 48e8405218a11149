import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
// tfjs-layers registers all gradients (bare tfjs-core does not).
import '@tensorflow/tfjs-layers';
import { randomArray } from '@kdkit/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { installWasmKernels } from '../src/install.js';

/** Float32 values with their shape, detached from any backend. */
export interface HostTensor {
  readonly shape: number[];
  readonly values: Float32Array;
}

/** Makes wasm (with this package's kernels) or cpu the current backend. */
export async function useBackend(name: 'cpu' | 'wasm'): Promise<void> {
  tf.env().set('IS_TEST', true);
  if (name === 'wasm') installWasmKernels();
  if (tf.getBackend() !== name && !(await tf.setBackend(name))) {
    throw new Error(`backend '${name}' failed to initialize`);
  }
  await tf.ready();
}

/** Runs `fn` on one backend and copies its result to the host. */
export async function runOn(
  name: 'cpu' | 'wasm',
  fn: () => tf.Tensor | tf.Tensor[],
): Promise<HostTensor[]> {
  await useBackend(name);
  const out = fn();
  const list = Array.isArray(out) ? out : [out];
  const host = list.map((t) => ({
    shape: t.shape.slice(),
    values: Float32Array.from(t.dataSync()),
  }));
  tf.dispose(list);
  return host;
}

/** Largest |a − b| / (atol + rtol·|b|) over all elements; ≤ 1 means close. */
export function worstRatio(a: HostTensor, b: HostTensor, atol: number, rtol: number): number {
  if (a.shape.join() !== b.shape.join()) {
    throw new Error(`shape [${a.shape}] differs from [${b.shape}]`);
  }
  let worst = 0;
  for (let i = 0; i < a.values.length; i++) {
    const x = a.values[i] as number;
    const y = b.values[i] as number;
    if (x === y) continue;
    const ratio = Math.abs(x - y) / (atol + rtol * Math.abs(y));
    if (!(ratio <= worst)) worst = ratio;
  }
  return worst;
}

/** One convolution geometry for a cross-backend comparison. */
export interface ConvCase {
  readonly batch: number;
  readonly height: number;
  readonly width: number;
  readonly inChannels: number;
  /** Output channels (conv2d) or channel multiplier (depthwise). */
  readonly outChannels: number;
  readonly filterHeight: number;
  readonly filterWidth: number;
  readonly strides: [number, number];
  readonly dilations: [number, number];
  readonly pad: 'same' | 'valid' | number | tf.backend_util.ExplicitPadding;
}

/**
 * Fixed edge cases (odd sizes, stride 2 with same padding, explicit and numeric pads, dilation)
 * followed
 * by `random` seeded random geometries. Stride > 1 is never combined with dilation > 1
 * (tfjs refuses that combination in the forward op).
 */
export function convCases(seed: number, random: number): ConvCase[] {
  const fixed: ConvCase[] = [
    {
      batch: 2,
      height: 7,
      width: 7,
      inChannels: 3,
      outChannels: 4,
      filterHeight: 3,
      filterWidth: 3,
      strides: [1, 1],
      dilations: [1, 1],
      pad: 'same',
    },
    {
      batch: 2,
      height: 7,
      width: 9,
      inChannels: 3,
      outChannels: 4,
      filterHeight: 3,
      filterWidth: 3,
      strides: [2, 2],
      dilations: [1, 1],
      pad: 'same',
    },
    {
      batch: 3,
      height: 8,
      width: 7,
      inChannels: 2,
      outChannels: 5,
      filterHeight: 3,
      filterWidth: 2,
      strides: [2, 1],
      dilations: [1, 1],
      pad: 'valid',
    },
    {
      batch: 1,
      height: 10,
      width: 9,
      inChannels: 2,
      outChannels: 3,
      filterHeight: 2,
      filterWidth: 2,
      strides: [3, 3],
      dilations: [1, 1],
      pad: 'valid',
    },
    {
      batch: 2,
      height: 6,
      width: 5,
      inChannels: 1,
      outChannels: 8,
      filterHeight: 1,
      filterWidth: 1,
      strides: [1, 1],
      dilations: [1, 1],
      pad: 'valid',
    },
    {
      batch: 2,
      height: 9,
      width: 8,
      inChannels: 2,
      outChannels: 3,
      filterHeight: 3,
      filterWidth: 3,
      strides: [1, 1],
      dilations: [2, 2],
      pad: 'same',
    },
    {
      batch: 2,
      height: 9,
      width: 10,
      inChannels: 3,
      outChannels: 2,
      filterHeight: 3,
      filterWidth: 2,
      strides: [1, 1],
      dilations: [2, 3],
      pad: 'valid',
    },
    {
      batch: 2,
      height: 8,
      width: 7,
      inChannels: 2,
      outChannels: 3,
      filterHeight: 3,
      filterWidth: 3,
      strides: [2, 2],
      dilations: [1, 1],
      pad: [
        [0, 0],
        [1, 0],
        [2, 1],
        [0, 0],
      ],
    },
    {
      batch: 2,
      height: 6,
      width: 6,
      inChannels: 2,
      outChannels: 2,
      filterHeight: 3,
      filterWidth: 3,
      strides: [1, 1],
      dilations: [1, 1],
      pad: [
        [0, 0],
        [0, 2],
        [1, 1],
        [0, 0],
      ],
    },
    {
      batch: 2,
      height: 7,
      width: 9,
      inChannels: 3,
      outChannels: 2,
      filterHeight: 3,
      filterWidth: 3,
      strides: [2, 2],
      dilations: [1, 1],
      pad: 1,
    },
    {
      batch: 1,
      height: 8,
      width: 6,
      inChannels: 2,
      outChannels: 3,
      filterHeight: 3,
      filterWidth: 3,
      strides: [1, 1],
      dilations: [1, 1],
      pad: 2,
    },
  ];
  const draws = randomArray(random * 10, seed, 0, 1);
  let k = 0;
  const int = (lo: number, hi: number): number =>
    lo + Math.floor((draws[k++] as number) * (hi - lo + 1));
  for (let i = 0; i < random; i++) {
    const strided = int(0, 1) === 1;
    const dilation = strided ? 1 : int(1, 2);
    const stride = strided ? 2 : 1;
    fixed.push({
      batch: int(1, 3),
      height: int(5, 11),
      width: int(5, 11),
      inChannels: int(1, 4),
      outChannels: int(1, 4),
      filterHeight: int(1, 3),
      filterWidth: int(1, 3),
      strides: [stride, stride],
      dilations: [dilation, dilation],
      pad: int(0, 1) === 1 ? 'same' : 'valid',
    });
  }
  return fixed;
}

/** Spatial size of a filter after inserting dilation − 1 zeros between its taps. */
export function dilatedSize(c: ConvCase): [number, number] {
  return [(c.filterHeight - 1) * c.dilations[0] + 1, (c.filterWidth - 1) * c.dilations[1] + 1];
}

/** The filter with dilation − 1 zero taps inserted: a dilated convolution without dilation. */
export function dilateFilter(filter: tf.Tensor4D, dilations: [number, number]): tf.Tensor4D {
  const [dh, dw] = dilations;
  if (dh === 1 && dw === 1) return tf.clone(filter);
  return tf.tidy(() => {
    const [fh, fw, c, o] = filter.shape;
    const spread = tf.pad(tf.reshape(filter, [fh, 1, fw, 1, c, o]), [
      [0, 0],
      [0, dh - 1],
      [0, 0],
      [0, dw - 1],
      [0, 0],
      [0, 0],
    ]);
    const full = tf.reshape<tf.Rank.R4>(spread, [fh * dh, fw * dw, c, o]);
    return tf.slice(
      full,
      [0, 0, 0, 0],
      [(fh - 1) * dh + 1, (fw - 1) * dw + 1, c, o],
    ) as tf.Tensor4D;
  });
}

/** The taps of a dilated-filter gradient that belong to the undilated filter. */
export function undilateFilter(grad: tf.Tensor4D, dilations: [number, number]): tf.Tensor4D {
  const [fh, fw, c, o] = grad.shape;
  return tf.stridedSlice(
    grad,
    [0, 0, 0, 0],
    [fh, fw, c, o],
    [dilations[0], dilations[1], 1, 1],
  ) as tf.Tensor4D;
}

/** Shorthand for calling a kernel by name with typed-enough attrs. */
export function runKernel(name: string, inputs: tf.NamedTensorMap, attrs: object): tf.Tensor {
  return tf.engine().runKernel(name, inputs, attrs as tf.NamedAttrMap) as tf.Tensor;
}

/** Human-readable label of a case for test titles. */
export function label(c: ConvCase): string {
  const pad =
    typeof c.pad === 'string'
      ? c.pad
      : typeof c.pad === 'number'
        ? `pad ${c.pad}`
        : JSON.stringify(c.pad.slice(1, 3));
  return `x ${c.batch}x${c.height}x${c.width}x${c.inChannels} f ${c.filterHeight}x${c.filterWidth}x${c.outChannels} s ${c.strides} d ${c.dilations} ${pad}`;
}
