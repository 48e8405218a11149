import { closestName, KdkitError } from '@kdkit/engine';
import { layersTeacher, type Teacher } from '@kdkit/trainers';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import {
  type PretrainedEntry,
  type PretrainedManifest,
  parsePretrainedManifest,
} from './manifest.js';
import { sha256Hex } from './sha256.js';

/** Where the package's files are: its root folder on disk, or a URL where they are served. */
export interface PretrainedSource {
  /** For messages: the folder or base URL. */
  readonly location: string;
  /** The bytes of a file, by path from the package root (`manifest.json`, `weights/<id>/…`); FILE_NOT_FOUND if absent. */
  read(path: string): Promise<Uint8Array>;
}

/** A pretrained teacher: a {@link Teacher}, its tfjs model and its manifest entry. */
export interface PretrainedTeacher extends Teacher {
  /** The loaded tfjs model (owned by the teacher: `dispose()` frees it). */
  readonly model: tfl.LayersModel;
  readonly entry: PretrainedEntry;
  dispose(): void;
}

/** How to make a pretrained teacher where none is shipped. */
export const TRAIN_TEACHER_COMMAND =
  'pnpm --filter @kdkit/pretrained train recipes/cnn-teacher-30ep.fashion-mnist.json, then pnpm --filter @kdkit/pretrained publish-teacher weights/cnn-teacher-30ep.fashion-mnist';

export const MANIFEST_PATH = 'manifest.json';

/** The source's manifest.json, checked. */
export async function readManifest(source: PretrainedSource): Promise<PretrainedManifest> {
  const bytes = await source.read(MANIFEST_PATH);
  const file = `${source.location.replace(/[/\\]+$/, '')}/${MANIFEST_PATH}`;
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(bytes));
  } catch (error) {
    throw new KdkitError('CORRUPT_FILE', `pretrained: ${file} is not valid JSON`, {
      cause: error,
    });
  }
  return parsePretrainedManifest(json, file);
}

/** The manifest's entry for `name` on `dataset`; else UNKNOWN_NAME listing the shipped ones. */
export function findPretrained(
  manifest: PretrainedManifest,
  name: string,
  dataset: string,
): PretrainedEntry {
  const found = manifest.teachers.find((t) => t.model === name && t.dataset === dataset);
  if (found) return found;
  if (manifest.teachers.length === 0) {
    throw new KdkitError(
      'UNKNOWN_NAME',
      `pretrained: no pretrained teacher '${name}' for dataset '${dataset}': none are shipped yet. Train one: ${TRAIN_TEACHER_COMMAND}`,
    );
  }
  const valid = manifest.teachers.map((t) => `${t.model} (${t.dataset})`);
  const suggestion = closestName(
    name,
    manifest.teachers.filter((t) => t.dataset === dataset).map((t) => t.model),
  );
  throw new KdkitError(
    'UNKNOWN_NAME',
    `pretrained: no pretrained teacher '${name}' for dataset '${dataset}'.${suggestion ? ` Did you mean '${suggestion}'?` : ''} Valid teachers: ${valid.sort().join(', ')}.`,
  );
}

/**
 * Loads the teacher `name` trained on `dataset` from `source`, checking the SHA-256 of every file
 * against the manifest before any tensor is made (CORRUPT_FILE naming the file on a mismatch).
 * Shared by the root (fetch) and `./node` (disk) entries.
 */
export async function loadPretrained(
  source: PretrainedSource,
  name: string,
  dataset: string,
): Promise<PretrainedTeacher> {
  const entry = findPretrained(await readManifest(source), name, dataset);
  const base = source.location.replace(/[/\\]+$/, '');
  const files = new Map<string, Uint8Array>();
  for (const file of entry.files) {
    const path = `weights/${file.path}`;
    const bytes = await source.read(path);
    const actual = await sha256Hex(bytes);
    if (actual !== file.sha256 || bytes.byteLength !== file.bytes) {
      throw new KdkitError(
        'CORRUPT_FILE',
        `pretrained: ${base}/${path} has SHA-256 ${actual} (${bytes.byteLength} bytes); the manifest records ${file.sha256} (${file.bytes} bytes) for teacher '${entry.id}'. The file is damaged or was replaced: reinstall @kdkit/pretrained.`,
      );
    }
    files.set(file.path, bytes);
  }
  const modelPath = `${entry.id}/model.json`;
  const modelBytes = files.get(modelPath);
  if (!modelBytes) {
    throw new KdkitError(
      'CORRUPT_FILE',
      `pretrained: the manifest lists no ${modelPath} for teacher '${entry.id}'`,
    );
  }
  const modelJSON = JSON.parse(new TextDecoder().decode(modelBytes)) as tf.io.ModelJSON;
  const artifacts = await tf.io.getModelArtifactsForJSON(modelJSON, async (groups) => {
    const parts = groups.flatMap((g) =>
      g.paths.map((p) => {
        const bytes = files.get(`${entry.id}/${p}`);
        if (!bytes) {
          throw new KdkitError(
            'CORRUPT_FILE',
            `pretrained: ${base}/weights/${modelPath} lists weight file '${p}', which the manifest does not record`,
          );
        }
        return bytes;
      }),
    );
    const total = parts.reduce((s, p) => s + p.byteLength, 0);
    const data = new Uint8Array(total);
    let at = 0;
    for (const p of parts) {
      data.set(p, at);
      at += p.byteLength;
    }
    return [groups.flatMap((g) => g.weights), data.buffer];
  });
  const model = await tfl.loadLayersModel(tf.io.fromMemory(artifacts));
  try {
    const teacher = layersTeacher(model, {
      name: entry.model,
      inputShape: entry.inputShape,
      numClasses: entry.numClasses,
    });
    return { ...teacher, model, entry, dispose: () => model.dispose() };
  } catch (error) {
    model.dispose();
    throw error;
  }
}
