import type * as tfl from '@tensorflow/tfjs-layers';

interface LayerConfig {
  readonly kernelSize?: number | readonly number[];
  readonly depthMultiplier?: number;
  readonly filters?: number;
}

const COUNTED = new Set(['Conv2D', 'DepthwiseConv2D', 'SeparableConv2D', 'Dense']);

function product(values: readonly (number | null | undefined)[]): number {
  return values.reduce<number>((acc, v) => acc * (v ?? 1), 1);
}

function lastDim(shape: tfl.Shape | tfl.Shape[]): number {
  const single = (Array.isArray(shape[0]) ? shape[0] : shape) as tfl.Shape;
  return single[single.length - 1] ?? 1;
}

function spatial(shape: tfl.Shape | tfl.Shape[]): number {
  const single = (Array.isArray(shape[0]) ? shape[0] : shape) as tfl.Shape;
  return product(single.slice(1, -1));
}

/**
 * FLOPs of one forward pass of one example: 2 × the multiply-accumulates of every Conv2D,
 * DepthwiseConv2D, SeparableConv2D and Dense layer. Batch norm, activations, pooling and adds
 * are not counted (they are O(activations), small next to the convs).
 *
 * FLOPs(conv) = 2·H_out·W_out·C_out·k_h·k_w·C_in; FLOPs(dense) = 2·in·out.
 *
 * @example
 * countFlops(createModel('cnn-student')); // 2 × MACs for one 28×28×1 image
 */
export function countFlops(model: tfl.LayersModel): number {
  let macs = 0;
  for (const layer of model.layers) {
    const kind = layer.getClassName();
    if (!COUNTED.has(kind)) continue;
    const config = layer.getConfig() as LayerConfig;
    const kernel = config.kernelSize ?? 1;
    const kernelArea = typeof kernel === 'number' ? kernel * kernel : product(kernel);
    const inChannels = lastDim((layer.input as tfl.SymbolicTensor).shape);
    const outChannels = lastDim(layer.outputShape);
    const outPixels = spatial(layer.outputShape);
    if (kind === 'Conv2D') macs += outPixels * outChannels * kernelArea * inChannels;
    else if (kind === 'DepthwiseConv2D') macs += outPixels * outChannels * kernelArea;
    else if (kind === 'SeparableConv2D') {
      const depthwiseChannels = inChannels * (config.depthMultiplier ?? 1);
      macs += outPixels * depthwiseChannels * (kernelArea + outChannels);
    } else macs += outPixels * inChannels * outChannels;
  }
  return 2 * macs;
}
