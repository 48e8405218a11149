import { createHash, type Hash } from 'node:crypto';
import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs';
import { ByteWriter } from 'hyparquet-writer';

/**
 * A hyparquet-writer `Writer` that streams to a file (flushing every ~1 MB) and hashes what it
 * writes, so a shard never sits whole in memory and its SHA-256 costs no second read.
 */
export class HashingFileWriter extends ByteWriter {
  private readonly fd: number;
  private readonly hash: Hash = createHash('sha256');
  private static readonly CHUNK = 1 << 20;

  constructor(path: string) {
    super(HashingFileWriter.CHUNK * 2);
    this.fd = openSync(path, 'w');
  }

  override ensure(size: number): void {
    if (this.index > HashingFileWriter.CHUNK) this.flush();
    super.ensure(size);
  }

  flush(): void {
    const chunk = new Uint8Array(this.buffer, 0, this.index);
    this.hash.update(chunk);
    let done = 0;
    while (done < chunk.length) done += writeSync(this.fd, chunk, done);
    this.index = 0;
  }

  override finish(): void {
    this.flush();
    fsyncSync(this.fd);
    closeSync(this.fd);
  }

  /** Closes the file without finishing it (after an error). */
  abort(): void {
    closeSync(this.fd);
  }

  /** Hex SHA-256 of all bytes written (after `finish`). */
  digest(): string {
    return this.hash.digest('hex');
  }
}
