import { KdkitError } from '@kdkit/engine';
import { gunzipSync } from 'fflate';

/** A parsed IDX file: unsigned-byte data with its dimensions. */
export interface IdxData {
  readonly dims: readonly number[];
  readonly data: Uint8Array;
}

const IDX_DTYPES: Record<number, string> = {
  8: 'unsigned byte',
  9: 'signed byte',
  11: 'int16',
  12: 'int32',
  13: 'float32',
  14: 'float64',
};

/** Largest decompressed file accepted (guards against gzip bombs): 1 GiB. */
const MAX_DECOMPRESSED_BYTES = 1 << 30;

/** True when `bytes` starts with the gzip magic number 1f 8b. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * Gunzips `bytes` when they start with the gzip magic, else returns them unchanged.
 * A corrupt or truncated stream throws `CORRUPT_FILE` naming `file`.
 */
export function maybeGunzip(bytes: Uint8Array, file: string): Uint8Array {
  if (!isGzip(bytes)) return bytes;
  try {
    // The trailer's size field (ISIZE) sizes the output buffer: cap it, then check it was filled.
    if (bytes.length < 18) throw new Error('shorter than a gzip header and trailer');
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const size = view.getUint32(bytes.length - 4, true);
    if (size > MAX_DECOMPRESSED_BYTES) {
      throw new Error(
        `declares ${size} decompressed bytes, more than the ${MAX_DECOMPRESSED_BYTES} accepted`,
      );
    }
    const out = gunzipSync(bytes, { out: new Uint8Array(size) });
    if (out.length !== size)
      throw new Error(`inflated to ${out.length} bytes, trailer says ${size}`);
    return out;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new KdkitError(
      'CORRUPT_FILE',
      `readIdx: '${file}' is not a valid gzip stream (${reason}). Delete it and fetch it again.`,
      { cause: error },
    );
  }
}

/**
 * Parses an IDX file (the MNIST format), gzipped or raw (detected by the gzip magic 1f 8b).
 *
 * Header: two zero bytes, a dtype byte (only 0x08, unsigned byte, is accepted), the number of
 * dimensions `d`, then `d` big-endian uint32 sizes; the payload must hold exactly
 * `∏ sizes` bytes. Anything else throws `CORRUPT_FILE` naming `file` and what was wrong:
 * the result is never partial.
 *
 * @param bytes the file's bytes.
 * @param file the file's name or path, for error messages.
 * @param expectedRank when given, the number of dimensions the file must have.
 * @example
 * const { dims, data } = parseIdx(readFileSync(path), path, 3); // dims = [60000, 28, 28]
 */
export function parseIdx(bytes: Uint8Array, file: string, expectedRank?: number): IdxData {
  const raw = maybeGunzip(bytes, file);
  const fail = (what: string): never => {
    throw new KdkitError('CORRUPT_FILE', `readIdx: '${file}' ${what}`);
  };
  if (raw.length < 4) fail(`is too short for an IDX header (${raw.length} bytes, need ≥ 4).`);
  if (raw[0] !== 0 || raw[1] !== 0) {
    const magic = Array.from(raw.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join(' ');
    fail(`has a bad magic number (${magic}): an IDX file starts with 00 00 <dtype> <rank>.`);
  }
  const dtype = raw[2] as number;
  if (dtype !== 0x08) {
    const known = IDX_DTYPES[dtype];
    const got = known === undefined ? 'an unknown dtype' : known;
    fail(
      `has dtype 0x${dtype.toString(16).padStart(2, '0')} (${got}); expected 0x08 (unsigned byte).`,
    );
  }
  const rank = raw[3] as number;
  if (rank === 0) fail('declares 0 dimensions.');
  if (expectedRank !== undefined && rank !== expectedRank) {
    fail(`has ${rank} dimensions; expected ${expectedRank}.`);
  }
  const headerLength = 4 + 4 * rank;
  if (raw.length < headerLength) {
    fail(`is truncated inside its header (${raw.length} bytes, header needs ${headerLength}).`);
  }
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const dims: number[] = [];
  let expectedBytes = 1;
  for (let i = 0; i < rank; i++) {
    const size = view.getUint32(4 + 4 * i, false);
    dims.push(size);
    expectedBytes *= size;
  }
  const payload = raw.length - headerLength;
  if (payload < expectedBytes) {
    fail(
      `is truncated: its header [${dims.join(', ')}] needs ${expectedBytes} data bytes, found ${payload}.`,
    );
  }
  if (payload > expectedBytes) {
    fail(
      `has ${payload - expectedBytes} bytes beyond what its header [${dims.join(', ')}] declares (wrong count or corrupt file).`,
    );
  }
  return { dims, data: raw.subarray(headerLength) };
}

/**
 * Encodes unsigned bytes as an IDX file (raw, not gzipped). The inverse of {@link parseIdx}.
 *
 * @example
 * const bytes = encodeIdx(new Uint8Array([1, 2, 3]), [3]);
 */
export function encodeIdx(data: Uint8Array, dims: readonly number[]): Uint8Array {
  const expected = dims.reduce((a, b) => a * b, 1);
  if (data.length !== expected || dims.length === 0 || dims.length > 255) {
    throw new KdkitError(
      'SHAPE_MISMATCH',
      `encodeIdx: 'data' has ${data.length} bytes but dims [${dims.join(', ')}] need ${expected}.`,
    );
  }
  const out = new Uint8Array(4 + 4 * dims.length + data.length);
  const view = new DataView(out.buffer);
  out[2] = 0x08;
  out[3] = dims.length;
  dims.forEach((d, i) => {
    view.setUint32(4 + 4 * i, d, false);
  });
  out.set(data, 4 + 4 * dims.length);
  return out;
}
