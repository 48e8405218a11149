export { COLUMNS, shardSchema, TOP_K_FILL } from './columns.js';
export {
  MANIFEST_FILE,
  MANIFEST_FORMAT,
  parseManifest,
  type ShardEntry,
  type StoreManifest,
} from './manifest.js';
export { type ReadShardOptions, type RowGroupChunk, readShard } from './read-shard.js';
export { parseShardSpec, type ShardSpec, shardBaseName, shardRange } from './shard-range.js';
export { type LogitRows, ShardWriter, type ShardWriterOptions } from './shard-writer.js';
export {
  type CacheLike,
  type DatasetShape,
  openSoftTargetStore,
  SoftTargetStore,
  type SoftTargetStoreOptions,
} from './soft-target-store.js';
export { type ShardBuffer, type StoreSource, urlSource } from './source.js';
export { type StoreTeacher, storeTeacher } from './store-teacher.js';
export { type LogitsTeacher, teacherLogits } from './teacher-logits.js';
export { expandTopK, topKRows } from './top-k.js';
