import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { InvalidArgumentError } from '@commander-js/extra-typings';
import type { ImageDataset } from '@kdkit/datasets';
import { KdkitError } from '@kdkit/engine';
import type { Teacher, TeacherCache, TeacherInputScaling, TeacherLayout } from '@kdkit/trainers';
import type * as tfl from '@tensorflow/tfjs-layers';
import { z } from 'zod';

/** The CLI flags that say which teacher to use and how it takes its images. */
export const teacherShape = {
  teacherLayout: z.enum(['nchw', 'nhwc']).optional(),
  teacherInput: z.string().optional(),
};

export const TEACHER_FLAG_HELP =
  'the teacher: a saved model folder, an .onnx file, or pretrained:NAME (kdkit list teachers)';
export const TEACHER_LAYOUT_HELP =
  "the teacher's input layout, nchw or nhwc (default: nhwc for tfjs models, nchw for ONNX)";
export const TEACHER_INPUT_HELP =
  "the pixel scaling the teacher was trained with, on images in [0, 1]: '0,1' (a [min, max] range) or 'mean=0.286,std=0.353' (per channel: mean=0.49/0.48/0.45)";

/** A teacher the CLI resolved, with what the reports show. */
export interface ResolvedTeacher {
  readonly kind: 'model' | 'onnx' | 'pretrained' | 'store';
  readonly teacher: Teacher;
  /** A soft-target store's logits of every training image: distill's `teacherCache`. */
  readonly cache?: TeacherCache;
  /** Names the teacher's weights in a run's recipe (a SHA-256 prefix of its defining file). */
  readonly identity: string;
  /** The tfjs model (model folders and pretrained teachers): feature losses and the demo need it. */
  readonly model?: tfl.LayersModel;
  /** What the user gave (a resolved path, or pretrained:NAME). */
  readonly source: string;
  /** For tables: the zoo name, or the file name. */
  readonly label: string;
  /** The dataset the teacher records it was trained on, if any. */
  readonly dataset?: string;
  /** The accuracy the teacher records (saved meta or manifest), if any. */
  readonly accuracy?: number;
  readonly params?: number;
  dispose(): void;
}

/** `--teacher-input`: '0,1' → a [0, 1] range; 'mean=a/b/c,std=d/e/f' → per-channel normalization. */
export function parseTeacherInput(text: string): TeacherInputScaling {
  const fail = () =>
    new InvalidArgumentError(
      `--teacher-input: expected 'min,max' (e.g. 0,1) or 'mean=M,std=S' (e.g. mean=0.286,std=0.353; per channel mean=0.49/0.48/0.45), got '${text}'.`,
    );
  const numbers = (s: string) => {
    const values = s.split('/').map(Number);
    if (s === '' || values.some((v) => !Number.isFinite(v))) throw fail();
    return values;
  };
  const parts = text.split(',').map((p) => p.trim());
  if (parts.length !== 2) throw fail();
  const [a = '', b = ''] = parts;
  if (!a.includes('=')) {
    const [min, max] = [numbers(a), numbers(b)];
    if (min.length !== 1 || max.length !== 1) throw fail();
    return { scale: [min[0] as number, max[0] as number] };
  }
  const fields = Object.fromEntries(parts.map((p) => p.split('=', 2) as [string, string]));
  if (fields['mean'] === undefined || fields['std'] === undefined) throw fail();
  return { mean: numbers(fields['mean']), std: numbers(fields['std']) };
}

export interface TeacherFlags {
  readonly teacher: string;
  readonly teacherLayout?: TeacherLayout | undefined;
  readonly teacherInput?: string | undefined;
}

const PRETRAINED = 'pretrained:';

const fileHash = async (path: string) =>
  createHash('sha256')
    .update(await readFile(path))
    .digest('hex')
    .slice(0, 16);

/**
 * The one place the CLI turns `--teacher` (a saved model folder, an .onnx file, or
 * pretrained:NAME; with `--teacher-layout` and `--teacher-input`) into a {@link Teacher}.
 * `dataset` picks the pretrained teacher (default: the only dataset NAME ships for).
 */
