import { join } from 'node:path';
import {
  checkLoadOptions,
  idxFileNames,
  idxPairToDataset,
  type SplitOptions,
} from '../idx-dataset.js';
import type { ImageDataset } from '../types.js';
import { type DataSource, findDataFile, type LocateOptions, locateDataFiles } from './locate.js';
import { readDataFile } from './read-data-file.js';

/** Options of every file-backed loader. */
export interface LoadOptions extends LocateOptions, SplitOptions {}

/** Locates, reads and checks an MNIST-style split. */
export async function loadIdxSplit(
  where: string,
  source: DataSource,
  classNames: readonly string[],
  options: LoadOptions,
): Promise<ImageDataset> {
  checkLoadOptions(where, options);
  const names = idxFileNames(options.split);
  const dir = await locateDataFiles(where, source, [names.images, names.labels], options);
  const imagesPath = findDataFile(dir, names.images) ?? join(dir, names.images);
  const labelsPath = findDataFile(dir, names.labels) ?? join(dir, names.labels);
  const [imageBytes, labelBytes] = await Promise.all([
    readDataFile(imagesPath),
    readDataFile(labelsPath),
  ]);
  return idxPairToDataset(imageBytes, imagesPath, labelBytes, labelsPath, {
    name: `${source.name}/${options.split}`,
    classNames,
    ...(options.limit === undefined ? {} : { limit: options.limit }),
  });
}
