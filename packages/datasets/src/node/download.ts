import { createHash } from 'node:crypto';
import { KdkitError } from '@kdkit/engine';

import type { FetchLike } from '../fetch-like.js';

export type { FetchLike };

/** SHA-256 of `bytes`, lowercase hex. */
export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * Fetches the first of `urls` that answers and whose bytes have SHA-256 `sha256`.
 * Throws `DATA_UNAVAILABLE` listing what went wrong with each URL.
 */
export async function fetchVerified(
  urls: readonly string[],
  sha256: string,
  fetchFn: FetchLike,
  timeoutMs = 30 * 60_000,
): Promise<Uint8Array> {
  const failures: string[] = [];
  for (const url of urls) {
    try {
      const response = await fetchFn(url, { signal: AbortSignal.timeout(timeoutMs) });
      if (!response.ok) {
        failures.push(`${url}: HTTP ${response.status}`);
        continue;
      }
      const bytes = new Uint8Array(await response.arrayBuffer());
      const actual = sha256Hex(bytes);
      if (actual !== sha256) {
        failures.push(`${url}: SHA-256 ${actual} ≠ expected ${sha256}`);
        continue;
      }
      return bytes;
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code;
      const reason = error instanceof Error ? error.message : String(error);
      failures.push(`${url}: ${reason}${cause === undefined ? '' : ` (${cause})`}`);
    }
  }
  throw new KdkitError('DATA_UNAVAILABLE', `download failed: ${failures.join('; ')}`);
}
