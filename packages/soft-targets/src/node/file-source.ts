import { open, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { KdkitError } from '@kdkit/engine';
import type { ShardBuffer, StoreSource } from '../source.js';

const notFound = (path: string, what: string, error: unknown): KdkitError =>
  (error as NodeJS.ErrnoException).code === 'ENOENT'
    ? new KdkitError('FILE_NOT_FOUND', `fileSource: ${path} does not exist (${what})`, {
        cause: error,
      })
    : new KdkitError(
        'CORRUPT_FILE',
        `fileSource: cannot read ${path}: ${(error as Error).message}`,
        { cause: error },
      );

/**
 * A store folder on disk as a {@link StoreSource}: shards are read with positioned reads of the
 * byte ranges asked for (a row group at a time), never loaded whole.
 *
 * @example
 * const store = await openSoftTargetStore(fileSource('stores/fmnist'));
 */
export function fileSource(dir: string): StoreSource {
  const root = resolve(dir);
  return {
    location: root,
    async readJson(name) {
      const path = join(root, name);
      let text: string;
      try {
        text = await readFile(path, 'utf8');
      } catch (error) {
        throw notFound(path, 'a JSON file of the store', error);
      }
      try {
        return JSON.parse(text) as unknown;
      } catch (error) {
        throw new KdkitError(
          'CONFIG_INVALID',
          `fileSource: ${path} is not valid JSON: ${(error as Error).message}`,
          { cause: error },
        );
      }
    },
    async open(name): Promise<ShardBuffer> {
      const path = join(root, name);
      const handle = await open(path, 'r').catch((error: unknown) => {
        throw notFound(path, 'a shard listed in the manifest', error);
      });
      const { size } = await handle.stat();
      return {
        byteLength: size,
        async slice(start, end = size) {
          const length = Math.max(0, Math.min(end, size) - start);
          const bytes = new Uint8Array(length);
          let done = 0;
          while (done < length) {
            const { bytesRead } = await handle.read(bytes, done, length - done, start + done);
            if (bytesRead === 0) break;
            done += bytesRead;
          }
          return bytes.buffer;
        },
        close: () => handle.close(),
      };
    },
  };
}
