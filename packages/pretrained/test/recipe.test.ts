import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRecipe } from '../scripts/recipe.js';

const recipesDir = new URL('../recipes/', import.meta.url);

describe('readRecipe', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kdkit-recipe-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads every committed recipe', async () => {
    const files = (await readdir(recipesDir)).filter((f) => f.endsWith('.json'));
    expect(files).toContain('cnn-teacher.fashion-mnist.json');
    for (const file of files) {
      const recipe = await readRecipe(new URL(file, recipesDir).pathname);
      // '<model>.<dataset>', or '<model>-<variant>.<dataset>' for a changed recipe of one model.
      expect(`${recipe.id}.json`).toBe(file);
      expect(recipe.id).toMatch(new RegExp(`^${recipe.model}(-[\\w-]+)?\\.${recipe.dataset}$`));
    }
  });

  it('names the file and each bad field', async () => {
    const good = await readRecipe(new URL('cnn-teacher.fashion-mnist.json', recipesDir).pathname);
    const path = join(dir, 'cnn-teacher.fashion-mnist.json');
    await writeFile(path, JSON.stringify({ ...good, epochs: 0, lrSchedule: 'step', extra: 1 }));
    await expect(readRecipe(path)).rejects.toThrow(
      /recipe .*cnn-teacher\.fashion-mnist\.json: .*epochs: .*lrSchedule: .*extra/,
    );
    const misnamed = join(dir, 'other.fashion-mnist.json');
    await writeFile(misnamed, JSON.stringify(good));
    await expect(readRecipe(misnamed)).rejects.toThrow(/id 'cnn-teacher.fashion-mnist' must match/);
    const broken = join(dir, 'broken.json');
    await writeFile(broken, '{');
    await expect(readRecipe(broken)).rejects.toThrow(/broken\.json: not a readable JSON file/);
  });
});
