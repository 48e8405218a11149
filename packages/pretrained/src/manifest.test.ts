import { readFile } from 'node:fs/promises';
import { isKdkitError } from '@kdkit/engine';
import { expect, it } from 'vitest';
import { PRETRAINED_FORMAT, type PretrainedEntry, parsePretrainedManifest } from './manifest.js';

const entry: PretrainedEntry = {
  id: 'cnn-teacher.fashion-mnist',
  model: 'cnn-teacher',
  dataset: 'fashion-mnist',
  inputShape: [28, 28, 1],
  numClasses: 10,
  params: 1_701_802,
  testAccuracy: 0.93,
  validationAccuracy: 0.935,
  dtype: 'float16',
  precision: {
    float32: { validation: 0.935, test: 0.93 },
    float16: { validation: 0.935, test: 0.93 },
  },
  recipe: { path: 'recipes/cnn-teacher.fashion-mnist.json', sha256: 'a'.repeat(64) },
  trainingSeconds: 3600,
  commit: '8dc449c',
  backend: 'wasm',
  files: [
    { path: 'cnn-teacher.fashion-mnist/model.json', bytes: 100, sha256: 'b'.repeat(64) },
    { path: 'cnn-teacher.fashion-mnist/group1-shard1of1.bin', bytes: 10, sha256: 'c'.repeat(64) },
  ],
};

const refusal = (json: unknown) => {
  try {
    parsePretrainedManifest(json, 'x/manifest.json');
  } catch (error) {
    if (isKdkitError(error, 'CORRUPT_FILE')) return error.message;
    throw error;
  }
  return 'accepted';
};

it("parses the package's own manifest.json and a full entry", async () => {
  const own = JSON.parse(await readFile(new URL('../manifest.json', import.meta.url), 'utf8'));
  expect(parsePretrainedManifest(own, 'manifest.json').format).toBe(PRETRAINED_FORMAT);
  const manifest = parsePretrainedManifest({ format: PRETRAINED_FORMAT, teachers: [entry] }, 'm');
  expect(manifest.teachers[0]).toEqual(entry);
});

it('refuses a malformed manifest, naming the file and the field', () => {
  const withEntry = (e: unknown) => ({ format: PRETRAINED_FORMAT, teachers: [e] });
  expect(refusal({ format: 'other/1', teachers: [] })).toMatch(/x\/manifest\.json.*format/);
  expect(refusal(withEntry({ ...entry, testAccuracy: 93 }))).toMatch(/teachers\.0\.testAccuracy/);
  const badSha = { ...entry, files: [{ ...entry.files[0], sha256: 'xyz' }, entry.files[1]] };
  expect(refusal(withEntry(badSha))).toMatch(/teachers\.0\.files\.0\.sha256.*SHA-256/);
  const { commit: _, ...noCommit } = entry;
  expect(refusal(withEntry(noCommit))).toMatch(/teachers\.0\.commit/);
  expect(refusal(withEntry({ ...entry, dtype: 'int8' }))).toMatch(/teachers\.0\.dtype/);
  expect(refusal({ format: PRETRAINED_FORMAT, teachers: [entry, entry] })).toMatch(
    /lists teacher 'cnn-teacher\.fashion-mnist' twice/,
  );
  const variant = { ...entry, id: 'cnn-teacher-30ep.fashion-mnist' };
  expect(refusal({ format: PRETRAINED_FORMAT, teachers: [entry, variant] })).toMatch(
    /two teachers for model 'cnn-teacher' on 'fashion-mnist' \('cnn-teacher\.fashion-mnist' and 'cnn-teacher-30ep\.fashion-mnist'\)/,
  );
  const otherDataset = { ...variant, dataset: 'mnist' };
  expect(refusal({ format: PRETRAINED_FORMAT, teachers: [entry, otherDataset] })).toBe('accepted');
});
