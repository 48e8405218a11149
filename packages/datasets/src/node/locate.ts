import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { isKdkitError, KdkitError } from '@kdkit/engine';
import { writeFileAtomically } from '@kdkit/engine/node';
import { readTar } from '../tar.js';
import { type FetchLike, fetchVerified } from './download.js';

/** Where a dataset's files come from, and how to get them. */
export interface DataSource {
  /** Directory name under every search root, e.g. 'fashion-mnist'. */
  readonly name: string;
  /** Human name for messages, e.g. 'Fashion-MNIST'. */
  readonly title: string;
  /** Debian/Ubuntu package that installs the files into /usr/share/datasets/<name>. */
  readonly aptPackage?: string;
  readonly download:
    | {
        readonly kind: 'files';
        /** Mirrors, tried in order; a file's URL is base + file name. */
        readonly baseUrls: readonly string[];
        /** SHA-256 of each downloadable file. */
        readonly sha256: Readonly<Record<string, string>>;
      }
    | {
        readonly kind: 'tar.gz';
        readonly urls: readonly string[];
        readonly sha256: string;
        /** Path inside the archive of each local file name. */
        readonly members: Readonly<Record<string, string>>;
      };
}

/** Where to look for (and download) dataset files. */
export interface LocateOptions {
  /** Look only here: every file must be present. */
  readonly dir?: string;
  /** Per-user cache root. Default `$XDG_CACHE_HOME/kdkit` or `~/.cache/kdkit`. */
  readonly cacheDir?: string;
  /** Download missing files into the cache. Default true. */
  readonly download?: boolean;
  /** Replaces the global `fetch` (tests, proxies). */
  readonly fetch?: FetchLike;
  /** System data root. Default `/usr/share/datasets`. */
  readonly systemDir?: string;
  /** Environment to read `KDKIT_DATA_DIR` and `XDG_CACHE_HOME` from. Default `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/**
 * The path of `file` in `dir`, accepting an unzipped copy for a `.gz` name
 * (`train-images-idx3-ubyte` for `train-images-idx3-ubyte.gz`); undefined when neither exists.
 */
export function findDataFile(dir: string, file: string): string | undefined {
  const candidates = file.endsWith('.gz') ? [file, file.slice(0, -3)] : [file];
  return candidates.map((name) => join(dir, name)).find((path) => existsSync(path));
}

const hasAll = (dir: string, files: readonly string[]): boolean =>
  files.every((f) => findDataFile(dir, f) !== undefined);

function defaultCacheRoot(env: Readonly<Record<string, string | undefined>>): string {
  const xdg = env['XDG_CACHE_HOME'];
  return join(xdg !== undefined && xdg !== '' ? xdg : join(homedir(), '.cache'), 'kdkit');
}

/**
 * Finds the directory that holds all of `files` for `source` (a `.gz` file may be present
 * unzipped instead; see {@link findDataFile}), in this order: `dir`;
 * `$KDKIT_DATA_DIR/<name>`; `/usr/share/datasets/<name>` (Debian); the per-user cache
 * `~/.cache/kdkit/<name>`, downloading missing files into it from the official location and
 * checking each one's SHA-256 before it is written (atomically). With no copy and no network,
 * throws `DATA_UNAVAILABLE` saying how to get the data.
 */
export async function locateDataFiles(
  where: string,
  source: DataSource,
  files: readonly string[],
  options: LocateOptions = {},
): Promise<string> {
  if (options.dir !== undefined) {
    const missing = files.filter((f) => findDataFile(options.dir as string, f) === undefined);
    if (missing.length > 0) {
      throw new KdkitError(
        'FILE_NOT_FOUND',
        `${where}: 'dir' ${options.dir} lacks ${missing.join(', ')} (${source.title} needs ${files.join(', ')}).`,
      );
    }
    return options.dir;
  }
  const env = options.env ?? process.env;
  const looked: string[] = [];
  const envRoot = env['KDKIT_DATA_DIR'];
  if (envRoot !== undefined && envRoot !== '') {
    const candidate = join(envRoot, source.name);
    if (hasAll(candidate, files)) return candidate;
    looked.push(`${candidate} ($KDKIT_DATA_DIR)`);
  } else {
    looked.push('$KDKIT_DATA_DIR (unset)');
  }
  const system = join(options.systemDir ?? '/usr/share/datasets', source.name);
  if (hasAll(system, files)) return system;
  looked.push(system);
  const cache = join(options.cacheDir ?? defaultCacheRoot(env), source.name);
  if (hasAll(cache, files)) return cache;
  looked.push(cache);

  let downloadProblem = 'download disabled';
  if (options.download !== false) {
    const fetchFn = options.fetch ?? (globalThis.fetch as FetchLike | undefined);
    if (fetchFn === undefined) {
      downloadProblem = 'no fetch available';
    } else {
      try {
        await downloadInto(cache, source, files, fetchFn);
        return cache;
      } catch (error) {
        if (!isKdkitError(error)) throw error;
        downloadProblem = error.message;
      }
    }
  }
  throw new KdkitError(
    'DATA_UNAVAILABLE',
    `${where}: ${source.title} files (${files.join(', ')}) not found. Looked in ${looked.join(', ')}; ${downloadProblem}. ${howToGet(source, files)}`,
  );
}

function howToGet(source: DataSource, files: readonly string[]): string {
  const apt =
    source.aptPackage === undefined
      ? ''
      : `On Debian/Ubuntu: 'sudo apt-get install ${source.aptPackage}'. Otherwise: `;
  const from =
    source.download.kind === 'files'
      ? `download ${files.join(', ')} from ${source.download.baseUrls[0]}`
      : `download ${source.download.urls[0]} and extract ${files.join(', ')}`;
  return `To get it: ${apt}${from} into a directory and pass { dir: '<that directory>' } (or set KDKIT_DATA_DIR=<root> with the files in <root>/${source.name}/).`;
}

async function downloadInto(
  cache: string,
  source: DataSource,
  files: readonly string[],
  fetchFn: FetchLike,
): Promise<void> {
  const missing = files.filter((f) => findDataFile(cache, f) === undefined);
  const spec = source.download;
  if (spec.kind === 'files') {
    for (const file of missing) {
      const sha = spec.sha256[file];
      if (sha === undefined) {
        throw new KdkitError('DATA_UNAVAILABLE', `no download is known for ${file}`);
      }
      const bytes = await fetchVerified(
        spec.baseUrls.map((base) => base + file),
        sha,
        fetchFn,
      );
      await writeFileAtomically(join(cache, file), bytes);
    }
    return;
  }
  const archive = await fetchVerified(spec.urls, spec.sha256, fetchFn);
  const url = spec.urls[0] ?? 'archive';
  let members: Map<string, Uint8Array>;
  try {
    members = readTar(gunzipSync(archive), url);
  } catch (error) {
    if (isKdkitError(error)) throw error;
    throw new KdkitError('DATA_UNAVAILABLE', `${url} is not a valid .tar.gz`, { cause: error });
  }
  for (const file of missing) {
    const inside = spec.members[file] ?? file;
    const bytes = members.get(inside);
    if (bytes === undefined) {
      throw new KdkitError('DATA_UNAVAILABLE', `${url} has no member ${inside}`);
    }
    await writeFileAtomically(join(cache, file), bytes);
  }
}
