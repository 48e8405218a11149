import { KdkitError } from '@kdkit/engine';

/** CIFAR-10 binary record: 1 label byte, then 32×32 red, green and blue planes. */
export const CIFAR_RECORD_BYTES = 1 + 32 * 32 * 3;

/** One parsed CIFAR-10 binary batch: labels and images as uint8 NHWC. */
export interface CifarBatch {
  readonly count: number;
  readonly labels: Uint8Array;
  /** NHWC `[count, 32, 32, 3]`, unsigned bytes. */
  readonly pixels: Uint8Array;
}

/**
 * Parses a CIFAR-10 binary batch (`data_batch_*.bin`, `test_batch.bin`): records of 3073 bytes,
 * a label in [0, 10) then the image as three 1024-byte planes (R, G, B, row-major). The planes
 * are transposed to NHWC. A length that is not a whole number of records, or a label ≥ 10,
 * throws `CORRUPT_FILE` naming `file`.
 *
 * @param expectedCount when given, the number of records the file must hold (10,000 for the
 *   official batches).
 * @example
 * const { labels, pixels } = parseCifarBatch(readFileSync('test_batch.bin'), 'test_batch.bin');
 */
export function parseCifarBatch(
  bytes: Uint8Array,
  file: string,
  expectedCount?: number,
): CifarBatch {
  const fail = (what: string): never => {
    throw new KdkitError('CORRUPT_FILE', `parseCifarBatch: '${file}' ${what}`);
  };
  if (bytes.length === 0) fail('is empty.');
  if (bytes.length % CIFAR_RECORD_BYTES !== 0) {
    fail(
      `has ${bytes.length} bytes, not a whole number of ${CIFAR_RECORD_BYTES}-byte records (truncated or not a CIFAR-10 binary batch).`,
    );
  }
  const count = bytes.length / CIFAR_RECORD_BYTES;
  if (expectedCount !== undefined && count !== expectedCount) {
    fail(`holds ${count} records; expected ${expectedCount}.`);
  }
  const labels = new Uint8Array(count);
  const pixels = new Uint8Array(count * 3072);
  for (let n = 0; n < count; n++) {
    const record = n * CIFAR_RECORD_BYTES;
    const label = bytes[record] as number;
    if (label >= 10) fail(`record ${n} has label ${label}; CIFAR-10 labels are 0..9.`);
    labels[n] = label;
    const out = n * 3072;
    for (let p = 0; p < 1024; p++) {
      pixels[out + 3 * p] = bytes[record + 1 + p] as number;
      pixels[out + 3 * p + 1] = bytes[record + 1025 + p] as number;
      pixels[out + 3 * p + 2] = bytes[record + 2049 + p] as number;
    }
  }
  return { count, labels, pixels };
}
