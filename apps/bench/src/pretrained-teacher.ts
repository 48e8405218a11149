import type { ImageDataset } from '@kdkit/datasets';
import type { LoadedTeacher } from '@kdkit/experiments';

/** A pair's teacher named `pretrained:NAME` is a shipped @kdkit/pretrained teacher, not trained here. */
export const PRETRAINED_PREFIX = 'pretrained:';

export const isPretrainedTeacher = (teacher: string): boolean =>
  teacher.startsWith(PRETRAINED_PREFIX);

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
  const name = teacher.slice(PRETRAINED_PREFIX.length);
  // 'fashion-mnist-mini/train' → 'fashion-mnist': the set the teacher was trained on.
  const dataset = (train.name.split('/')[0] ?? train.name).replace(/-mini$/, '');
  const loaded = await pretrained(name, dataset);
  const modelJson = loaded.entry.files.find((f) => f.path === `${loaded.entry.id}/model.json`);
  return {
    model: loaded.model,
    fromStore: true,
    path: `${PRETRAINED_PREFIX}${loaded.entry.id}`,
    storeKey: (modelJson?.sha256 ?? loaded.entry.commit).slice(0, 16),
    seconds: loaded.entry.trainingSeconds,
    history: [],
  };
}
