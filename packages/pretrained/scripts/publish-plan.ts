import { KdkitError } from '@kdkit/engine';
import type { PretrainedEntry, PretrainedManifest } from '../src/manifest.js';

/** What publish-teacher is about to publish: the recipe's id, model and dataset. */
export interface PublishTarget {
  readonly id: string;
  readonly model: string;
  readonly dataset: string;
}

/**
 * The shipped teacher that publishing `target` replaces: another id of the same model and
 * dataset (an older recipe), or undefined. Without `replace` such a teacher is refused, since
 * `pretrained(model, dataset)` finds one teacher per pair.
 */
export function teacherToReplace(
  manifest: PretrainedManifest,
  target: PublishTarget,
  replace: boolean,
): PretrainedEntry | undefined {
  const replaced = manifest.teachers.find(
    (t) => t.id !== target.id && t.model === target.model && t.dataset === target.dataset,
  );
  if (replaced && !replace) {
    throw new KdkitError(
      'INVALID_ARGUMENT',
      `publish-teacher: manifest.json already ships '${replaced.id}' for model '${target.model}' on '${target.dataset}' (test ${(100 * replaced.testAccuracy).toFixed(2)}%); pass --replace to publish '${target.id}' in its place (its entry and weights/${replaced.id}/ are removed; its recipe and training log stay)`,
    );
  }
  return replaced;
}

/** The manifest's teachers once `entry` is published: its old entry and `replaced` gone, by id. */
export function teachersAfterPublish(
  manifest: PretrainedManifest,
  entry: PretrainedEntry,
  replaced: PretrainedEntry | undefined,
): PretrainedEntry[] {
  return [
    ...manifest.teachers.filter((t) => t.id !== entry.id && t.id !== replaced?.id),
    entry,
  ].sort((a, b) => a.id.localeCompare(b.id));
}
