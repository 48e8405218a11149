import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isKdkitError } from '@kdkit/engine';
import { describeBackends, expectNoLeaks } from '@kdkit/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { publishTiny, tinyModel } from '../../test/fixtures.js';
import { pretrained as fromUrl } from '../index.js';
import { PRETRAINED_FORMAT } from '../manifest.js';
import { listPretrained, PRETRAINED_DIR, pretrained } from './index.js';

const failure = async (fn: () => Promise<unknown>) => {
  try {
    await fn();
  } catch (error) {
    return isKdkitError(error) ? `${error.code}: ${error.message}` : String(error);
  }
  return 'no error';
};

let root = '';
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'kdkit-pretrained-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describeBackends(['cpu'], 'pretrained', () => {
  it('loads a published float16 teacher whose logits match the float32 model', async () => {
    const model = tinyModel();
    const dir = join(root, 'ok');
    const entry = await publishTiny(dir, model);
    const teacher = await pretrained('tiny', 'toy', { dir });
    expect(teacher.entry).toEqual(entry);
    expect([teacher.name, teacher.numClasses, teacher.inputShape]).toEqual(['tiny', 3, [4, 4, 1]]);
    const xs = tf.randomUniform([6, 4, 4, 1], 0, 1, 'float32', 5) as tf.Tensor4D;
    const got = await teacher.logits(xs);
    const want = model.predict(xs) as tf.Tensor;
    expect(tf.max(tf.abs(tf.sub(got, want))).dataSync()[0]).toBeLessThan(1e-2);
    expect(await listPretrained({ dir })).toEqual([entry]);
    tf.dispose([xs, got, want]);
    teacher.dispose();
    model.dispose();
  });

  it('loads the same teacher by fetch from a base URL (the root entry)', async () => {
    const model = tinyModel();
    const dir = join(root, 'url');
    await publishTiny(dir, model);
    const served = vi.fn(async (url: URL | string) => {
      const path = new URL(String(url)).pathname.replace(/^\/static\//, '');
      return new Response(await readFile(join(dir, path)).catch(() => null), {
        status: (await readFile(join(dir, path)).catch(() => null)) ? 200 : 404,
      });
    });
    vi.stubGlobal('fetch', served);
    try {
      const teacher = await fromUrl('tiny', 'toy', { baseUrl: 'https://example.org/static' });
      expect(teacher.numClasses).toBe(3);
      expect(served).toHaveBeenCalledWith(new URL('https://example.org/static/manifest.json'));
      teacher.dispose();
      expect(
        await failure(() => fromUrl('tiny', 'toy', { baseUrl: 'https://example.org/x/' })),
      ).toMatch(
        /FILE_NOT_FOUND: pretrained: cannot fetch https:\/\/example\.org\/x\/manifest\.json: HTTP 404/,
      );
    } finally {
      vi.unstubAllGlobals();
      model.dispose();
    }
  });

  it('refuses a weight file whose SHA-256 differs from the manifest, naming the file', async () => {
    const model = tinyModel();
    const dir = join(root, 'tampered');
    const entry = await publishTiny(dir, model);
    model.dispose();
    const shard = entry.files.find((f) => f.path.endsWith('.bin'))?.path ?? '';
    const bytes = await readFile(join(dir, 'weights', shard));
    bytes[0] = (bytes[0] ?? 0) ^ 1;
    await writeFile(join(dir, 'weights', shard), bytes);
    const before = tf.memory().numTensors;
    expect(await failure(() => pretrained('tiny', 'toy', { dir }))).toMatch(
      new RegExp(
        `CORRUPT_FILE: pretrained: .*weights/${shard}.*has SHA-256 [0-9a-f]{64}.*records ${entry.files.find((f) => f.path === shard)?.sha256}`,
      ),
    );
    expect(tf.memory().numTensors).toBe(before);
  });

  it('lists the valid teachers for an unknown name or dataset', async () => {
    const model = tinyModel();
    const dir = join(root, 'names');
    await publishTiny(dir, model);
    model.dispose();
    expect(await failure(() => pretrained('tinny', 'toy', { dir }))).toBe(
      "UNKNOWN_NAME: pretrained: no pretrained teacher 'tinny' for dataset 'toy'. Did you mean 'tiny'? Valid teachers: tiny (toy).",
    );
    expect(await failure(() => pretrained('tiny', 'cifar10', { dir }))).toMatch(
      /no pretrained teacher 'tiny' for dataset 'cifar10'\. Valid teachers: tiny \(toy\)\./,
    );
    const empty = join(root, 'empty');
    await publishTiny(empty, tinyModel()).then(() =>
      writeFile(
        join(empty, 'manifest.json'),
        JSON.stringify({ format: PRETRAINED_FORMAT, teachers: [] }),
      ),
    );
    expect(await failure(() => pretrained('cnn-teacher', 'fashion-mnist', { dir: empty }))).toMatch(
      /none are shipped yet\. Train one: pnpm --filter @kdkit\/pretrained train recipes\/cnn-teacher/,
    );
  });

  it("lists the package's own teachers (none may be shipped yet)", async () => {
    const shipped = await listPretrained();
    expect(Array.isArray(shipped)).toBe(true);
    expect(PRETRAINED_DIR).toMatch(/pretrained[/\\]$/);
  });

  it('leaks no tensors (load, logits, dispose)', async () => {
    const model = tinyModel();
    const dir = join(root, 'leaks');
    await publishTiny(dir, model);
    model.dispose();
    const xs = tf.ones([2, 4, 4, 1]) as tf.Tensor4D;
    await expectNoLeaks(async () => {
      const teacher = await pretrained('tiny', 'toy', { dir });
      const logits = await teacher.logits(xs);
      teacher.dispose();
      return logits;
    });
    xs.dispose();
  });
});
