import { describe, expect, it } from 'vitest';
import {
  checkThreadCount,
  MAX_WASM_THREADS,
  parseWasmThreadsRequest,
  threadsSummary,
} from './threads-request.js';

describe('parseWasmThreadsRequest (browser-safe)', () => {
  it('takes the core count it is given, capped at 8, and honours KDKIT_WASM_THREADS', () => {
    expect(parseWasmThreadsRequest({}, 6)).toEqual({ threads: 6 });
    expect(parseWasmThreadsRequest({}, 32)).toEqual({ threads: MAX_WASM_THREADS });
    expect(parseWasmThreadsRequest({ KDKIT_WASM_THREADS: '3' }, 8)).toEqual({ threads: 3 });
    expect(parseWasmThreadsRequest({ KDKIT_WASM_THREADS: 'off' }, 8)).toEqual({
      threads: 1,
      reason: 'KDKIT_WASM_THREADS=off',
    });
  });
});

describe('checkThreadCount', () => {
  it('caps at 8, and says why when it is one thread', () => {
    expect(checkThreadCount(12, 'options.threads')).toEqual({ threads: 8 });
    expect(checkThreadCount(1, 'options.threads')).toEqual({
      threads: 1,
      reason: 'options.threads is 1 thread',
    });
    expect(checkThreadCount(2.5, 'options.threads')).toEqual({
      threads: 1,
      reason: 'options.threads asks for 2.5 threads (expected an integer 1-8)',
    });
  });
});

describe('threadsSummary', () => {
  it('counts threads and gives the reason for one', () => {
    expect(threadsSummary(4)).toBe('4 threads');
    expect(threadsSummary(1, 'one CPU')).toBe('1 thread: one CPU');
  });
});
