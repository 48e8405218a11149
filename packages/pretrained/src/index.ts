import { KdkitError } from '@kdkit/engine';
import {
  loadPretrained,
  type PretrainedSource,
  type PretrainedTeacher,
  readManifest,
} from './load.js';
import type { PretrainedEntry } from './manifest.js';

export { MINI_SET_KD } from './demo-setting.js';
export { float16Artifacts } from './float16.js';
export {
  findPretrained,
  type PretrainedSource,
  type PretrainedTeacher,
  TRAIN_TEACHER_COMMAND,
} from './load.js';
export {
  PRETRAINED_FORMAT,
  type PretrainedEntry,
  type PretrainedManifest,
  parsePretrainedManifest,
} from './manifest.js';
export { sha256Hex } from './sha256.js';

export interface PretrainedOptions {
  /**
   * Where the package's `manifest.json` and `weights/` folder are served, e.g. the web app's
   * static assets (`new URL('/kdkit-pretrained/', location.href)`).
   */
  readonly baseUrl: string | URL;
}

/** A {@link PretrainedSource} that fetches files relative to `baseUrl`. */
export function urlPretrainedSource(baseUrl: string | URL): PretrainedSource {
  // Relative URLs resolve against the page, in a browser.
  const page = (globalThis as { location?: { href: string } }).location?.href;
  const base = new URL(String(baseUrl).replace(/\/?$/, '/'), page);
  return {
    location: base.href,
    async read(path) {
      const url = new URL(path, base);
      let response: Response;
      try {
        response = await fetch(url);
      } catch (error) {
        throw new KdkitError('FILE_NOT_FOUND', `pretrained: cannot fetch ${url.href}`, {
          cause: error,
        });
      }
      if (!response.ok) {
        throw new KdkitError(
          'FILE_NOT_FOUND',
          `pretrained: cannot fetch ${url.href}: HTTP ${response.status}`,
        );
      }
      return new Uint8Array(await response.arrayBuffer());
    },
  };
}

/**
 * A teacher kdkit trained and ships, by architecture `name` and `dataset`, fetched from where the
 * package's files are served (`baseUrl`). Every file's SHA-256 is checked against `manifest.json`
 * before use: a mismatch throws `CORRUPT_FILE` naming the file. An unknown name or dataset throws
 * `UNKNOWN_NAME` listing the shipped teachers. Weights may be stored as float16 (decoded to
 * float32 by tfjs); `teacher.entry` holds the recorded accuracy. In Node, use
 * `@kdkit/pretrained/node`, which reads the package's own files.
 *
 * The result is a `Teacher` (logits, not probabilities) for `distill` and `evaluate`, and the
 * tfjs model itself (`teacher.model`); `teacher.dispose()` frees it.
 *
 * @example
 * const teacher = await pretrained('cnn-teacher', 'fashion-mnist', { baseUrl: '/pretrained/' });
 * await distill({ teacher, student, train, epochs: 5, batchSize: 64 });
 */
export async function pretrained(
  name: string,
  dataset: string,
  options: PretrainedOptions,
): Promise<PretrainedTeacher> {
  return loadPretrained(urlPretrainedSource(options.baseUrl), name, dataset);
}

/** The shipped teachers, as the manifest served at `baseUrl` lists them (maybe none). */
export async function listPretrained(options: PretrainedOptions): Promise<PretrainedEntry[]> {
  return (await readManifest(urlPretrainedSource(options.baseUrl))).teachers;
}
