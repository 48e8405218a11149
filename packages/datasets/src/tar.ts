import { KdkitError } from '@kdkit/engine';

/**
 * The regular files of a ustar/GNU tar archive (uncompressed), by path. Throws `CORRUPT_FILE`
 * naming `file` when a header or a size runs past the end of the archive.
 */
export function readTar(bytes: Uint8Array, file: string): Map<string, Uint8Array> {
  const files = new Map<string, Uint8Array>();
  const text = (from: number, length: number): string => {
    const field = bytes.subarray(from, from + length);
    const end = field.indexOf(0);
    return new TextDecoder().decode(end < 0 ? field : field.subarray(0, end));
  };
  let offset = 0;
  while (offset + 512 <= bytes.length) {
    if (bytes.subarray(offset, offset + 512).every((b) => b === 0)) break;
    const sizeField = text(offset + 124, 12).trim();
    const size = Number.parseInt(sizeField || '0', 8);
    if (!Number.isFinite(size) || size < 0) {
      throw new KdkitError('CORRUPT_FILE', `readTar: '${file}' has a bad size field at ${offset}.`);
    }
    const dataStart = offset + 512;
    if (dataStart + size > bytes.length) {
      throw new KdkitError('CORRUPT_FILE', `readTar: '${file}' is truncated at byte ${offset}.`);
    }
    const type = String.fromCharCode(bytes[offset + 156] ?? 0);
    const prefix = text(offset + 345, 155);
    const name = text(offset, 100);
    const path = prefix === '' ? name : `${prefix}/${name}`;
    if (type === '0' || type === '\0') files.set(path, bytes.subarray(dataStart, dataStart + size));
    offset = dataStart + Math.ceil(size / 512) * 512;
  }
  return files;
}
