import { relative, resolve } from 'node:path';
import type { ImageDataset } from '@kdkit/datasets';
import { KdkitError } from '@kdkit/engine';
import { checkOutputDir } from '@kdkit/engine/node';
import { CHECKPOINT_FILE } from '@kdkit/trainers/node';

/** A directory the run reads and must never write: a teacher, a saved student. */
export interface ProtectedDir {
  readonly arg: string;
  readonly dir: string;
}

const overlaps = (a: string, b: string): boolean => {
  const ab = relative(a, b);
  const ba = relative(b, a);
  return ab === '' || !ab.startsWith('..') || !ba.startsWith('..');
};

/**
 * The one check of a training command's output paths, before any work: `--out` and the checkpoint
 * directory must not be, contain or lie inside a directory the run reads (`protect`), and both
 * must be writable: not a file, and empty, new, or a previous output of their kind.
 */
export async function checkRunPaths(
  where: string,
  paths: { out: string; checkpointDir: string; protect: readonly ProtectedDir[] },
): Promise<void> {
  const written = [
    { arg: '--out', dir: resolve(paths.out) },
    { arg: '--checkpoint-dir', dir: resolve(paths.checkpointDir) },
  ];
  for (const target of written) {
    for (const source of paths.protect) {
      if (overlaps(target.dir, resolve(source.dir))) {
        throw new KdkitError(
          'INVALID_ARGUMENT',
          `${where}: ${target.arg} '${target.dir}' overlaps ${source.arg} '${resolve(source.dir)}', which this run reads; writing there would overwrite it. Choose another ${target.arg}.`,
        );
      }
    }
  }
  if (overlaps(written[0]?.dir ?? '', written[1]?.dir ?? '')) {
    throw new KdkitError(
      'INVALID_ARGUMENT',
      `${where}: --out '${written[0]?.dir}' and --checkpoint-dir '${written[1]?.dir}' overlap; give them separate directories.`,
    );
  }
  await checkOutputDir({ where, arg: '--out', dir: paths.out, marker: 'model.json' });
  await checkOutputDir({
    where,
    arg: '--checkpoint-dir',
    dir: paths.checkpointDir,
    marker: CHECKPOINT_FILE,
  });
}

/** The train and test splits must fit one model: same image shape and classes, some images. */
export function checkSplits(where: string, train: ImageDataset, test: ImageDataset): void {
  if (train.size === 0) {
    throw new KdkitError(
      'INVALID_ARGUMENT',
      `${where}: the training split of '${train.name}' holds 0 images; there is nothing to train on. Check the data files and --limit.`,
    );
  }
  const same =
    train.shape.length === test.shape.length && train.shape.every((d, i) => d === test.shape[i]);
  if (!same || train.numClasses !== test.numClasses) {
    throw new KdkitError(
      'SHAPE_MISMATCH',
      `${where}: the training images of '${train.name}' are [${train.shape.join(', ')}] with ${train.numClasses} classes, the test images [${test.shape.join(', ')}] with ${test.numClasses}; both splits must match.`,
    );
  }
}
