import { isKdkitError } from '@kdkit/engine';
import { describe, expect, it } from 'vitest';
import { sampleCheckpoint as sample } from '../test/fixtures.js';
import { decodeCheckpoint, encodeCheckpoint } from './checkpoint-io.js';

const join = (chunks: readonly Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
};

describe('encodeCheckpoint / decodeCheckpoint', () => {
  it('round-trips exactly, with the header padded to 4 bytes', () => {
    const chunks = encodeCheckpoint(sample);
    expect((chunks[0]?.length ?? 0) % 4).toBe(0);
    expect(decodeCheckpoint(join(chunks), 'sample')).toEqual(sample);
  });

  it('decodes from an unaligned view', () => {
    const bytes = join(encodeCheckpoint(sample));
    const shifted = new Uint8Array(bytes.length + 1);
    shifted.set(bytes, 1);
    expect(decodeCheckpoint(shifted.subarray(1), 'sample')).toEqual(sample);
  });

  it('rejects bytes that are not a checkpoint, naming the source and what is wrong', () => {
    const cases: [Uint8Array, RegExp][] = [
      [
        new TextEncoder().encode('not a checkpoint'),
        /'where' is not a valid checkpoint \(bad magic\)/,
      ],
      [join(encodeCheckpoint(sample)).slice(0, -4), /tensor 'iter' is truncated/],
    ];
    for (const [bytes, message] of cases) {
      const error = (() => {
        try {
          decodeCheckpoint(bytes, 'where');
        } catch (e) {
          return e;
        }
        return undefined;
      })();
      expect(isKdkitError(error, 'CORRUPT_FILE')).toBe(true);
      expect(String(error)).toMatch(message);
    }
  });
});
