import { SeededRandom } from '@kdkit/engine';
import * as tfl from '@tensorflow/tfjs-layers';

type Initializer = ReturnType<typeof tfl.initializers.zeros>;
type Padding = 'same' | 'valid';

/** How the builder fills weights: seeded random, or zeros (cheap, for counting params/FLOPs). */
export type InitMode = 'seeded' | 'zeros';

interface ConvOptions {
  readonly kernel?: number;
  readonly strides?: number;
  readonly padding?: Padding;
  readonly bias?: boolean;
}

/**
 * Builds a functional graph with stable layer names and a seed per initializer, derived from
 * `SeededRandom(seed).fork('<layer>/<weight>')`, so the same seed always gives the same weights.
 */
export class NetBuilder {
  private readonly rng: SeededRandom;

  constructor(
    seed: number,
    private readonly init: InitMode,
  ) {
    this.rng = new SeededRandom(seed);
  }

  /** A nonzero seed for one weight (tfjs treats seed 0 as "unseeded"). */
  private seedFor(layer: string, weight: string): number {
    return this.rng.fork(`${layer}/${weight}`).nextUint32() || 1;
  }

  private he(layer: string, weight: string): Initializer {
    return this.init === 'zeros'
      ? tfl.initializers.zeros()
      : tfl.initializers.heNormal({ seed: this.seedFor(layer, weight) });
  }

  private glorot(layer: string, weight: string): Initializer {
    return this.init === 'zeros'
      ? tfl.initializers.zeros()
      : tfl.initializers.glorotUniform({ seed: this.seedFor(layer, weight) });
  }

  input(shape: readonly [number, number, number]): tfl.SymbolicTensor {
    return tfl.input({ shape: [...shape], name: 'input' });
  }

  conv(
    x: tfl.SymbolicTensor,
    name: string,
    filters: number,
    { kernel = 3, strides = 1, padding = 'same', bias = false }: ConvOptions = {},
  ): tfl.SymbolicTensor {
    return apply(
      tfl.layers.conv2d({
        name,
        filters,
        kernelSize: kernel,
        strides,
        padding,
        useBias: bias,
        kernelInitializer: this.he(name, 'kernel'),
        biasInitializer: 'zeros',
      }),
      x,
    );
  }

  depthwise(
    x: tfl.SymbolicTensor,
    name: string,
    { kernel = 3, strides = 1 }: ConvOptions = {},
  ): tfl.SymbolicTensor {
    return apply(
      tfl.layers.depthwiseConv2d({
        name,
        kernelSize: kernel,
        strides,
        padding: 'same',
        useBias: false,
        depthwiseInitializer: this.he(name, 'depthwise_kernel'),
      }),
      x,
    );
  }

  separable(
    x: tfl.SymbolicTensor,
    name: string,
    filters: number,
    { kernel = 3, strides = 1 }: ConvOptions = {},
  ): tfl.SymbolicTensor {
    return apply(
      tfl.layers.separableConv2d({
        name,
        filters,
        kernelSize: kernel,
        strides,
        padding: 'same',
        useBias: false,
        depthwiseInitializer: this.he(name, 'depthwise_kernel'),
        pointwiseInitializer: this.he(name, 'pointwise_kernel'),
      }),
      x,
    );
  }

  /** Batch norm with PyTorch's defaults (momentum 0.1 ⇔ tfjs 0.9, epsilon 1e-5). */
  bn(x: tfl.SymbolicTensor, name: string): tfl.SymbolicTensor {
    return apply(tfl.layers.batchNormalization({ name, momentum: 0.9, epsilon: 1e-5 }), x);
  }

  relu(x: tfl.SymbolicTensor, name: string, maxValue?: number): tfl.SymbolicTensor {
    return apply(tfl.layers.reLU(maxValue === undefined ? { name } : { name, maxValue }), x);
  }

  dense(x: tfl.SymbolicTensor, name: string, units: number): tfl.SymbolicTensor {
    return apply(
      tfl.layers.dense({
        name,
        units,
        kernelInitializer: this.glorot(name, 'kernel'),
        biasInitializer: 'zeros',
      }),
      x,
    );
  }

  /** Unseeded on purpose: a seeded tfjs dropout draws the same mask at every step. */
  dropout(x: tfl.SymbolicTensor, name: string, rate: number): tfl.SymbolicTensor {
    return apply(tfl.layers.dropout({ name, rate }), x);
  }

  maxPool(x: tfl.SymbolicTensor, name: string, size = 2): tfl.SymbolicTensor {
    return apply(
      tfl.layers.maxPooling2d({ name, poolSize: size, strides: size, padding: 'same' }),
      x,
    );
  }

  globalAvgPool(x: tfl.SymbolicTensor, name: string): tfl.SymbolicTensor {
    return apply(tfl.layers.globalAveragePooling2d({ name }), x);
  }

  flatten(x: tfl.SymbolicTensor, name: string): tfl.SymbolicTensor {
    return apply(tfl.layers.flatten({ name }), x);
  }

  add(a: tfl.SymbolicTensor, b: tfl.SymbolicTensor, name: string): tfl.SymbolicTensor {
    const out = tfl.layers.add({ name }).apply([a, b]);
    return out as tfl.SymbolicTensor;
  }
}

function apply(layer: tfl.layers.Layer, x: tfl.SymbolicTensor): tfl.SymbolicTensor {
  return layer.apply(x) as tfl.SymbolicTensor;
}

/** Scales a channel or unit count by a width multiplier, keeping at least one. */
export function scaled(count: number, width: number): number {
  return Math.max(1, Math.round(count * width));
}
