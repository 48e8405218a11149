import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import type * as tfl from '@tensorflow/tfjs-layers';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Drops what does not change the computed function (initializers, seeds) and sorts keys. */
function canonical(value: Json): Json {
  if (Array.isArray(value)) return value.map(canonical);
  if (value === null || typeof value !== 'object') return value;
  const out: { [key: string]: Json } = {};
  for (const key of Object.keys(value).sort()) {
    if (key.endsWith('_initializer') || key === 'seed') continue;
    out[key] = canonical(value[key] as Json);
  }
  return out;
}

/**
 * A stable hex SHA-256 of a model's architecture: its topology JSON (`model.toJSON`) with keys
 * sorted and initializers and seeds left out, so two builds of the same architecture and options
 * hash alike whatever their seed, and any change of layer, shape or name changes the hash.
 * Saved in `ModelMeta.architectureHash`.
 *
 * @example
 * architectureHash(createModel('resnet8', { seed: 1 })) === architectureHash(createModel('resnet8', { seed: 2 })); // true
 */
export function architectureHash(model: tfl.LayersModel): string {
  const topology = model.toJSON(null, false) as Json;
  return bytesToHex(sha256(utf8ToBytes(JSON.stringify(canonical(topology)))));
}
