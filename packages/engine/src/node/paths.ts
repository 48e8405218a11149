import { constants } from 'node:fs';
import { access, lstat, mkdir, open, readdir, realpath, rm, stat } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { KdkitError } from '../errors.js';

/** What a failed file-system call says: its code, else its message. */
const reasonOf = (error: unknown): string =>
  (error as NodeJS.ErrnoException).code ?? (error instanceof Error ? error.message : String(error));

const inside = (folder: string, path: string): boolean => {
  const rel = relative(folder, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
};

/**
 * Resolves `path`, read from `source` (a model.json, a checkpoint, a manifest), inside `folder`,
 * and refuses anything that could leave it: an absolute path, a drive or UNC prefix, a `..`
 * segment, a NUL byte, or a symlink whose target lies outside `folder`. A path that does not
 * exist yet is returned as is (reading it then fails with the caller's own message).
 *
 * @throws KdkitError CORRUPT_FILE naming `where`, `source` and the refused path.
 * @example
 * const shard = await confinedPath('loadModel', dir, 'group1-shard1of1.bin', `${dir}/model.json`);
 */
export async function confinedPath(
  where: string,
  folder: string,
  path: unknown,
  source: string,
): Promise<string> {
  const refuse = (why: string): never => {
    throw new KdkitError(
      'CORRUPT_FILE',
      `${where}: '${source}' lists the path ${JSON.stringify(path)}, which ${why}; every path it lists must be a plain relative path inside ${folder}.`,
    );
  };
  if (typeof path !== 'string' || path === '') return refuse('is not a non-empty string');
  if (path.includes('\0')) refuse('holds a NUL byte');
  if (isAbsolute(path) || /^[a-zA-Z]:/.test(path) || /^[\\/]/.test(path)) refuse('is absolute');
  if (path.split(/[\\/]/).includes('..')) refuse("has a '..' segment");
  const base = resolve(folder);
  const full = resolve(base, path);
  if (!inside(base, full)) refuse('leaves the folder');
  let real: string;
  try {
    real = await realpath(full);
  } catch {
    return full; // missing: the caller reports it
  }
  const realBase = await realpath(base).catch(() => base);
  if (!inside(realBase, real)) refuse(`is a symlink to ${real}, outside the folder`);
  return full;
}

/**
 * Creates directory `dir` and its missing parents, one level at a time (never a recursive
 * `mkdir`, which can loop forever on special file systems such as /proc). The walk is bounded by
 * the depth of the path.
 *
 * @throws KdkitError INVALID_ARGUMENT naming `arg` and the path that could not be created.
 */
export async function makeDirectory(where: string, arg: string, dir: string): Promise<string> {
  const target = resolve(dir);
  const missing: string[] = [];
  let current = target;
  for (let depth = 0; depth < 4096; depth++) {
    const info = await stat(current).catch((error: NodeJS.ErrnoException) =>
      error.code === 'ENOENT' || error.code === 'ENOTDIR' ? undefined : error,
    );
    if (info instanceof Error) {
      throw new KdkitError(
        'INVALID_ARGUMENT',
        `${where}: ${arg} '${dir}': cannot inspect '${current}' (${reasonOf(info)}).`,
        { cause: info },
      );
    }
    if (info !== undefined) {
      if (!info.isDirectory()) {
        throw new KdkitError(
          'INVALID_ARGUMENT',
          `${where}: ${arg} '${dir}': '${current}' is a file, not a directory.`,
        );
      }
      break;
    }
    missing.unshift(current);
    const parent = dirname(current);
    if (parent === current) break;
    current = parent;
  }
  for (const path of missing) {
    try {
      await mkdir(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST' && (await isDirectory(path))) continue;
      throw new KdkitError(
        'INVALID_ARGUMENT',
        `${where}: ${arg} '${dir}': cannot create directory '${path}' (${reasonOf(error)}). Choose a writable location.`,
        { cause: error },
      );
    }
  }
  return target;
}

const isDirectory = async (path: string): Promise<boolean> =>
  (await stat(path).catch(() => undefined))?.isDirectory() === true;

export interface OutputDirCheck {
  /** The function or command, for messages. */
  readonly where: string;
  /** The argument that named the directory (`--out`), for messages. */
  readonly arg: string;
  readonly dir: string;
  /**
   * A file whose presence marks a previous output of the same kind (`model.json`): a non-empty
   * directory without it is refused. Omit to accept any existing directory.
   */
  readonly marker?: string;
}

/**
 * Checks, before any work, that `dir` can be written as an output directory: it is not a file, it
 * is missing, empty or holds `marker`, and its parent can be created and written (a probe file is
 * created and removed there). Returns the resolved path.
 *
 * @throws KdkitError INVALID_ARGUMENT naming `arg`, the path and what is wrong.
 * @example
 * await checkOutputDir({ where: 'kdkit train', arg: '--out', dir: 'runs/t', marker: 'model.json' });
 */
export async function checkOutputDir(check: OutputDirCheck): Promise<string> {
  const { where, arg, dir, marker } = check;
  const target = resolve(dir);
  const info = await lstat(target).catch(() => undefined);
  if (info !== undefined) {
    if (!info.isDirectory()) {
      throw new KdkitError(
        'INVALID_ARGUMENT',
        `${where}: ${arg} '${dir}' exists and is not a directory; give a new or empty directory.`,
      );
    }
    const entries = await readdir(target).catch((error: unknown) => {
      throw new KdkitError(
        'INVALID_ARGUMENT',
        `${where}: ${arg} '${dir}' cannot be read (${reasonOf(error)}).`,
        { cause: error },
      );
    });
    if (marker !== undefined && entries.length > 0 && !entries.includes(marker)) {
      throw new KdkitError(
        'INVALID_ARGUMENT',
        `${where}: ${arg} '${dir}' is a non-empty directory without ${marker} (not a previous kdkit output); refusing to replace it. Choose an empty or new directory.`,
      );
    }
  }
  const parent = await makeDirectory(where, arg, dirname(target));
  await probeWritable(where, arg, dir, info?.isDirectory() ? target : parent);
  return target;
}

async function probeWritable(where: string, arg: string, dir: string, folder: string) {
  const probe = join(folder, `.kdkit-probe-${process.pid}`);
  try {
    await access(folder, constants.W_OK);
    const handle = await open(probe, 'w');
    await handle.close();
    await rm(probe, { force: true });
  } catch (error) {
    throw new KdkitError(
      'INVALID_ARGUMENT',
      `${where}: ${arg} '${dir}' is not writable: cannot create a file in '${folder}' (${reasonOf(error)}).`,
      { cause: error },
    );
  }
}

/** True when process `pid` is alive (or exists but belongs to someone else). */
function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes the temporary siblings (`.<name>.tmp-<pid>-<hex>`) that an atomic write of `target` left
 * behind when its process was killed: those of dead processes, and those older than `target`
 * itself. The current process's own temporaries are kept. Returns the paths removed.
 */
export async function removeStaleTemps(target: string): Promise<string[]> {
  const full = resolve(target);
  const folder = dirname(full);
  const prefix = `.${basename(full)}.tmp-`;
  const entries = await readdir(folder).catch(() => [] as string[]);
  const targetTime = (await stat(full).catch(() => undefined))?.mtimeMs;
  const removed: string[] = [];
  for (const entry of entries) {
    if (!entry.startsWith(prefix)) continue;
    const pid = Number(/^(\d+)-/.exec(entry.slice(prefix.length))?.[1]);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    const path = join(folder, entry);
    const time = (await lstat(path).catch(() => undefined))?.mtimeMs;
    const older = targetTime !== undefined && time !== undefined && time < targetTime;
    if (!pidAlive(pid) || older) {
      await rm(path, { recursive: true, force: true });
      removed.push(path);
    }
  }
  return removed;
}
