import { isKdkitError } from '@kdkit/engine';
import { describe, expect, it } from 'vitest';
import { type FetchLike, fetchVerified, sha256Hex } from './download.js';

const payload = new TextEncoder().encode('hello kdkit');
const respond =
  (table: Record<string, Uint8Array | number>): FetchLike =>
  async (url) => {
    const entry = table[url];
    if (entry === undefined) throw new TypeError('fetch failed');
    if (typeof entry === 'number')
      return { ok: false, status: entry, arrayBuffer: async () => new ArrayBuffer(0) };
    return { ok: true, status: 200, arrayBuffer: async () => entry.slice().buffer };
  };

describe('fetchVerified', () => {
  it('sha256Hex matches the known digest of "abc"', () => {
    expect(sha256Hex(new TextEncoder().encode('abc'))).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
  });

  it('falls through failing mirrors and a wrong checksum to the good one', async () => {
    const fetchFn = respond({
      'a://404': 404,
      'b://bad': new Uint8Array([1, 2]),
      'c://ok': payload,
    });
    const bytes = await fetchVerified(
      ['a://404', 'x://down', 'b://bad', 'c://ok'],
      sha256Hex(payload),
      fetchFn,
    );
    expect(new TextDecoder().decode(bytes)).toBe('hello kdkit');
  });

  it('reports every failure when no mirror works', async () => {
    const fetchFn = respond({ 'a://404': 404, 'b://bad': new Uint8Array([1, 2]) });
    const error = await fetchVerified(
      ['a://404', 'b://bad', 'x://down'],
      sha256Hex(payload),
      fetchFn,
    ).catch((e) => e);
    expect(isKdkitError(error, 'DATA_UNAVAILABLE')).toBe(true);
    expect(error.message).toMatch(/a:\/\/404: HTTP 404/);
    expect(error.message).toMatch(/b:\/\/bad: SHA-256 [0-9a-f]{64} ≠ expected/);
    expect(error.message).toMatch(/x:\/\/down: fetch failed/);
  });
});
