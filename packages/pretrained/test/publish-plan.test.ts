import { readFile } from 'node:fs/promises';
import { isKdkitError } from '@kdkit/engine';
import { describe, expect, it } from 'vitest';
import { teachersAfterPublish, teacherToReplace } from '../scripts/publish-plan.js';
import { PRETRAINED_FORMAT, parsePretrainedManifest } from '../src/manifest.js';

const own = parsePretrainedManifest(
  JSON.parse(await readFile(new URL('../manifest.json', import.meta.url), 'utf8')),
  'manifest.json',
);
const shipped = own.teachers.find((t) => t.model === 'cnn-teacher');
if (!shipped) throw new Error('the package ships no cnn-teacher');
const variant = {
  id: 'cnn-teacher-another-recipe.fashion-mnist',
  model: 'cnn-teacher',
  dataset: 'fashion-mnist',
};

describe('teacherToReplace', () => {
  it('refuses a new recipe of a shipped model and dataset without --replace, naming both', () => {
    let caught: unknown;
    try {
      teacherToReplace(own, variant, false);
    } catch (error) {
      caught = error;
    }
    expect(isKdkitError(caught, 'INVALID_ARGUMENT')).toBe(true);
    expect(String(caught)).toContain(
      `already ships '${shipped.id}' for model 'cnn-teacher' on 'fashion-mnist'`,
    );
    expect(String(caught)).toContain(`pass --replace to publish '${variant.id}'`);
  });

  it('with --replace returns the shipped entry; republishing the same id replaces nothing', () => {
    expect(teacherToReplace(own, variant, true)).toEqual(shipped);
    expect(teacherToReplace(own, { ...shipped }, false)).toBeUndefined();
    expect(teacherToReplace(own, { ...variant, dataset: 'mnist' }, false)).toBeUndefined();
  });
});

describe('teachersAfterPublish', () => {
  it('drops the replaced entry and the old entry of the same id, keeps the rest, sorted by id', () => {
    const entry = { ...shipped, id: variant.id, testAccuracy: 0.931 };
    const after = teachersAfterPublish(own, entry, shipped);
    expect(after.map((t) => t.id)).toEqual(
      [...own.teachers.filter((t) => t.id !== shipped.id).map((t) => t.id), variant.id].sort(),
    );
    // The result is a valid manifest: one teacher per model and dataset.
    expect(() =>
      parsePretrainedManifest({ format: PRETRAINED_FORMAT, teachers: after }, 'next'),
    ).not.toThrow();
    const again = teachersAfterPublish(
      { ...own, teachers: after },
      { ...entry, testAccuracy: 0.94 },
      undefined,
    );
    expect(again.find((t) => t.id === variant.id)?.testAccuracy).toBe(0.94);
    expect(again).toHaveLength(after.length);
  });
});
