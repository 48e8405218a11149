export {
  checkOutputDir,
  confinedPath,
  makeDirectory,
  type OutputDirCheck,
  removeStaleTemps,
} from './paths.js';
export {
  type DirFile,
  type FileData,
  writeDirAtomically,
  writeFileAtomically,
} from './write-atomically.js';
