import { KdkitError } from '@kdkit/engine';

export const MANIFEST_FILE = 'manifest.json';
export const MANIFEST_FORMAT = 'kdkit-soft-targets';

/** One Parquet shard of a store. */
export interface ShardEntry {
  /** File name, relative to the store folder. */
  readonly file: string;
  readonly rows: number;
  readonly bytes: number;
  /** Hex SHA-256 of the file. */
  readonly sha256: string;
  /** Its place in the sharding (`shard` of `of`, from 0), when kdkit wrote it. */
  readonly shard?: number;
  readonly of?: number;
}

/**
 * `manifest.json` of a store (and, with one shard, the sidecar `part-…json` each shard writer
 * leaves beside its Parquet file). Logits are raw, before any temperature.
 */
export interface StoreManifest {
  readonly format: typeof MANIFEST_FORMAT;
  readonly version: 1;
  readonly teacher: { readonly name: string; readonly hash: string };
  /** The dataset the ids index: its name and number of samples. */
  readonly dataset: { readonly name: string; readonly size: number };
  readonly numClasses: number;
  /** Logits kept per row: null = all `numClasses`, else the top k (with an `indices` column). */
  readonly k: number | null;
  readonly shards: readonly ShardEntry[];
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const isCount = (v: unknown, min = 0): v is number =>
  typeof v === 'number' && Number.isInteger(v) && v >= min;

/**
 * Checks parsed JSON against the manifest format; `file` names the source in errors
 * (CONFIG_INVALID, naming the field and what was expected).
 */
export function parseManifest(json: unknown, file: string): StoreManifest {
  const fail = (what: string): never => {
    throw new KdkitError('CONFIG_INVALID', `parseManifest: ${file}: ${what}`);
  };
  if (!isObject(json)) return fail('expected a JSON object');
  if (json['format'] !== MANIFEST_FORMAT || json['version'] !== 1) {
    fail(`expected "format": "${MANIFEST_FORMAT}", "version": 1`);
  }
  const teacher = json['teacher'];
  if (
    !isObject(teacher) ||
    typeof teacher['name'] !== 'string' ||
    typeof teacher['hash'] !== 'string'
  ) {
    fail('expected "teacher": { "name": string, "hash": string }');
  }
  const dataset = json['dataset'];
  if (!isObject(dataset) || typeof dataset['name'] !== 'string' || !isCount(dataset['size'], 1)) {
    fail('expected "dataset": { "name": string, "size": integer ≥ 1 }');
  }
  const numClasses = json['numClasses'];
  if (!isCount(numClasses, 1)) fail('expected "numClasses": integer ≥ 1');
  const k = json['k'];
  if (k !== null && !(isCount(k, 1) && k <= (numClasses as number))) {
    fail(
      `expected "k": null (all logits) or an integer in [1, ${numClasses}], got ${JSON.stringify(k)}`,
    );
  }
  const shards = json['shards'];
  if (!Array.isArray(shards)) return fail('expected "shards": an array');
  shards.forEach((s: unknown, i) => {
    const ok =
      isObject(s) &&
      typeof s['file'] === 'string' &&
      !/(^|[/\\])\.\.([/\\]|$)/.test(s['file']) &&
      isCount(s['rows']) &&
      isCount(s['bytes']) &&
      typeof s['sha256'] === 'string' &&
      /^[0-9a-f]{64}$/.test(s['sha256']);
    if (!ok) fail(`shards[${i}]: expected { "file", "rows", "bytes", "sha256" (64 hex digits) }`);
  });
  return json as unknown as StoreManifest;
}

/** The manifest fields every shard of one store shares (teacher, dataset, classes, k). */
export function storeIdentity(m: StoreManifest): string {
  return JSON.stringify([
    m.teacher.name,
    m.teacher.hash,
    m.dataset.name,
    m.dataset.size,
    m.numClasses,
    m.k,
  ]);
}
