import { readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { isKdkitError, KdkitError } from '@kdkit/engine';
import {
  MANIFEST_FILE,
  parseManifest,
  type ShardEntry,
  type StoreManifest,
  storeIdentity,
} from '../manifest.js';
import { SoftTargetStore } from '../soft-target-store.js';
import { fileSource } from './file-source.js';
import { sha256File, writeFileAtomic } from './files.js';

const SIDECAR = /^part-(\d{5})-of-(\d{5})\.json$/;

/**
 * Joins the shards written by `writeShard` into the store's `manifest.json`, after checking:
 * every shard 0…N−1 is there (FILE_NOT_FOUND naming the missing shards and the command to run),
 * all share one teacher, dataset and k (CONFIG_INVALID naming the two files), each file has its
 * recorded size and SHA-256 (CORRUPT_FILE naming the file), and the ids cover 0…size−1 exactly
 * once (CORRUPT_FILE naming missing and duplicate ids and their shards). The manifest is
 * written atomically. With no sidecars, re-checks an existing `manifest.json` (hashes and ids),
 * e.g. one written by another tool.
 *
 * @example
 * const manifest = await mergeStore('stores/fmnist'); // after all `writeShard` runs
 */
export async function mergeStore(dir: string): Promise<StoreManifest> {
  const where = 'mergeStore';
  const root = resolve(dir);
  const source = fileSource(root);
  const names = await readdir(root).catch((error: unknown) => {
    throw new KdkitError(
      'FILE_NOT_FOUND',
      `${where}: cannot read the store folder ${root}: ${(error as Error).message}`,
      { cause: error },
    );
  });
  const sidecars = names.filter((n) => SIDECAR.test(n)).sort();
  let manifest: StoreManifest;
  if (sidecars.length === 0) {
    try {
      manifest = parseManifest(await source.readJson(MANIFEST_FILE), join(root, MANIFEST_FILE));
    } catch (error) {
      if (!isKdkitError(error, 'FILE_NOT_FOUND')) throw error;
      throw new KdkitError(
        'FILE_NOT_FOUND',
        `${where}: ${root} holds no shards (part-*.json) and no ${MANIFEST_FILE}; write shards first with 'kdkit soft-targets --shard I/N --out ${dir}'`,
      );
    }
  } else {
    manifest = await joinSidecars(root, sidecars);
  }
  for (const entry of manifest.shards) await checkFile(root, entry);
  const store = new SoftTargetStore(source, manifest);
  await store.checkDataset({ size: manifest.dataset.size, numClasses: manifest.numClasses });
  if (sidecars.length > 0) {
    await writeFileAtomic(join(root, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
  }
  return manifest;
}

async function joinSidecars(root: string, sidecars: readonly string[]): Promise<StoreManifest> {
  const where = 'mergeStore';
  const parts = await Promise.all(
    sidecars.map(async (name) => ({
      name,
      manifest: parseManifest(await fileSource(root).readJson(name), join(root, name)),
    })),
  );
  const first = parts[0] as (typeof parts)[number];
  for (const part of parts) {
    if (storeIdentity(part.manifest) !== storeIdentity(first.manifest)) {
      throw new KdkitError(
        'CONFIG_INVALID',
        `${where}: ${join(root, part.name)} and ${join(root, first.name)} describe different stores (teacher, dataset, classes or k differ): ${storeIdentity(part.manifest)} vs ${storeIdentity(first.manifest)}`,
      );
    }
  }
  const shards = parts.map((p) => p.manifest.shards[0] as ShardEntry);
  const counts = new Set(shards.map((s) => s.of));
  const of = shards[0]?.of ?? 0;
  if (counts.size !== 1) {
    throw new KdkitError(
      'CONFIG_INVALID',
      `${where}: ${root} mixes shardings (${[...counts].map((n) => `of ${n}`).join(', ')}); keep one N per store`,
    );
  }
  const have = new Set(shards.map((s) => s.shard));
  const missing = Array.from({ length: of }, (_, i) => i).filter((i) => !have.has(i));
  if (missing.length > 0) {
    throw new KdkitError(
      'FILE_NOT_FOUND',
      `${where}: ${root} lacks ${missing.length} of ${of} shards: ${missing.slice(0, 20).join(', ')}${missing.length > 20 ? ', …' : ''}. Run 'kdkit soft-targets --shard I/${of} --out ${root}' for each (finished shards are skipped)`,
    );
  }
  const { shards: _, ...header } = first.manifest;
  return { ...header, shards: [...shards].sort((a, b) => (a.shard ?? 0) - (b.shard ?? 0)) };
}

async function checkFile(root: string, entry: ShardEntry): Promise<void> {
  const path = join(root, entry.file);
  const info = await stat(path).catch((error: unknown) => {
    throw new KdkitError('FILE_NOT_FOUND', `mergeStore: shard ${path} is missing`, {
      cause: error,
    });
  });
  const hash = info.size === entry.bytes ? await sha256File(path) : undefined;
  if (hash !== entry.sha256) {
    throw new KdkitError(
      'CORRUPT_FILE',
      `mergeStore: shard ${path} ${hash === undefined ? `is ${info.size} bytes, expected ${entry.bytes}` : `has SHA-256 ${hash.slice(0, 16)}…, expected ${entry.sha256.slice(0, 16)}…`}: it was truncated or changed after it was written. Delete it and write the shard again`,
    );
  }
}
