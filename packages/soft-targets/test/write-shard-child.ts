// Child process of parallel.test.ts: writes one shard of the fixture store with the real writer.
// Usage: write-shard-child.ts <out> <shard> <of>
import '@tensorflow/tfjs-backend-cpu';
import { layersTeacher } from '@kdkit/trainers';
import * as tf from '@tensorflow/tfjs-core';
import { writeShard } from '../src/node/write-shard.js';
import { PARALLEL_FIXTURE, randomDataset, tinyModel } from './fixtures.js';

const [out, shard, of] = process.argv.slice(2);
await tf.setBackend('cpu');
const { size, dataSeed, modelSeed, batchSize, rowGroupSize } = PARALLEL_FIXTURE;
const model = tinyModel(modelSeed);
const result = await writeShard({
  teacher: layersTeacher(model, { name: 'tiny' }),
  teacherHash: 'fixture',
  dataset: randomDataset(size, dataSeed),
  shard: Number(shard),
  of: Number(of),
  out: out as string,
  batchSize,
  rowGroupSize,
});
process.stdout.write(`${JSON.stringify(result)}\n`);
