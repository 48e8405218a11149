export type ModelRole = 'teacher' | 'student';

export interface CreateModelOptions {
  /** [height, width, channels]. Default [28, 28, 1]. */
  readonly inputShape?: readonly [number, number, number];
  /** Default 10. */
  readonly numClasses?: number;
  /** Seed of every initializer. Same seed, same weights. Default 0. */
  readonly seed?: number;
  /** Channel/width multiplier where the architecture has one. Default 1. */
  readonly width?: number;
}

export interface ModelInfo {
  readonly name: string;
  readonly role: ModelRole;
  readonly description: string;
  /** Trainable + non-trainable parameters for the given input shape and classes. */
  readonly params: number;
  /** Multiply-accumulates ×2 of one forward pass of one image. */
  readonly flops: number;
  /** Layer names tapped by default by `withFeatures`: the end of each stage. */
  readonly defaultTaps: readonly string[];
}

/** Stored beside the weights by `saveModel` and returned by `loadModel`. */
export interface ModelMeta {
  readonly zooName?: string;
  readonly dataset?: string;
  readonly inputShape?: readonly [number, number, number];
  readonly numClasses?: number;
  readonly classNames?: readonly string[];
  readonly accuracy?: number;
  /** {@link architectureHash} of the saved model. */
  readonly architectureHash?: string;
  readonly [key: string]: unknown;
}
