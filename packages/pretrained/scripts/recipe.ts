import { readFile } from 'node:fs/promises';
import { type AugmentOptions, type ImageDataset, trainValSplit } from '@kdkit/datasets';
import type { LrScheduleName, OptimizerName } from '@kdkit/trainers';

/** A pretrained teacher's recipe (recipes/<id>.json), as far as the scripts read it. */
export interface Recipe {
  readonly id: string;
  readonly model: string;
  readonly dataset: string;
  readonly validation: {
    readonly size: number;
    readonly seed: number;
    readonly stratified: boolean;
  };
  readonly epochs: number;
  readonly batchSize: number;
  readonly optimizer: { readonly name: OptimizerName; readonly learningRate: number };
  readonly lrSchedule: LrScheduleName;
  readonly augment: AugmentOptions;
  readonly seed: number;
}

export async function readRecipe(path: string): Promise<Recipe> {
  return JSON.parse(await readFile(path, 'utf8')) as Recipe;
}

/** The recipe's held-out validation split of the full training set (every choice is made on it). */
export function recipeSplit(
  recipe: Recipe,
  full: ImageDataset,
): { train: ImageDataset; val: ImageDataset } {
  return trainValSplit(full, {
    valFraction: recipe.validation.size / full.size,
    seed: recipe.validation.seed,
    stratified: recipe.validation.stratified,
  });
}
