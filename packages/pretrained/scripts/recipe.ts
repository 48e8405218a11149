import { readFile } from 'node:fs/promises';
import { type ImageDataset, trainValSplit } from '@kdkit/datasets';
import { KdkitError } from '@kdkit/engine';
import { z } from 'zod';

const recipeSchema = z.strictObject({
  /** `<model>.<dataset>`: names the checkpoint, log and weights folders. */
  id: z.string().regex(/^[\w-]+\.[\w-]+$/, "'<model>.<dataset>'"),
  model: z.string().min(1),
  dataset: z.string().min(1),
  validation: z.strictObject({
    size: z.int().min(1),
    seed: z.int().min(0),
    stratified: z.boolean(),
  }),
  epochs: z.int().min(1),
  batchSize: z.int().min(1),
  optimizer: z.strictObject({
    name: z.enum(['adam', 'sgd', 'momentum']),
    learningRate: z.number().positive(),
  }),
  lrSchedule: z.enum(['constant', 'cosine']),
  augment: z.strictObject({
    cropPadding: z.int().min(0).optional(),
    horizontalFlip: z.boolean().optional(),
    erase: z.number().min(0).max(1).optional(),
  }),
  seed: z.int().min(0),
  /** How the shipped epoch is chosen, in words (for readers; the scripts keep the last epoch). */
  selection: z.string().min(1),
});

/** A pretrained teacher's recipe (recipes/<id>.json). */
export type Recipe = z.infer<typeof recipeSchema>;

/** Reads and checks a recipe file; a bad field is named with the file and what was expected. */
export async function readRecipe(path: string): Promise<Recipe> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new KdkitError('INVALID_ARGUMENT', `recipe ${path}: not a readable JSON file`, {
      cause: error,
    });
  }
  const parsed = recipeSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (i) => `${i.path.join('.') || '(root)'}: ${i.message}`,
    );
    throw new KdkitError('INVALID_ARGUMENT', `recipe ${path}: ${problems.join('; ')}`);
  }
  if (!path.endsWith(`${parsed.data.id}.json`)) {
    throw new KdkitError(
      'INVALID_ARGUMENT',
      `recipe ${path}: its id '${parsed.data.id}' must match the file name (${parsed.data.id}.json)`,
    );
  }
  return parsed.data;
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
