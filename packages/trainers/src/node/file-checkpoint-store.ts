import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { KdkitError } from '@kdkit/engine';
import { removeStaleTemps, writeFileAtomically } from '@kdkit/engine/node';
import { decodeCheckpoint, encodeCheckpoint } from '../checkpoint-io.js';
import type { CheckpointStore } from '../checkpoint-store.js';

/** The file inside a checkpoint directory. One file, so it is replaced atomically. */
export const CHECKPOINT_FILE = 'checkpoint.kdkc';

/**
 * A {@link CheckpointStore} on disk: `checkpoint.kdkc` in directory `dir` (or the `.kdkc` file
 * itself). A write goes to a temporary sibling, is fsynced, then renamed over the file, so a kill
 * at any moment leaves the old or the new checkpoint, never half of one. Reading a missing file
 * gives undefined; a file that is not a checkpoint throws `CORRUPT_FILE` naming it. The first read
 * or write removes the temporary files a killed run left (those of dead processes, or older than
 * the checkpoint).
 *
 * @example
 * const store = fileCheckpointStore('runs/teacher.checkpoint');
 * await trainSupervised({ ..., callbacks: [checkpoint({ store })], resumeFrom: (await store.read()) ? store : undefined });
 */
export function fileCheckpointStore(dir: string): CheckpointStore & { readonly file: string } {
  const file = dir.endsWith('.kdkc') ? dir : join(dir, CHECKPOINT_FILE);
  let cleaned: Promise<unknown> | undefined;
  const clean = () => {
    cleaned ??= removeStaleTemps(file);
    return cleaned;
  };
  return {
    description: file,
    file,
    async read() {
      await clean();
      let bytes: Uint8Array;
      try {
        bytes = await readFile(file);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'ENOENT') return undefined;
        throw new KdkitError(
          'INVALID_ARGUMENT',
          `fileCheckpointStore: cannot read the checkpoint '${file}' (${code === 'EISDIR' ? 'it is a directory' : code === 'ENOTDIR' ? `'${dir}' is a file, not a checkpoint directory` : (code ?? String(error))}).`,
          { cause: error },
        );
      }
      return decodeCheckpoint(bytes, file);
    },
    async write(data) {
      await clean();
      await writeFileAtomically(file, encodeCheckpoint(data));
    },
  };
}
