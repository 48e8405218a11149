import { mkdtemp, readFile, rm, truncate, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isKdkitError, type KdkitErrorCode } from '@kdkit/engine';
import { describeBackends } from '@kdkit/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { createModel } from '../create-model.js';
import { loadModel } from './load-model.js';
import { saveModel } from './save-model.js';

let root: string;
let dir: string;
const SHARD = 'group1-shard1of1.bin';

async function expectLoadError(code: KdkitErrorCode, pattern: RegExp): Promise<void> {
  const before = tf.memory().numTensors;
  try {
    await loadModel(dir);
    expect.unreachable();
  } catch (error) {
    expect(isKdkitError(error, code), String(error)).toBe(true);
    expect((error as Error).message).toMatch(pattern);
  }
  expect(tf.memory().numTensors).toBe(before);
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'kdkit-models-load-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describeBackends(['cpu'], 'loadModel errors', () => {
  beforeEach(async () => {
    dir = join(root, 'model');
    await rm(dir, { recursive: true, force: true });
    const model = createModel('cnn-student');
    await saveModel(model, dir);
    model.dispose();
  });

  it('a missing model.json is FILE_NOT_FOUND naming the file', async () => {
    await unlink(join(dir, 'model.json'));
    await expectLoadError('FILE_NOT_FOUND', /model[/\\]model\.json' \(ENOENT\)/);
  });

  it('model.json that is not JSON is CORRUPT_FILE', async () => {
    const text = await readFile(join(dir, 'model.json'), 'utf8');
    await writeFile(join(dir, 'model.json'), text.slice(0, 100));
    await expectLoadError('CORRUPT_FILE', /model\.json' is not valid JSON/);
  });

  it('JSON that is not a tfjs model is CORRUPT_FILE', async () => {
    await writeFile(join(dir, 'model.json'), JSON.stringify({ hello: 'world' }));
    await expectLoadError('CORRUPT_FILE', /is not a tfjs model\.json.*'modelTopology'/);
  });

  it('a topology tfjs cannot build is CORRUPT_FILE', async () => {
    const json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8'));
    json.modelTopology.config.layers[1].class_name = 'NoSuchLayer';
    await writeFile(join(dir, 'model.json'), JSON.stringify(json));
    await expectLoadError('CORRUPT_FILE', /does not describe a loadable tfjs layers model/);
  });

  it('a truncated shard is CORRUPT_FILE naming the shard and both sizes', async () => {
    await truncate(join(dir, SHARD), 1000);
    await expectLoadError(
      'CORRUPT_FILE',
      new RegExp(`${SHARD}' has 1000 bytes, expected ${26_698 * 4} for 8 weights`),
    );
  });

  it('a missing shard is FILE_NOT_FOUND naming it', async () => {
    await unlink(join(dir, SHARD));
    await expectLoadError('FILE_NOT_FOUND', new RegExp(`weight shard '.*${SHARD}'`));
  });
});
