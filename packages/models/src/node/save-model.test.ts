import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeBackends, expectAllClose } from '@kdkit/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { fixedBatch } from '../../test/helpers.js';
import { architectureHash } from '../architecture-hash.js';
import { createModel } from '../create-model.js';
import { withFeatures } from '../with-features.js';
import { fileSystemLoadHandler } from './file-system-load-handler.js';
import { fileSystemSaveHandler } from './file-system-save-handler.js';
import { loadModel } from './load-model.js';
import { saveModel } from './save-model.js';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'kdkit-models-save-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describeBackends(['cpu'], 'saveModel / loadModel', () => {
  it('save → load gives identical predictions and the meta back', async () => {
    const model = createModel('resnet8', { width: 0.5, seed: 4 });
    const { xs, ys } = fixedBatch(3, [28, 28, 1]);
    // One training-mode pass moves the batch-norm statistics away from their initial values.
    tf.dispose(model.apply(xs, { training: true }) as tf.Tensor);
    const dir = join(root, 'resnet8');
    const written = await saveModel(model, dir, {
      meta: { dataset: 'fashion-mnist', accuracy: 0.875 },
    });
    const { model: loaded, meta } = await loadModel(dir);
    expect(meta).toEqual(written);
    expect(meta).toMatchObject({
      zooName: 'resnet8',
      dataset: 'fashion-mnist',
      inputShape: [28, 28, 1],
      numClasses: 10,
      accuracy: 0.875,
      architectureHash: architectureHash(model),
    });
    const before = model.predict(xs) as tf.Tensor;
    const after = loaded.predict(xs) as tf.Tensor;
    expectAllClose(after, before, { atol: 0, rtol: 0 });
    // The loaded zoo model keeps its default taps.
    expect(withFeatures(loaded).tapNames).toContain('stage3_block1_out');
    tf.dispose([xs, ys, before, after]);
    model.dispose();
    loaded.dispose();
  });

  it('writes standard tfjs files that tf.loadLayersModel reads', async () => {
    const model = createModel('cnn-student');
    const dir = join(root, 'standard');
    await saveModel(model, dir);
    expect((await readdir(dir)).sort()).toEqual(['group1-shard1of1.bin', 'model.json']);
    const json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8'));
    expect(json.format).toBe('layers-model');
    expect(json.weightsManifest[0].paths).toEqual(['group1-shard1of1.bin']);
    expect(json.userDefinedMetadata.kdkit.zooName).toBe('cnn-student');
    const plain = await tfl.loadLayersModel(fileSystemLoadHandler(join(dir, 'model.json')));
    expect(plain.countParams()).toBe(model.countParams());
    model.dispose();
    plain.dispose();
  });

  it('replaces an existing model atomically and leaves no temp dirs', async () => {
    const dir = join(root, 'replace');
    const first = createModel('cnn-student', { seed: 1 });
    const second = createModel('cnn-student', { seed: 2 });
    await saveModel(first, dir, { meta: { accuracy: 0.1 } });
    await saveModel(second, dir, { meta: { accuracy: 0.2 } });
    const { model: loaded, meta } = await loadModel(dir);
    expect(meta.accuracy).toBe(0.2);
    expectAllClose(loaded.getWeights()[0] as tf.Tensor, second.getWeights()[0] as tf.Tensor, {
      atol: 0,
      rtol: 0,
    });
    expect((await readdir(root)).filter((f) => f.includes('.tmp-') || f.includes('.old-'))).toEqual(
      [],
    );
    for (const m of [first, second, loaded]) m.dispose();
  });

  it('shards weights and reads them back in order', async () => {
    const model = createModel('lenet5', { seed: 2 });
    const dir = join(root, 'sharded');
    await model.save(fileSystemSaveHandler(dir, { shardBytes: 50_000 }));
    expect((await readdir(dir)).filter((f) => f.endsWith('.bin')).length).toBe(5);
    const { model: loaded } = await loadModel(dir);
    const { xs, ys } = fixedBatch(2, [28, 28, 1]);
    expectAllClose(loaded.predict(xs) as tf.Tensor, model.predict(xs) as tf.Tensor, { atol: 0 });
    tf.dispose([xs, ys]);
    model.dispose();
    loaded.dispose();
  });

  it('refuses to replace a directory that is not a model', async () => {
    const dir = join(root, 'not-a-model');
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir);
    await writeFile(join(dir, 'notes.txt'), 'keep me');
    const model = createModel('cnn-student');
    await expect(saveModel(model, dir)).rejects.toThrow(/non-empty directory without model.json/);
    expect(await readFile(join(dir, 'notes.txt'), 'utf8')).toBe('keep me');
    model.dispose();
  });

  it('saving and loading leak no tensors', async () => {
    const model = createModel('cnn-student');
    const dir = join(root, 'leaks');
    const before = tf.memory().numTensors;
    await saveModel(model, dir);
    expect(tf.memory().numTensors).toBe(before);
    const { model: loaded } = await loadModel(dir);
    loaded.dispose();
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  it('rejects meta that is not JSON-serializable', async () => {
    const model = createModel('cnn-student');
    const cyclic: Record<string, unknown> = {};
    cyclic['self'] = cyclic;
    await expect(saveModel(model, join(root, 'cyclic'), { meta: cyclic })).rejects.toThrow(
      /'meta' must be JSON-serializable/,
    );
    model.dispose();
  });
});
