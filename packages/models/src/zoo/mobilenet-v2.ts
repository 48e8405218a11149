import type * as tfl from '@tensorflow/tfjs-layers';
import type { NetBuilder } from './builder.js';
import type { ZooEntry } from './entry.js';

/** [expansion t, channels c, repeats n, first stride s]: the small-image setting of CRD (Tian 2020). */
const SETTINGS: readonly (readonly [number, number, number, number])[] = [
  [1, 16, 1, 1],
  [6, 24, 2, 1],
  [6, 32, 3, 2],
  [6, 64, 4, 2],
  [6, 96, 3, 1],
  [6, 160, 3, 2],
  [6, 320, 1, 1],
];

/** Rounds a channel count to a multiple of 8, never below 90% of it (MobileNet's rule). */
function divisible(value: number, divisor = 8): number {
  const rounded = Math.max(divisor, Math.floor((value + divisor / 2) / divisor) * divisor);
  return rounded < 0.9 * value ? rounded + divisor : rounded;
}

function invertedResidual(
  b: NetBuilder,
  x: tfl.SymbolicTensor,
  name: string,
  expansion: number,
  filters: number,
  strides: number,
): tfl.SymbolicTensor {
  const inChannels = x.shape[3] ?? 0;
  let y: tfl.SymbolicTensor;
  if (expansion === 1) {
    // No expansion: one depthwise-separable conv (depthwise 3×3 then pointwise 1×1).
    y = b.separable(x, `${name}_sep`, filters, { strides });
  } else {
    y = b.conv(x, `${name}_expand`, inChannels * expansion, { kernel: 1 });
    y = b.relu(b.bn(y, `${name}_expand_bn`), `${name}_expand_relu`, 6);
    y = b.relu(
      b.bn(b.depthwise(y, `${name}_dw`, { strides }), `${name}_dw_bn`),
      `${name}_dw_relu`,
      6,
    );
    y = b.conv(y, `${name}_project`, filters, { kernel: 1 });
  }
  y = b.bn(y, `${name}_project_bn`);
  return strides === 1 && inChannels === filters ? b.add(x, y, `${name}_add`) : y;
}

function blockName(stage: number, repeat: number): string {
  return `block${stage + 1}_${repeat + 1}`;
}

/**
 * MobileNetV2 (Sandler 2018) with a width multiplier, in the small-image setting of CRD
 * (downsampling ×16, not ×32): a stride-2 3×3 stem, 17 inverted residual blocks (expand 1×1,
 * depthwise 3×3, project 1×1, ReLU6; the first is a separable conv), a 1×1 conv to 1280 channels
 * (scaled when width > 1), global average pooling and one dense layer.
 */
export const mobilenetV2: ZooEntry = {
  name: 'mobilenet-v2',
  role: 'student',
  description:
    'MobileNetV2 × width: stride-2 stem, 17 inverted residual blocks (depthwise 3x3, ReLU6; first one separable), 1x1 conv to 1280, global average pooling',
  // Ends of the 1/2, 1/4 and 1/8 resolution stages, the head (1/16), the embedding.
  defaultTaps: ['block2_2_add', 'block3_3_add', 'block5_3_add', 'head_relu', 'pool'],
  build(b, input, numClasses, width) {
    let x = b.conv(input, 'stem_conv', divisible(32 * width), { strides: 2 });
    x = b.relu(b.bn(x, 'stem_bn'), 'stem_relu', 6);
    for (const [stage, [t, c, n, s]] of SETTINGS.entries()) {
      for (let i = 0; i < n; i++) {
        x = invertedResidual(b, x, blockName(stage, i), t, divisible(c * width), i === 0 ? s : 1);
      }
    }
    const head = width > 1 ? divisible(1280 * width) : 1280;
    x = b.relu(b.bn(b.conv(x, 'head_conv', head, { kernel: 1 }), 'head_bn'), 'head_relu', 6);
    return b.dense(b.globalAvgPool(x, 'pool'), 'logits', numClasses);
  },
};
