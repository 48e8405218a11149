// Teachers the page can distil from: shipped (pretrained/manifest.json) or uploaded files.
// Every failure becomes a KdkitError whose message the page shows as it is.
import type { ImageDataset } from '@kdkit/datasets';
import { KdkitError } from '@kdkit/engine';
import { evaluate } from '@kdkit/trainers';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { PretrainedTeacher } from './manifest.js';

export interface LoadedTeacher {
  readonly model: tfl.LayersModel;
  /** Shown in the table: the zoo name or the file name, and where it came from. */
  readonly label: string;
  /** Accuracy on the page's test set, measured when loaded. */
  readonly accuracy: number;
}

const WHERE = 'teacher upload';

function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Scores `model` on `test`: proves it runs on these images and classes (trainers' evaluate
 * refuses a model whose input shape or class count does not fit, naming both).
 */
async function checkedTeacher(
  model: tfl.LayersModel,
  label: string,
  test: ImageDataset,
): Promise<LoadedTeacher> {
  try {
    const { accuracy } = await evaluate(model, test);
    return { model, label, accuracy };
  } catch (error) {
    model.dispose();
    throw new KdkitError(
      'SHAPE_MISMATCH',
      `The teacher '${label}' does not fit ${test.name} (${test.numClasses} classes, images ${test.shape.join('×')}): ${describeError(error)}`,
      { cause: error },
    );
  }
}

/** Loads a shipped teacher from the site. */
export async function loadPretrainedTeacher(
  entry: PretrainedTeacher,
  test: ImageDataset,
  base: string = document.baseURI,
): Promise<LoadedTeacher> {
  if (entry.format !== 'tfjs') {
    throw new KdkitError(
      'INVALID_ARGUMENT',
      `pretrained teacher '${entry.id}' is an ${entry.format} model; this page loads tfjs models only.`,
    );
  }
  let model: tfl.LayersModel;
  try {
    model = await tfl.loadLayersModel(new URL(entry.path, base).href);
  } catch (error) {
    throw new KdkitError(
      'FILE_NOT_FOUND',
      `pretrained teacher '${entry.id}' could not be loaded from ${entry.path}: ${describeError(error)}`,
      { cause: error },
    );
  }
  return checkedTeacher(model, `${entry.model ?? entry.id} (pretrained)`, test);
}

interface ModelJson {
  readonly format?: string;
  readonly modelTopology?: unknown;
  readonly weightsManifest?: ReadonlyArray<{ readonly paths?: readonly string[] }>;
}

async function readModelJson(file: File): Promise<ModelJson> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await file.text());
  } catch (error) {
    throw new KdkitError(
      'CORRUPT_FILE',
      `${WHERE}: '${file.name}' is not a model: it is not valid JSON (${describeError(error)}).`,
    );
  }
  const json = parsed as ModelJson | null;
  if (json === null || typeof json !== 'object' || !json.modelTopology || !json.weightsManifest) {
    throw new KdkitError(
      'CORRUPT_FILE',
      `${WHERE}: '${file.name}' is not a model: a tfjs model.json has 'modelTopology' and 'weightsManifest'.`,
    );
  }
  if (json.format === 'graph-model') {
    throw new KdkitError(
      'INVALID_ARGUMENT',
      `${WHERE}: '${file.name}' is a tfjs graph model; this page trains against tfjs layers models (saved by model.save or kdkit's saveModel).`,
    );
  }
  return json;
}

/**
 * Loads an uploaded teacher: a tfjs `model.json` with its weight files (picked together).
 * Throws KdkitError with a message for the page: not a model, missing weights, wrong classes or
 * input shape.
 */
export async function loadUploadedTeacher(
  files: readonly File[],
  test: ImageDataset,
): Promise<LoadedTeacher> {
  if (files.some((f) => f.name.toLowerCase().endsWith('.onnx'))) {
    throw new KdkitError(
      'INVALID_ARGUMENT',
      `${WHERE}: ONNX teachers are not supported by this build of the page; upload a tfjs model.json with its weight files.`,
    );
  }
  const jsonFiles = files.filter((f) => f.name.toLowerCase().endsWith('.json'));
  if (jsonFiles.length !== 1) {
    throw new KdkitError(
      'INVALID_ARGUMENT',
      `${WHERE}: pick exactly one model.json together with its weight files (.bin); got ${files.length === 0 ? 'no files' : files.map((f) => `'${f.name}'`).join(', ')}.`,
    );
  }
  const jsonFile = jsonFiles[0] as File;
  const json = await readModelJson(jsonFile);
  const weights = files.filter((f) => f !== jsonFile);
  const needed = (json.weightsManifest ?? []).flatMap((group) => group.paths ?? []);
  const missing = needed.filter((path) => !weights.some((f) => path.endsWith(f.name)));
  if (missing.length > 0) {
    throw new KdkitError(
      'FILE_NOT_FOUND',
      `${WHERE}: '${jsonFile.name}' needs the weight file(s) ${missing.map((p) => `'${p}'`).join(', ')}; pick them together with it.`,
    );
  }
  let model: tfl.LayersModel;
  try {
    model = await tfl.loadLayersModel(tf.io.browserFiles([jsonFile, ...weights]));
  } catch (error) {
    throw new KdkitError(
      'CORRUPT_FILE',
      `${WHERE}: '${jsonFile.name}' is not a loadable tfjs layers model (${describeError(error)}).`,
      { cause: error },
    );
  }
  return checkedTeacher(model, `${jsonFile.name} (uploaded)`, test);
}
