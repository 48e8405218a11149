// Teachers the page can distil from: shipped ones (@kdkit/pretrained, every file's SHA-256
// checked), or uploaded files: a tfjs model.json with its weights, or an .onnx model run by
// onnxruntime-web. Each becomes a trainers `Teacher` (a logits function). Every failure becomes a
// KdkitError whose message the page shows as it is.
import type { ImageDataset } from '@kdkit/datasets';
import { isKdkitError, KdkitError } from '@kdkit/engine';
import { onnxTeacher } from '@kdkit/onnx';
import { type PretrainedEntry, pretrained } from '@kdkit/pretrained';
import {
  evaluate,
  layersTeacher,
  type Teacher,
  type TeacherInputScaling,
  type TeacherLayout,
} from '@kdkit/trainers';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import onnxRuntimeWasm from 'onnxruntime-web/ort-wasm-simd-threaded.wasm?url';

export interface LoadedTeacher {
  /** What the students learn from. */
  readonly teacher: Teacher;
  /** Shown in the table: the zoo name or the file name, and where it came from. */
  readonly label: string;
  /** Parameter count, when known (a tfjs model's; an ONNX model's is not read). */
  readonly params?: number;
  /** Frees the model or the ONNX Runtime session. */
  dispose(): void;
}

export interface UploadedTeacher extends LoadedTeacher {
  /** Accuracy on the page's test set, measured when uploaded. */
  readonly accuracy: number;
}

/** How an uploaded ONNX model takes its images (a tfjs model takes them as the dataset gives them). */
export interface OnnxUploadOptions {
  readonly layout: TeacherLayout;
  readonly input: TeacherInputScaling;
}

const WHERE = 'teacher upload';

function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Loads a shipped teacher through @kdkit/pretrained from `baseUrl`, where the site serves the
 * package's manifest.json and weights/ (float16 weights are decoded to float32 by tfjs).
 */
export async function loadPretrainedTeacher(
  entry: PretrainedEntry,
  baseUrl: string | URL,
): Promise<LoadedTeacher> {
  const teacher = await pretrained(entry.model, entry.dataset, { baseUrl });
  return {
    teacher,
    label: `${entry.model} (pretrained)`,
    params: entry.params,
    dispose: () => teacher.dispose(),
  };
}

/**
 * Scores `loaded` on `test`: proves it runs on these images and classes (trainers' evaluate
 * refuses a teacher whose input shape or class count does not fit, naming both).
 */
async function checkedTeacher(loaded: LoadedTeacher, test: ImageDataset): Promise<UploadedTeacher> {
  try {
    const { accuracy } = await evaluate(loaded.teacher, test);
    return { ...loaded, accuracy };
  } catch (error) {
    loaded.dispose();
    throw new KdkitError(
      'SHAPE_MISMATCH',
      `The teacher '${loaded.label}' does not fit ${test.name} (${test.numClasses} classes, images ${test.shape.join('×')}): ${describeError(error)}`,
      { cause: error },
    );
  }
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
      `${WHERE}: '${file.name}' is a tfjs graph model; this page takes tfjs layers models (saved by model.save or kdkit's saveModel) or ONNX models.`,
    );
  }
  return json;
}

/** A tfjs layers model from its model.json and weight files, picked together. */
async function loadLayersUpload(files: readonly File[]): Promise<LoadedTeacher> {
  const jsonFiles = files.filter((f) => f.name.toLowerCase().endsWith('.json'));
  if (jsonFiles.length !== 1) {
    throw new KdkitError(
      'INVALID_ARGUMENT',
      `${WHERE}: pick one .onnx file, or exactly one model.json together with its weight files (.bin); got ${files.length === 0 ? 'no files' : files.map((f) => `'${f.name}'`).join(', ')}.`,
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
  try {
    return {
      teacher: layersTeacher(model, { name: jsonFile.name }),
      label: `${jsonFile.name} (uploaded)`,
      params: model.countParams(),
      dispose: () => model.dispose(),
    };
  } catch (error) {
    model.dispose();
    throw error;
  }
}

let onnxRuntimeReady: Promise<void> | undefined;

/**
 * Points onnxruntime-web at the wasm binary this site serves (no CDN: the page works offline) and
 * runs it on one thread: tfjs's wasm backend already uses the cores, and the teacher's logits are
 * computed once per image (cached by the trainer).
 */
function setUpOnnxRuntime(): Promise<void> {
  onnxRuntimeReady ??= import('onnxruntime-web').then(
    (ort) => {
      ort.env.wasm.wasmPaths = { wasm: new URL(onnxRuntimeWasm, document.baseURI).href };
      ort.env.wasm.numThreads = 1;
    },
    (error: unknown) => {
      onnxRuntimeReady = undefined;
      throw new KdkitError(
        'BACKEND_UNAVAILABLE',
        `${WHERE}: onnxruntime-web, which runs ONNX teachers, could not be loaded (${describeError(error)}).`,
        { cause: error },
      );
    },
  );
  return onnxRuntimeReady;
}

/** An ONNX model (e.g. exported from PyTorch), checked against the page's images and classes. */
async function loadOnnxUpload(
  file: File,
  test: ImageDataset,
  options: OnnxUploadOptions,
): Promise<LoadedTeacher> {
  await setUpOnnxRuntime();
  let teacher: Teacher;
  try {
    teacher = await onnxTeacher(new Uint8Array(await file.arrayBuffer()), {
      name: file.name,
      layout: options.layout,
      input: options.input,
      inputShape: test.shape,
      numClasses: test.numClasses,
    });
  } catch (error) {
    throw new KdkitError(
      isKdkitError(error) ? error.code : 'CORRUPT_FILE',
      `${WHERE}: '${file.name}': ${describeError(error)}`,
      { cause: error },
    );
  }
  return {
    teacher,
    label: `${file.name} (uploaded)`,
    dispose: () => teacher.dispose?.(),
  };
}

/**
 * Loads an uploaded teacher: one `.onnx` file (run by onnxruntime-web with `onnx`'s layout and
 * pixel scaling), or a tfjs `model.json` with its weight files (picked together), and scores it
 * on `test`. Throws KdkitError with a message for the page: not a model, missing weights, wrong
 * classes, layout or input shape.
 */
export async function loadUploadedTeacher(
  files: readonly File[],
  test: ImageDataset,
  onnx: OnnxUploadOptions,
): Promise<UploadedTeacher> {
  const onnxFiles = files.filter((f) => f.name.toLowerCase().endsWith('.onnx'));
  if (onnxFiles.length > 0 && files.length > 1) {
    throw new KdkitError(
      'INVALID_ARGUMENT',
      `${WHERE}: an ONNX model is one file; pick the .onnx file alone (got ${files.map((f) => `'${f.name}'`).join(', ')}).`,
    );
  }
  const loaded =
    onnxFiles.length === 1
      ? await loadOnnxUpload(onnxFiles[0] as File, test, onnx)
      : await loadLayersUpload(files);
  return checkedTeacher(loaded, test);
}
