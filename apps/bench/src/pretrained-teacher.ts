import type { ImageDataset } from '@kdkit/datasets';
import { KdkitError } from '@kdkit/engine';
import type { LoadedTeacher } from '@kdkit/experiments';
import type { PretrainedEntry } from '@kdkit/pretrained';

/** A pair's teacher named `pretrained:NAME` is a shipped @kdkit/pretrained teacher, not trained here. */
export const PRETRAINED_PREFIX = 'pretrained:';

export const isPretrainedTeacher = (teacher: string): boolean =>
  teacher.startsWith(PRETRAINED_PREFIX);

/** A weights key: the first 16 hex digits of a shipped teacher's model.json SHA-256. */
export const TEACHER_KEY_PATTERN = /^[0-9a-f]{16}$/;

/**
 * `pretrained:NAME` or `pretrained:NAME@KEY`: the shipped teacher's name, and the weights key
 * it is pinned to, if any. A pin lets `--stored-only` rebuild the runs made with a teacher that
 * has since been replaced in @kdkit/pretrained (their key is in the runs' config).
 */
export function parsePretrainedTeacher(teacher: string): { name: string; pinnedKey?: string } {
  const spec = teacher.slice(PRETRAINED_PREFIX.length);
  const at = spec.indexOf('@');
  return at < 0 ? { name: spec } : { name: spec.slice(0, at), pinnedKey: spec.slice(at + 1) };
}

/** `pretrained:NAME` without its pin: how runs name (and file) the teacher, pinned or not. */
export const unpinnedTeacher = (teacher: string): string =>
  isPretrainedTeacher(teacher)
    ? `${PRETRAINED_PREFIX}${parsePretrainedTeacher(teacher).name}`
    : teacher;

/** The data set a shipped teacher was trained on: 'fashion-mnist-mini/train' → 'fashion-mnist'. */
const teacherDataset = (train: ImageDataset): string =>
  (train.name.split('/')[0] ?? train.name).replace(/-mini$/, '');

/** Runs with a shipped teacher are keyed by its model.json's SHA-256 (16 hex digits). */
const keyOf = (entry: PretrainedEntry): string =>
  (entry.files.find((f) => f.path === `${entry.id}/model.json`)?.sha256 ?? entry.commit).slice(
    0,
    16,
  );

/**
 * The key of the shipped teacher `pretrained:NAME` for `train`'s data set, from the manifest alone
 * (no weights loaded): what `--stored-only` needs to find the runs made with it.
 */
export async function pretrainedPairTeacherKey(
  teacher: string,
  train: ImageDataset,
): Promise<string> {
  const { listPretrained } = await import('@kdkit/pretrained/node');
  const { findPretrained, PRETRAINED_FORMAT } = await import('@kdkit/pretrained');
  const { name, pinnedKey } = parsePretrainedTeacher(teacher);
  // The name is looked up even when pinned, so that a typo lists the shipped teachers.
  const entry = findPretrained(
    { format: PRETRAINED_FORMAT, teachers: await listPretrained() },
    name,
    teacherDataset(train),
  );
  return pinnedKey ?? keyOf(entry);
}

/**
 * Loads the shipped teacher `pretrained:NAME` for `train`'s data set (the mini set maps to the full
 * Fashion-MNIST its images come from). The store key is the SHA-256 of its model.json, so runs
 * stored with other weights are not reused.
 */
export async function loadPretrainedPairTeacher(
  teacher: string,
  train: ImageDataset,
): Promise<LoadedTeacher> {
  const { pretrained } = await import('@kdkit/pretrained/node');
  const { name, pinnedKey } = parsePretrainedTeacher(teacher);
  const loaded = await pretrained(name, teacherDataset(train));
  const key = keyOf(loaded.entry);
  if (pinnedKey !== undefined && pinnedKey !== key) {
    loaded.model.dispose();
    throw new KdkitError(
      'INVALID_ARGUMENT',
      `--pairs: '${teacher}' pins weights ${pinnedKey}, but the shipped ${loaded.entry.id} has weights ${key}; the runs made with ${pinnedKey} can only be rebuilt (add --stored-only), or drop '@${pinnedKey}' to train with the current weights.`,
    );
  }
  return {
    model: loaded.model,
    fromStore: true,
    path: `${PRETRAINED_PREFIX}${loaded.entry.id}`,
    storeKey: key,
    seconds: loaded.entry.trainingSeconds,
    history: [],
  };
}
