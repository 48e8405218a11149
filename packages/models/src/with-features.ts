import { closestName, KdkitError } from '@kdkit/engine';
import * as tfl from '@tensorflow/tfjs-layers';
import { zooEntry, zooNameOf } from './zoo/registry.js';

export interface WithFeaturesOptions {
  /**
   * Names of the layers whose outputs to tap. Default: the zoo's `defaultTaps` for the model
   * (the end of each stage, then the penultimate embedding); required for non-zoo models.
   */
  readonly taps?: readonly string[];
}

export interface FeatureModel {
  /** Outputs `[logits, ...features]`, in the order of `tapNames`. Shares the source's layers. */
  readonly model: tfl.LayersModel;
  /** The tapped layer names, in output order (after the logits). */
  readonly tapNames: readonly string[];
}

/**
 * Wraps `model` into a second model over the same layers and weights whose outputs are the
 * logits followed by the activations of the tapped layers, for feature-based losses (FitNets, AT,
 * SP, PKT, RKD). Nothing is copied: training either model trains both, and the source model
 * computes no taps (it is a separate model object). Call `model.apply(x, { training })` on the
 * result to get `[logits, ...features]`. The two share weights: disposing either frees them.
 *
 * @throws KdkitError UNKNOWN_NAME when a tap is not a layer of the model (listing the layers),
 * INVALID_ARGUMENT when no taps are given for a model the zoo did not build, or when the model
 * does not have exactly one output.
 * @example
 * const { model: student, tapNames } = withFeatures(createModel('resnet8'));
 * const [logits, ...features] = student.apply(xs, { training: true }) as tf.Tensor[];
 */
export function withFeatures(
  model: tfl.LayersModel,
  options: WithFeaturesOptions = {},
): FeatureModel {
  if (model.outputs.length !== 1) {
    throw new KdkitError(
      'INVALID_ARGUMENT',
      `withFeatures: 'model' must have exactly one output (the logits), got ${model.outputs.length}.`,
    );
  }
  const zooName = zooNameOf(model);
  const tapNames = options.taps ?? (zooName ? zooEntry(zooName).defaultTaps : undefined);
  if (tapNames === undefined) {
    throw new KdkitError(
      'INVALID_ARGUMENT',
      `withFeatures: model '${model.name}' was not built by the zoo, so 'taps' must name the layers to tap.`,
    );
  }
  const layerNames = model.layers.map((layer) => layer.name);
  const features = tapNames.map((name) => {
    if (!layerNames.includes(name)) {
      const suggestion = closestName(name, layerNames);
      const hint = suggestion === undefined ? '' : ` Did you mean '${suggestion}'?`;
      throw new KdkitError(
        'UNKNOWN_NAME',
        `withFeatures: model '${model.name}' has no layer '${name}' to tap.${hint} Its layers: ${layerNames.join(', ')}.`,
      );
    }
    return model.getLayer(name).output as tfl.SymbolicTensor;
  });
  const outputs = [model.outputs[0] as tfl.SymbolicTensor, ...features];
  const featureModel = tfl.model({
    inputs: model.inputs,
    outputs,
    name: `${model.name}_features`,
  });
  return { model: featureModel, tapNames: [...tapNames] };
}
