import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KdkitError } from '@kdkit/engine';
import {
  loadPretrained,
  type PretrainedSource,
  type PretrainedTeacher,
  readManifest,
} from '../load.js';
import type { PretrainedEntry } from '../manifest.js';

export { TRAIN_TEACHER_COMMAND } from '../load.js';
export { weightFileEntries } from './weight-files.js';

/** The installed package's own folder (its manifest.json and weights/). */
export const PRETRAINED_DIR = fileURLToPath(new URL('../../', import.meta.url));

export interface PretrainedNodeOptions {
  /** A folder laid out like the package (manifest.json, weights/). Default {@link PRETRAINED_DIR}. */
  readonly dir?: string;
}

/** A {@link PretrainedSource} reading the package's files from folder `dir`. */
export function dirPretrainedSource(dir: string = PRETRAINED_DIR): PretrainedSource {
  const root = resolve(dir);
  return {
    location: root,
    async read(path) {
      const file = join(root, path);
      try {
        return new Uint8Array(await readFile(file));
      } catch (error) {
        throw new KdkitError('FILE_NOT_FOUND', `pretrained: cannot read ${file}`, {
          cause: error,
        });
      }
    },
  };
}

/**
 * A teacher kdkit trained and ships, by architecture `name` and `dataset`, loaded from the
 * package's own `weights/` folder (or `options.dir`). Every file's SHA-256 is checked against
 * `manifest.json` first: a mismatch throws `CORRUPT_FILE` naming the file; an unknown name or
 * dataset throws `UNKNOWN_NAME` listing the shipped teachers. The result is a `Teacher` (logits)
 * with its tfjs `model` and manifest `entry`; `teacher.dispose()` frees the model.
 *
 * @example
 * import { pretrained } from '@kdkit/pretrained/node';
 * const teacher = await pretrained('cnn-teacher', 'fashion-mnist');
 * console.log(teacher.entry.testAccuracy);
 */
export async function pretrained(
  name: string,
  dataset: string,
  options: PretrainedNodeOptions = {},
): Promise<PretrainedTeacher> {
  return loadPretrained(dirPretrainedSource(options.dir), name, dataset);
}

/** The shipped teachers (maybe none), from the package's manifest.json (or `options.dir`'s). */
export async function listPretrained(
  options: PretrainedNodeOptions = {},
): Promise<PretrainedEntry[]> {
  return (await readManifest(dirPretrainedSource(options.dir))).teachers;
}
