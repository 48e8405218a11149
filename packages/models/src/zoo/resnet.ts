import type * as tfl from '@tensorflow/tfjs-layers';
import type { NetBuilder } from './builder.js';
import { scaled } from './builder.js';
import type { ZooEntry } from './entry.js';

/** A basic block: conv3×3-BN-ReLU-conv3×3-BN plus a shortcut (1×1 conv-BN when the shape changes). */
function basicBlock(
  b: NetBuilder,
  x: tfl.SymbolicTensor,
  name: string,
  filters: number,
  strides: number,
): tfl.SymbolicTensor {
  const inChannels = x.shape[3];
  let y = b.relu(
    b.bn(b.conv(x, `${name}_conv1`, filters, { strides }), `${name}_bn1`),
    `${name}_relu1`,
  );
  y = b.bn(b.conv(y, `${name}_conv2`, filters), `${name}_bn2`);
  const shortcut =
    strides === 1 && inChannels === filters
      ? x
      : b.bn(b.conv(x, `${name}_proj`, filters, { kernel: 1, strides }), `${name}_proj_bn`);
  return b.relu(b.add(y, shortcut, `${name}_add`), `${name}_out`);
}

function cifarResNet(depth: number) {
  const blocks = (depth - 2) / 6;
  return (b: NetBuilder, input: tfl.SymbolicTensor, numClasses: number, width: number) => {
    let x = b.relu(b.bn(b.conv(input, 'stem_conv', scaled(16, width)), 'stem_bn'), 'stem_relu');
    for (const [s, channels] of [16, 32, 64].entries()) {
      for (let i = 0; i < blocks; i++) {
        const strides = s > 0 && i === 0 ? 2 : 1;
        x = basicBlock(b, x, `stage${s + 1}_block${i + 1}`, scaled(channels, width), strides);
      }
    }
    return b.dense(b.globalAvgPool(x, 'pool'), 'logits', numClasses);
  };
}

function stageTaps(depth: number): string[] {
  const blocks = (depth - 2) / 6;
  return [1, 2, 3].map((s) => `stage${s}_block${blocks}_out`).concat('pool');
}

const RESNET_DESCRIPTION =
  'CIFAR-style ResNet (He 2016): 3 stages of basic blocks at 16/32/64 channels × width, 1×1 projection shortcuts';

/** ResNet-8 (one block per stage). `width: 4` gives the resnet8x4 of KD papers. */
export const resnet8: ZooEntry = {
  name: 'resnet8',
  role: 'student',
  description: `${RESNET_DESCRIPTION}; 1 block per stage`,
  defaultTaps: stageTaps(8),
  build: cifarResNet(8),
};

/** ResNet-20 (three blocks per stage). */
export const resnet20: ZooEntry = {
  name: 'resnet20',
  role: 'teacher',
  description: `${RESNET_DESCRIPTION}; 3 blocks per stage`,
  defaultTaps: stageTaps(20),
  build: cifarResNet(20),
};
