import * as tfl from '@tensorflow/tfjs-layers';

const init = (seed: number) => tfl.initializers.glorotUniform({ seed });

/** A small version of the teacher: conv-BN-ReLU ×3, two max pools, dense, dropout. */
export function smallBnTeacher(): tfl.LayersModel {
  const conv = (filters: number, seed: number, inputShape?: number[]) =>
    tfl.layers.conv2d({
      filters,
      kernelSize: 3,
      padding: 'same',
      useBias: false,
      kernelInitializer: init(seed),
      ...(inputShape ? { inputShape } : {}),
    });
  return tfl.sequential({
    layers: [
      conv(4, 1, [12, 12, 1]),
      tfl.layers.batchNormalization(),
      tfl.layers.reLU(),
      conv(8, 2),
      tfl.layers.batchNormalization(),
      tfl.layers.reLU(),
      tfl.layers.maxPooling2d({ poolSize: 2 }),
      conv(8, 3),
      tfl.layers.batchNormalization(),
      tfl.layers.reLU(),
      tfl.layers.maxPooling2d({ poolSize: 2 }),
      tfl.layers.flatten(),
      tfl.layers.dense({ units: 16, activation: 'relu', kernelInitializer: init(4) }),
      tfl.layers.dropout({ rate: 0.25, seed: 5 }),
      tfl.layers.dense({ units: 10, kernelInitializer: init(6) }),
    ],
  });
}

/** The student: conv(1→8)-ReLU-pool, conv(8→16)-ReLU-pool, dense 784→32, dense 32→10. */
export function tinyStudent(): tfl.LayersModel {
  return tfl.sequential({
    layers: [
      tfl.layers.conv2d({
        inputShape: [28, 28, 1],
        filters: 8,
        kernelSize: 3,
        padding: 'same',
        activation: 'relu',
        kernelInitializer: init(11),
      }),
      tfl.layers.maxPooling2d({ poolSize: 2 }),
      tfl.layers.conv2d({
        filters: 16,
        kernelSize: 3,
        padding: 'same',
        activation: 'relu',
        kernelInitializer: init(12),
      }),
      tfl.layers.maxPooling2d({ poolSize: 2 }),
      tfl.layers.flatten(),
      tfl.layers.dense({ units: 32, activation: 'relu', kernelInitializer: init(13) }),
      tfl.layers.dense({ units: 10, kernelInitializer: init(14) }),
    ],
  });
}

/** Depthwise (multiplier 2, stride 2, same), separable, strided valid conv, BN, global pooling. */
export function depthwiseSeparableNet(): tfl.LayersModel {
  return tfl.sequential({
    layers: [
      tfl.layers.depthwiseConv2d({
        inputShape: [11, 11, 3],
        kernelSize: 3,
        depthMultiplier: 2,
        strides: 2,
        padding: 'same',
        depthwiseInitializer: init(21),
        // No bias before BatchNorm: its gradient is pure rounding noise, which Adam would amplify.
        useBias: false,
      }),
      tfl.layers.batchNormalization(),
      tfl.layers.reLU(),
      tfl.layers.separableConv2d({
        filters: 8,
        kernelSize: 3,
        padding: 'same',
        depthwiseInitializer: init(22),
        pointwiseInitializer: init(23),
        activation: 'relu',
      }),
      tfl.layers.conv2d({
        filters: 6,
        kernelSize: 2,
        strides: 2,
        padding: 'valid',
        kernelInitializer: init(24),
      }),
      tfl.layers.averagePooling2d({ poolSize: 2, padding: 'same' }),
      tfl.layers.globalAveragePooling2d({}),
      tfl.layers.dense({ units: 5, kernelInitializer: init(25) }),
    ],
  });
}
