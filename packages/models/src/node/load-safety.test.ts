// Issue 17 (#9, #10) and the fuzzing of model.json + shards: a saved model is loaded only when
// every shard is where, what and as large as model.json says.
import { copyFile, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isKdkitError } from '@kdkit/engine';
import { describeBackends } from '@kdkit/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { fileSystemLoadHandler } from './file-system-load-handler.js';
import { fileSystemSaveHandler } from './file-system-save-handler.js';
import { loadModel } from './load-model.js';

const FUZZ_RUNS = Number(process.env['KDKIT_FUZZ_RUNS'] ?? 60);

let root: string;
let saved: string;
let modelJSON: { weightsManifest: { paths: string[]; sha256: string[] }[] } & Record<
  string,
  unknown
>;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'kdkit-models-safety-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** A copy of the saved model in a fresh folder, with `edit` applied to its model.json. */
async function variant(name: string, edit: (json: typeof modelJSON) => void = () => {}) {
  const dir = join(root, name);
  await mkdir(dir, { recursive: true });
  await copyFile(join(saved, 'group1-shard1of1.bin'), join(dir, 'group1-shard1of1.bin'));
  const json = structuredClone(modelJSON);
  edit(json);
  await writeFile(join(dir, 'model.json'), JSON.stringify(json));
  return dir;
}

const loadError = async (dir: string): Promise<Error> => {
  try {
    (await tfl.loadLayersModel(fileSystemLoadHandler(dir))).dispose();
  } catch (error) {
    return error as Error;
  }
  throw new Error(`expected loading ${dir} to fail`);
};

describeBackends(['cpu'], 'loading untrusted model files', () => {
  beforeAll(async () => {
    const model = tfl.sequential({
      layers: [tfl.layers.dense({ units: 3, inputShape: [4], name: 'd' })],
    });
    saved = join(root, 'saved');
    await model.save(fileSystemSaveHandler(saved));
    model.dispose();
    modelJSON = JSON.parse(await readFile(join(saved, 'model.json'), 'utf8'));
  });

  it('#9 records each shard SHA-256 and refuses a shard whose bytes changed', async () => {
    expect(modelJSON.weightsManifest[0]?.sha256[0]).toMatch(/^[0-9a-f]{64}$/);
    const dir = await variant('flipped');
    const shard = join(dir, 'group1-shard1of1.bin');
    const bytes = await readFile(shard);
    bytes[5] = (bytes[5] ?? 0) ^ 0xff;
    await writeFile(shard, bytes);
    const error = await loadError(dir);
    expect(isKdkitError(error, 'CORRUPT_FILE')).toBe(true);
    expect(error.message).toContain(shard);
    expect(error.message).toContain('SHA-256');
  });

  it('#9 refuses NaN weights (a model.json without digests, as plain tfjs writes)', async () => {
    const dir = await variant('nan', (json) => {
      for (const group of json.weightsManifest) delete (group as { sha256?: unknown }).sha256;
    });
    const shard = join(dir, 'group1-shard1of1.bin');
    const bytes = await readFile(shard);
    new DataView(bytes.buffer, bytes.byteOffset).setFloat32(8, Number.NaN, true);
    await writeFile(shard, bytes);
    const error = await loadError(dir);
    expect(isKdkitError(error, 'CORRUPT_FILE')).toBe(true);
    expect(error.message).toContain("weight 'd/kernel' holds NaN (element 2)");
    expect(error.message).toContain(shard);
  });

  it('#10 refuses shard paths that leave the model folder: ../, absolute, symlink out', async () => {
    await writeFile(join(root, 'outside-secret.bin'), new Uint8Array(60));
    const escaping = {
      dotdot: '../outside-secret.bin',
      absolute: join(root, 'outside-secret.bin'),
      nested: 'sub/../../outside-secret.bin',
    };
    for (const [name, path] of Object.entries(escaping)) {
      const dir = await variant(name, (json) => {
        for (const group of json.weightsManifest) {
          group.paths = [path];
          delete (group as { sha256?: unknown }).sha256;
        }
      });
      const error = await loadError(dir);
      expect(isKdkitError(error, 'CORRUPT_FILE')).toBe(true);
      expect(error.message).toContain(JSON.stringify(path));
      expect(error.message).toContain(join(dir, 'model.json'));
    }
    const linked = await variant('symlink', (json) => {
      for (const group of json.weightsManifest) {
        group.paths = ['link.bin'];
        delete (group as { sha256?: unknown }).sha256;
      }
    });
    await symlink(join(root, 'outside-secret.bin'), join(linked, 'link.bin'));
    const error = await loadError(linked);
    expect(error.message).toContain('is a symlink to');
  });

  it('fuzz: mutated model.json and shards load validly or give a KdkitError naming the file', async () => {
    const shardBytes = await readFile(join(saved, 'group1-shard1of1.bin'));
    const jsonText = JSON.stringify(modelJSON);
    let n = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          // byte edits of model.json
          fc
            .array(fc.tuple(fc.nat(), fc.integer({ min: 32, max: 126 })), { maxLength: 4 })
            .map((edits) => ({ json: editText(jsonText, edits), shard: shardBytes })),
          // structural edits: a random JSON value in place of a field
          fc
            .tuple(fc.constantFrom('weightsManifest', 'modelTopology', 'format'), fc.jsonValue())
            .map(([key, value]) => ({
              json: JSON.stringify({ ...modelJSON, [key]: value }),
              shard: shardBytes,
            })),
          // shard truncated or extended
          fc.integer({ min: 0, max: shardBytes.length + 8 }).map((length) => {
            const shard = new Uint8Array(length);
            shard.set(shardBytes.subarray(0, Math.min(length, shardBytes.length)));
            return { json: jsonText, shard };
          }),
        ),
        async ({ json, shard }) => {
          const dir = join(root, `fuzz-${n++}`);
          await mkdir(dir);
          await writeFile(join(dir, 'model.json'), json);
          await writeFile(join(dir, 'group1-shard1of1.bin'), shard);
          const before = tf.memory().numTensors;
          let builtByTfjs = true;
          try {
            (await loadModel(dir)).model.dispose();
          } catch (error) {
            expect(isKdkitError(error), String(error)).toBe(true);
            expect((error as Error).message).toContain(dir);
            // tfjs may leave a half-built model's initial weights when the weights don't fit it;
            // everything the handler refuses is refused before any tensor exists.
            builtByTfjs = !(error as Error).message.startsWith('fileSystemLoadHandler');
          }
          if (!builtByTfjs) expect(tf.memory().numTensors).toBe(before);
          tf.disposeVariables();
          await rm(dir, { recursive: true, force: true });
        },
      ),
      { numRuns: FUZZ_RUNS, seed: Number(process.env['KDKIT_FUZZ_SEED'] ?? 17) },
    );
  });
});

function editText(text: string, edits: readonly (readonly [number, number])[]): string {
  const chars = [...text];
  for (const [at, code] of edits) chars[at % chars.length] = String.fromCharCode(code);
  return chars.join('');
}
