import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { KdkitError } from '../errors.js';
import { makeDirectory } from './paths.js';

/** What a file holds: UTF-8 text, bytes, or byte chunks written one after another. */
export type FileData = string | Uint8Array | readonly Uint8Array[];

/** A file to write: its name inside the directory and its content. */
export interface DirFile {
  readonly name: string;
  readonly data: FileData;
}

async function writeDurably(path: string, data: FileData): Promise<void> {
  const handle = await open(path, 'w');
  try {
    if (typeof data === 'string' || data instanceof Uint8Array) await handle.writeFile(data);
    else for (const chunk of data) await handle.write(chunk);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

const uniqueSuffix = (): string => `${process.pid}-${randomBytes(4).toString('hex')}`;

/**
 * Writes `data` to `path` atomically: to a temporary sibling, fsync, then rename over `path`
 * (creating the parent directory). A crash at any moment leaves the old file or the new one,
 * never half of one; the temporary file is removed when the write fails.
 *
 * @example
 * await writeFileAtomically('runs/a/checkpoint.kdkc', [header, weights]);
 */
export async function writeFileAtomically(path: string, data: FileData): Promise<void> {
  const target = resolve(path);
  await makeDirectory('writeFileAtomically', 'path', dirname(target));
  const temp = join(dirname(target), `.${basename(target)}.tmp-${uniqueSuffix()}`);
  try {
    await writeDurably(temp, data);
    await rename(temp, target);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  await syncDir(dirname(target));
}

async function syncDir(path: string): Promise<void> {
  try {
    const handle = await open(path, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Some filesystems refuse to fsync a directory; the renames are still atomic.
  }
}

async function existingEntries(where: string, dir: string): Promise<string[] | undefined> {
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(dir);
  } catch {
    return undefined;
  }
  if (!info.isDirectory()) {
    throw new KdkitError(
      'INVALID_ARGUMENT',
      `${where}: '${dir}' exists and is not a directory; expected a model directory or a new path.`,
    );
  }
  return readdir(dir);
}

/**
 * Writes `files` as the whole content of directory `dir`, atomically: everything is written and
 * fsynced in a temporary sibling directory, then renamed into place. An existing `dir` is renamed
 * aside first and removed only after the new one is in place, so a crash leaves either the old
 * directory, the new one, or the old one under a `.<name>.old-*` sibling, never a half-written one.
 * A non-empty existing directory without `marker` is refused rather than replaced.
 */
export async function writeDirAtomically(
  where: string,
  dir: string,
  files: readonly DirFile[],
  marker: string,
): Promise<void> {
  const target = resolve(dir);
  const parent = dirname(target);
  const base = basename(target);
  const existing = await existingEntries(where, target);
  if (existing && existing.length > 0 && !existing.includes(marker)) {
    throw new KdkitError(
      'INVALID_ARGUMENT',
      `${where}: '${dir}' is a non-empty directory without ${marker}; refusing to replace it. Choose an empty or new directory.`,
    );
  }
  await makeDirectory(where, 'dir', parent);
  const suffix = uniqueSuffix();
  const temp = join(parent, `.${base}.tmp-${suffix}`);
  const old = join(parent, `.${base}.old-${suffix}`);
  await mkdir(temp);
  try {
    for (const file of files) await writeDurably(join(temp, file.name), file.data);
    await syncDir(temp);
    if (existing) await rename(target, old);
    try {
      await rename(temp, target);
    } catch (error) {
      if (existing) await rename(old, target);
      throw error;
    }
    await syncDir(parent);
  } catch (error) {
    await rm(temp, { recursive: true, force: true });
    if (error instanceof KdkitError) throw error;
    throw new KdkitError(
      'INVALID_ARGUMENT',
      `${where}: could not write '${dir}' (${error instanceof Error ? error.message : String(error)}).`,
      { cause: error },
    );
  }
  if (existing) await rm(old, { recursive: true, force: true });
}