export async function resolveTeacher(
  flags: TeacherFlags,
  dataset: string | undefined,
): Promise<ResolvedTeacher> {
  const input =
    flags.teacherInput === undefined ? undefined : parseTeacherInput(flags.teacherInput);
  const scaling = input ? { input } : {};
  const { layersTeacher } = await import('@kdkit/trainers');
  const tfjsOnly = (what: string) => {
    if (flags.teacherLayout === 'nchw') {
      throw new KdkitError(
        'INVALID_ARGUMENT',
        `--teacher-layout nchw: ${what} is a tfjs layers model, which takes NHWC images; drop --teacher-layout or give an .onnx file.`,
      );
    }
  };

  if (flags.teacher.startsWith(PRETRAINED)) {
    tfjsOnly(flags.teacher);
    const name = flags.teacher.slice(PRETRAINED.length);
    const { listPretrained, pretrained } = await import('@kdkit/pretrained/node');
    const shipped = (await listPretrained()).filter((t) => t.model === name);
    // The mini set is drawn from Fashion-MNIST: the full set's teachers serve it.
    const on =
      dataset?.replace(/-mini$/, '') ?? (shipped.length === 1 ? shipped[0]?.dataset : undefined);
    if (on === undefined && shipped.length > 1) {
      throw new KdkitError(
        'INVALID_ARGUMENT',
        `--teacher ${flags.teacher}: ships for ${shipped.map((t) => t.dataset).join(', ')}; pass --dataset <name>.`,
      );
    }
    const loaded = await pretrained(name, on ?? 'fashion-mnist');
    const teacher = input ? layersTeacher(loaded.model, { name, ...scaling }) : loaded;
    return {
      kind: 'pretrained',
      teacher,
      model: loaded.model,
      source: flags.teacher,
      identity: (
        loaded.entry.files.find((f) => f.path.endsWith('/model.json'))?.sha256 ?? ''
      ).slice(0, 16),
      label: name,
      dataset: loaded.entry.dataset,
      accuracy: loaded.entry.testAccuracy,
      params: loaded.entry.params,
      dispose: () => loaded.dispose(),
    };
  }

  const path = resolve(flags.teacher);
  if (path.toLowerCase().endsWith('.onnx')) {
    const { onnxTeacher } = await import('@kdkit/onnx');
    const teacher = await onnxTeacher(path, {
      layout: flags.teacherLayout ?? 'nchw',
      name: basename(path),
      ...scaling,
    });
    return {
      kind: 'onnx',
      teacher,
      source: path,
      identity: await fileHash(path),
      label: basename(path),
      dispose: () => teacher.dispose?.(),
    };
  }

  const isModelDir = (await stat(join(path, 'model.json')).catch(() => undefined))?.isFile();
  if (!isModelDir) {
    throw new KdkitError(
      'FILE_NOT_FOUND',
      `--teacher: ${path} holds no saved model (model.json) and is not an .onnx file or pretrained:NAME. Train one with: kdkit train --model cnn-teacher --out ${flags.teacher}, or use a shipped teacher (kdkit list teachers).`,
    );
  }
  tfjsOnly(path);
  const { loadModel } = await import('@kdkit/models/node');
  const { model, meta } = await loadModel(path);
  const label = typeof meta.zooName === 'string' ? meta.zooName : basename(path);
  return {
    kind: 'model',
    teacher: layersTeacher(model, { name: label, ...scaling }),
    model,
    source: path,
    // model.json holds every shard's SHA-256.
    identity: await fileHash(join(path, 'model.json')),
    label,
    ...(meta.dataset === undefined ? {} : { dataset: meta.dataset }),
    ...(typeof meta.accuracy === 'number' ? { accuracy: meta.accuracy } : {}),
    params: model.countParams(),
    dispose: () => model.dispose(),
  };
}

/** `--teacher-store DIR`, opened: its manifest read and checked (the dataset it was written for). */
export async function openTeacherStore(dir: string) {
  const { softTargetStore } = await import('@kdkit/soft-targets/node');
  return softTargetStore(resolve(dir));
}

/**
 * A soft-target store as the teacher: its ids checked against `train` (size, classes, every id
 * once) before any step, and its logits loaded into a cache for distill.
 */
export async function resolveStoreTeacher(
  store: Awaited<ReturnType<typeof openTeacherStore>>,
  train: ImageDataset,
): Promise<ResolvedTeacher> {
  const { storeTeacher } = await import('@kdkit/soft-targets');
  const { teacher, cache } = await storeTeacher(store, train);
  const path = store.source.location;
  return {
    kind: 'store',
    teacher,
    cache,
    source: path,
    identity: await fileHash(join(path, 'manifest.json')),
    label: store.name,
    dataset: store.manifest.dataset.name,
    dispose: () => {},
  };
}

/**
 * Refuses a teacher whose classes or image shape differ from the dataset's, naming both, before
 * any training step.
 */
export function checkTeacherFitsData(resolved: ResolvedTeacher, data: ImageDataset): void {
  const { teacher } = resolved;
  if (teacher.numClasses !== data.numClasses) {
    throw new KdkitError(
      'SHAPE_MISMATCH',
      `--teacher: ${resolved.source} predicts ${teacher.numClasses} classes, but the dataset '${data.name}' has ${data.numClasses}; give a teacher of its classes.`,
    );
  }
  if (teacher.inputShape.some((d, i) => d !== data.shape[i])) {
    throw new KdkitError(
      'SHAPE_MISMATCH',
      `--teacher: ${resolved.source} takes images [${teacher.inputShape.join(', ')}] (H, W, C), but the dataset '${data.name}' has [${data.shape.join(', ')}].`,
    );
  }
}

/**
 * Agreement of `student` with stored teacher logits (a filled cache over `data`): the fraction of
 * images where both predict the same class. For a soft-target store, which holds the training
 * images' logits only.
 */
export async function cacheAgreement(
  student: tfl.LayersModel,
  data: ImageDataset,
  cache: TeacherCache,
): Promise<number> {
  const tf = await import('@tensorflow/tfjs-core');
  const { evaluate } = await import('@kdkit/trainers');
  const labels = new Int32Array(data.size);
  const step = 1024;
  for (let start = 0; start < data.size; start += step) {
    const ids = Int32Array.from({ length: Math.min(step, data.size - start) }, (_, i) => start + i);
    const logits = cache.lookup(ids);
    if (!logits) {
      throw new KdkitError(
        'INVALID_ARGUMENT',
        `--teacher-store: the store holds no logits for images ${start}…${start + ids.length - 1}`,
      );
    }
    const predicted = tf.argMax(logits, 1);
    labels.set(await predicted.data(), start);
    tf.dispose([logits, predicted]);
  }
  return (await evaluate(student, { ...data, name: `${data.name}:store-labels`, labels })).accuracy;
}
