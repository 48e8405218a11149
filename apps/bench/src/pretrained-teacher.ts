import type { ImageDataset } from '@kdkit/datasets';
import type { LoadedTeacher } from '@kdkit/experiments';
import type { PretrainedEntry } from '@kdkit/pretrained';

/** A pair's teacher named `pretrained:NAME` is a shipped @kdkit/pretrained teacher, not trained here. */
export const PRETRAINED_PREFIX = 'pretrained:';

export const isPretrainedTeacher = (teacher: string): boolean =>
  teacher.startsWith(PRETRAINED_PREFIX);

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
  const entry = findPretrained(
    { format: PRETRAINED_FORMAT, teachers: await listPretrained() },
    teacher.slice(PRETRAINED_PREFIX.length),
    teacherDataset(train),
  );
  return keyOf(entry);
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
  const loaded = await pretrained(teacher.slice(PRETRAINED_PREFIX.length), teacherDataset(train));
  return {
    model: loaded.model,
    fromStore: true,
    path: `${PRETRAINED_PREFIX}${loaded.entry.id}`,
    storeKey: keyOf(loaded.entry),
    seconds: loaded.entry.trainingSeconds,
    history: [],
  };
}
