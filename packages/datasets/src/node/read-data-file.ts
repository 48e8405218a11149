import { readFile } from 'node:fs/promises';
import { KdkitError } from '@kdkit/engine';

/**
 * Reads a data file, turning a file-system failure into a KdkitError that names the path: a
 * directory where a file was expected, a missing file, a permission problem.
 */
export async function readDataFile(path: string): Promise<Uint8Array> {
  try {
    return await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === 'EISDIR'
        ? 'it is a directory, not a data file'
        : code === 'ENOENT'
          ? 'it does not exist'
          : code === 'EACCES' || code === 'EPERM'
            ? 'permission denied'
            : (code ?? String(error));
    throw new KdkitError(
      code === 'ENOENT' ? 'FILE_NOT_FOUND' : 'DATA_UNAVAILABLE',
      `readDataFile: cannot read '${path}': ${why}.`,
      { cause: error },
    );
  }
}
