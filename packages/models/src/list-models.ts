import { modelInfo } from './model-info.js';
import type { CreateModelOptions, ModelInfo } from './types.js';
import { ZOO } from './zoo/registry.js';

/**
 * Every zoo model's {@link ModelInfo} for the given options (default 28×28×1, 10 classes).
 *
 * @example
 * listModels().map((m) => `${m.name} (${m.role}): ${m.params} params`);
 */
export function listModels(options: CreateModelOptions = {}): ModelInfo[] {
  return [...ZOO.keys()].map((name) => modelInfo(name, options));
}
