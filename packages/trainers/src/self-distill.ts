import { assertInteger } from '@kdkit/engine';
import type * as tfl from '@tensorflow/tfjs-layers';
import { type DistillOptions, type DistillResult, distill } from './distill.js';
import { trainSupervised } from './train-supervised.js';
import type { Callback, TrainResult } from './types.js';

export interface SelfDistillOptions
  extends Omit<DistillOptions, 'student' | 'teacher' | 'teachers' | 'callbacks' | 'resumeFrom'> {
  /** Builds the model of a generation (same architecture each time, fresh weights). */
  readonly createModel: (generation: number) => tfl.LayersModel;
  /** Distilled generations after generation 0. */
  readonly generations: number;
  /** Generation 0. If absent, generation 0 is `createModel(0)` trained on labels. */
  readonly teacher?: tfl.LayersModel;
  /** The same callbacks for every generation, or a factory per generation. */
  readonly callbacks?: readonly Callback[] | ((generation: number) => readonly Callback[]);
  /** 'all' (default) returns every generation; 'last' disposes the intermediate ones it made. */
  readonly keep?: 'all' | 'last';
}

export interface SelfDistillResult {
  /** models[g] is generation g (models[0] is the given teacher, if any); with keep 'last', only the last. */
  readonly models: readonly tfl.LayersModel[];
  /** results[g] is generation g's run (generation 0 has none when a teacher was given). */
  readonly results: readonly (TrainResult | DistillResult | undefined)[];
}

/**
 * Born-again networks (Furlanello et al., 2018): generation g + 1, a fresh model of the same
 * architecture, is distilled from generation g with `distill`, `generations` times. All options
 * of `distill` apply to every generation.
 *
 * @example
 * const { models } = await selfDistill({ createModel: (g) => createModel('lenet5', { seed: g }),
 *   generations: 2, train, epochs: 5, batchSize: 64, seed: 1 });
 */
export async function selfDistill(options: SelfDistillOptions): Promise<SelfDistillResult> {
  const { createModel, generations, teacher, callbacks, keep = 'all', ...common } = options;
  assertInteger('selfDistill', 'generations', generations, 1);
  const callbacksOf = (g: number) =>
    typeof callbacks === 'function' ? callbacks(g) : (callbacks ?? []);
  const models: tfl.LayersModel[] = [];
  const results: (TrainResult | DistillResult | undefined)[] = [];
  if (teacher) {
    models.push(teacher);
    results.push(undefined);
  } else {
    const first = createModel(0);
    const { loss: _kdLoss, lossOptions: _kdOptions, teacherCache: _cache, ...supervised } = common;
    results.push(await trainSupervised({ ...supervised, model: first, callbacks: callbacksOf(0) }));
    models.push(first);
  }
  for (let g = 1; g <= generations; g++) {
    const previous = models[g - 1] as tfl.LayersModel;
    const student = createModel(g);
    results.push(
      await distill({ ...common, teacher: previous, student, callbacks: callbacksOf(g) }),
    );
    models.push(student);
    if (keep === 'last' && (g > 1 || !teacher)) previous.dispose();
  }
  return {
    models: keep === 'last' ? [models[models.length - 1] as tfl.LayersModel] : models,
    results,
  };
}
