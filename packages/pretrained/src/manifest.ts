import { KdkitError } from '@kdkit/engine';
import { z } from 'zod';

/** The `format` of a manifest this version reads. */
export const PRETRAINED_FORMAT = 'kdkit-pretrained/1';

const sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'a SHA-256 as 64 lowercase hex digits');
const fraction = z.number().min(0).max(1);
const accuracies = z.strictObject({ validation: fraction, test: fraction });

const entrySchema = z.strictObject({
  /** `<model>[-variant].<dataset>` (its recipe's id), also the folder of its files under `weights/`. */
  id: z.string().regex(/^[\w-]+\.[\w-]+$/, "'<model>[-variant].<dataset>'"),
  /** The zoo architecture (@kdkit/models), and the name `pretrained()` takes. */
  model: z.string().min(1),
  dataset: z.string().min(1),
  inputShape: z.tuple([z.int().min(1), z.int().min(1), z.int().min(1)]),
  numClasses: z.int().min(2),
  params: z.int().min(1),
  /** Of the shipped weights (in `dtype`); the test set is read once, after every choice. */
  testAccuracy: fraction,
  validationAccuracy: fraction,
  /** How the weights are stored: float16 where it loses at most 0.05 points on validation. */
  dtype: z.enum(['float32', 'float16']),
  /** Measured accuracy of both precisions, which decided `dtype` (on validation only). */
  precision: z.strictObject({ float32: accuracies, float16: accuracies }),
  recipe: z.strictObject({ path: z.string().min(1), sha256 }),
  /** Wall time of every training epoch, summed over the sessions of a resumed run. */
  trainingSeconds: z.number().min(0),
  commit: z.string().min(1),
  backend: z.string().min(1),
  /** Every file of the teacher, relative to `weights/`: model.json and its weight shards. */
  files: z.array(z.strictObject({ path: z.string().min(1), bytes: z.int().min(0), sha256 })).min(2),
});

const manifestSchema = z.strictObject({
  format: z.literal(PRETRAINED_FORMAT),
  teachers: z.array(entrySchema),
});

/** One shipped teacher, as `manifest.json` records it. */
export type PretrainedEntry = z.infer<typeof entrySchema>;
/** The package's `manifest.json`. */
export type PretrainedManifest = z.infer<typeof manifestSchema>;

/**
 * Checks a parsed `manifest.json` (`file` names it in errors): throws `CORRUPT_FILE` naming the
 * file, the field and what was expected, a duplicate id, or a second teacher for the same model
 * and dataset; returns it typed.
 *
 * @example
 * const manifest = parsePretrainedManifest(await (await fetch(url)).json(), url);
 */
export function parsePretrainedManifest(json: unknown, file: string): PretrainedManifest {
  const parsed = manifestSchema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues
      .slice(0, 5)
      .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
      .join('; ');
    throw new KdkitError(
      'CORRUPT_FILE',
      `parsePretrainedManifest: ${file} is not a kdkit pretrained manifest (${PRETRAINED_FORMAT}): ${issues}`,
    );
  }
  const ids = parsed.data.teachers.map((t) => t.id);
  const twice = ids.find((id, i) => ids.indexOf(id) !== i);
  if (twice !== undefined) {
    throw new KdkitError(
      'CORRUPT_FILE',
      `parsePretrainedManifest: ${file} lists teacher '${twice}' twice`,
    );
  }
  // pretrained(model, dataset) finds one entry: a second one for the same pair would be unreachable.
  const seen = new Map<string, string>();
  for (const { id, model, dataset } of parsed.data.teachers) {
    const other = seen.get(`${model}\0${dataset}`);
    if (other !== undefined) {
      throw new KdkitError(
        'CORRUPT_FILE',
        `parsePretrainedManifest: ${file} lists two teachers for model '${model}' on '${dataset}' ('${other}' and '${id}'); pretrained() looks a teacher up by model and dataset, so each pair may appear once`,
      );
    }
    seen.set(`${model}\0${dataset}`, id);
  }
  return parsed.data;
}
