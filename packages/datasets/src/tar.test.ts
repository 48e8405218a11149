import { isKdkitError } from '@kdkit/engine';
import { describe, expect, it } from 'vitest';
import { makeTar } from '../test/fixtures.js';
import { readTar } from './tar.js';

describe('readTar', () => {
  const a = new Uint8Array(700).fill(7);
  const archive = makeTar({ 'dir/a.bin': a, 'b.txt': new TextEncoder().encode('hi') });

  it('lists regular files with their bytes', () => {
    const files = readTar(archive, 'x.tar');
    expect([...files.keys()]).toEqual(['dir/a.bin', 'b.txt']);
    expect(files.get('dir/a.bin')).toEqual(a);
    expect(new TextDecoder().decode(files.get('b.txt'))).toBe('hi');
  });

  it('a member running past the end is CORRUPT_FILE naming the archive', () => {
    try {
      readTar(archive.subarray(0, 900), 'x.tar');
      expect.unreachable();
    } catch (error) {
      expect(isKdkitError(error, 'CORRUPT_FILE')).toBe(true);
      expect((error as Error).message).toMatch(/'x\.tar' is truncated at byte 0/);
    }
  });
});
