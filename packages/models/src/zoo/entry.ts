import type * as tfl from '@tensorflow/tfjs-layers';
import type { ModelRole } from '../types.js';
import type { NetBuilder } from './builder.js';

/** One architecture of the zoo. Internal: users see it through createModel and modelInfo. */
export interface ZooEntry {
  readonly name: string;
  readonly role: ModelRole;
  readonly description: string;
  /** Layer names tapped by default: the end of each stage, then the penultimate embedding. */
  readonly defaultTaps: readonly string[];
  /** Builds the graph from `input` to the logits (a dense layer named 'logits'). */
  build(
    b: NetBuilder,
    input: tfl.SymbolicTensor,
    numClasses: number,
    width: number,
  ): tfl.SymbolicTensor;
}
