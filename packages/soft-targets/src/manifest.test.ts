import { isKdkitError } from '@kdkit/engine';
import { expect, it } from 'vitest';
import { parseManifest } from './manifest.js';

const valid = {
  format: 'kdkit-soft-targets',
  version: 1,
  teacher: { name: 't', hash: 'abc' },
  dataset: { name: 'd', size: 4 },
  numClasses: 3,
  k: null,
  shards: [{ file: 'a.parquet', rows: 4, bytes: 100, sha256: 'a'.repeat(64) }],
};

it('accepts the documented manifest', () => {
  expect(parseManifest(valid, 'm.json').numClasses).toBe(3);
});

it('refuses malformed manifests, naming the file and field', () => {
  const cases: [unknown, RegExp][] = [
    [{ ...valid, format: 'x' }, /"format"/],
    [{ ...valid, k: 4 }, /"k"/],
    [{ ...valid, dataset: { name: 'd', size: 0 } }, /"dataset"/],
    [{ ...valid, shards: [{ ...valid.shards[0], sha256: 'zz' }] }, /shards\[0\]/],
    [{ ...valid, shards: [{ ...valid.shards[0], file: '../x.parquet' }] }, /shards\[0\]/],
  ];
  for (const [json, message] of cases) {
    let error: unknown;
    try {
      parseManifest(json, '/s/manifest.json');
    } catch (e) {
      error = e;
    }
    expect(isKdkitError(error, 'CONFIG_INVALID')).toBe(true);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).toContain('/s/manifest.json');
  }
});
