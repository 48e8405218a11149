/** One shipped teacher, as listed in pretrained/manifest.json. */
export interface PretrainedTeacher {
  readonly id: string;
  readonly format: 'tfjs' | 'onnx';
  /** Relative to the site root: `pretrained/<id>/model.json` (or the .onnx file). */
  readonly path: string;
  readonly bytes: number;
  /** Zoo architecture, when saved by kdkit's saveModel. */
  readonly model?: string;
  readonly dataset?: string;
  /** Test accuracy recorded when it was trained (on its own dataset's test split). */
  readonly accuracy?: number;
}

export interface PretrainedManifest {
  readonly teachers: readonly PretrainedTeacher[];
}

/** The shipped teachers; none when the site was built before any finished training. */
export async function fetchManifest(base: string = document.baseURI): Promise<PretrainedManifest> {
  const response = await fetch(new URL('pretrained/manifest.json', base));
  if (!response.ok) return { teachers: [] };
  const parsed = (await response.json()) as Partial<PretrainedManifest>;
  return { teachers: Array.isArray(parsed.teachers) ? parsed.teachers : [] };
}
