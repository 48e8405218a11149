import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { KdkitError } from '@kdkit/engine';

/**
 * Imports the user's loss modules so their `registerLoss` calls run. Each entry is a file path
 * (relative to the working directory, or absolute): a bare package name is never resolved, so
 * only the file the user pointed at is ever loaded.
 */
export async function loadLossModules(
  paths: string | readonly string[] | undefined,
): Promise<string[]> {
  const list = paths === undefined ? [] : typeof paths === 'string' ? [paths] : [...paths];
  const loaded: string[] = [];
  for (const path of list) {
    const file = resolve(path);
    const info = await stat(file).catch(() => undefined);
    if (!info?.isFile()) {
      throw new KdkitError(
        'FILE_NOT_FOUND',
        `--loss-module: no file at '${path}' (resolved to ${file}). Give the path of an .mjs/.js module that calls registerLoss from '@kdkit/losses', e.g. --loss-module ./my-loss.mjs.`,
      );
    }
    try {
      await import(pathToFileURL(file).href);
    } catch (error) {
      if (error instanceof KdkitError) throw error;
      const reason = error instanceof Error ? error.message : String(error);
      throw new KdkitError(
        'INVALID_ARGUMENT',
        `--loss-module: loading '${path}' failed: ${reason}`,
        {
          cause: error,
        },
      );
    }
    loaded.push(file);
  }
  return loaded;
}
