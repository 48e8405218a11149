import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sha256Hex } from '../sha256.js';

/**
 * The manifest's `files` for the teacher in `weightsDir/<id>/`: every file in it (model.json and
 * its shards), by path relative to `weightsDir`, with byte size and SHA-256. For publishing.
 */
export async function weightFileEntries(
  weightsDir: string,
  id: string,
): Promise<{ path: string; bytes: number; sha256: string }[]> {
  const names = (await readdir(join(weightsDir, id))).filter((n) => !n.startsWith('.')).sort();
  return Promise.all(
    names.map(async (name) => {
      const bytes = new Uint8Array(await readFile(join(weightsDir, id, name)));
      return { path: `${id}/${name}`, bytes: bytes.byteLength, sha256: await sha256Hex(bytes) };
    }),
  );
}
