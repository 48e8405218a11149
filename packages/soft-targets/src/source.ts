import { KdkitError } from '@kdkit/engine';
import { type AsyncBuffer, asyncBufferFromUrl } from 'hyparquet';

/** An opened shard: random-access bytes, closed when the reader is done with it. */
export interface ShardBuffer extends AsyncBuffer {
  close?(): Promise<void>;
}

/**
 * Where a store's files live. `./node` has one for a folder on disk (`fileSource`); the root entry
 * has {@link urlSource} (fetch with HTTP range requests). Implement it for anything else
 * (an OPFS directory, a `File` picked in a browser, object storage).
 */
export interface StoreSource {
  /** Shown in errors: the folder or base URL. */
  readonly location: string;
  /** The parsed JSON of `name` (e.g. `manifest.json`). FILE_NOT_FOUND when it is absent. */
  readJson(name: string): Promise<unknown>;
  /** Opens a shard for range reads. FILE_NOT_FOUND when it is absent. */
  open(name: string): Promise<ShardBuffer>;
}

/**
 * A store served over HTTP(S): `base` is the folder's URL; shards are read with range requests,
 * one row group at a time.
 *
 * @example
 * const store = await openSoftTargetStore(urlSource('https://example.org/stores/fmnist-t1/'));
 */
export function urlSource(base: string | URL, init?: RequestInit): StoreSource {
  const root = new URL(base);
  if (!root.pathname.endsWith('/')) root.pathname += '/';
  const url = (name: string) => new URL(name, root).href;
  const missing = (name: string, status: number) =>
    new KdkitError('FILE_NOT_FOUND', `urlSource: ${url(name)} answered HTTP ${status}`);
  return {
    location: root.href,
    async readJson(name) {
      const response = await fetch(url(name), init);
      if (!response.ok) throw missing(name, response.status);
      return response.json();
    },
    async open(name) {
      try {
        return await asyncBufferFromUrl({ url: url(name), ...(init ? { requestInit: init } : {}) });
      } catch (error) {
        throw new KdkitError(
          'FILE_NOT_FOUND',
          `urlSource: cannot open ${url(name)}: ${(error as Error).message}`,
          { cause: error },
        );
      }
    },
  };
}
