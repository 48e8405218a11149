// Issue 17 #11 and the config fuzzing: a config file gives options or a KdkitError naming it.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isKdkitError } from '@kdkit/engine';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readConfigFile } from './config.js';

const FUZZ_RUNS = Number(process.env['KDKIT_FUZZ_RUNS'] ?? 200);

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kdkit-config-safety-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function configError(name: string, text: string): Promise<Error> {
  const file = join(dir, name);
  await writeFile(file, text);
  try {
    await readConfigFile(file);
  } catch (error) {
    return error as Error;
  }
  throw new Error(`expected ${name} to be refused`);
}

describe('config files that try something (issue 17 #11)', () => {
  it("reports a '__proto__' key verbatim and refuses it (JSON and YAML)", async () => {
    for (const [name, text] of [
      ['proto.json', '{"__proto__": {"epochs": 3}, "epochs": 1}'],
      ['proto.yaml', '__proto__:\n  epochs: 3\n'],
    ] as const) {
      const error = await configError(name, text);
      expect(isKdkitError(error, 'CONFIG_INVALID')).toBe(true);
      expect(error.message).toContain('"__proto__"');
      expect(error.message).not.toContain('_Proto__');
    }
    expect(({} as Record<string, unknown>)['epochs']).toBeUndefined();
  });

  it("refuses both 'batch-size' and 'batchSize', naming both", async () => {
    const error = await configError('twice.yaml', 'batch-size: 8\nbatchSize: 16\n');
    expect(isKdkitError(error, 'CONFIG_INVALID')).toBe(true);
    expect(error.message).toContain("as 'batch-size' and as 'batchSize'");
  });

  it('turns a YAML !!js/function tag into a KdkitError, with nothing printed', async () => {
    const writes: string[] = [];
    const original = process.emitWarning;
    process.emitWarning = ((warning: string | Error) => {
      writes.push(String(warning));
    }) as typeof process.emitWarning;
    try {
      const error = await configError('tag.yaml', 'loss: !!js/function "function () {}"\n');
      expect(isKdkitError(error, 'CONFIG_INVALID')).toBe(true);
      expect(error.message).toContain('tag.yaml');
      expect(error.message).toContain('js/function');
    } finally {
      process.emitWarning = original;
    }
    expect(writes).toEqual([]);
  });

  it('fuzz: random YAML/JSON text gives a plain object or a KdkitError naming the file', async () => {
    let n = 0;
    const text = fc.oneof(
      fc.string({ maxLength: 200 }),
      fc.jsonValue().map((v) => JSON.stringify(v)),
      fc
        .dictionary(
          fc.oneof(
            fc.constantFrom('__proto__', 'batch-size', 'batchSize', 'epochs', '!!js/x'),
            fc.string(),
          ),
          fc.oneof(fc.string(), fc.integer(), fc.constantFrom('!!js/function "f"', '*a', '&a 1')),
        )
        .map((entries) =>
          Object.entries(entries)
            .map(([k, v]) => `${k}: ${String(v)}`)
            .join('\n'),
        ),
    );
    await fc.assert(
      fc.asyncProperty(text, fc.constantFrom('.yaml', '.json', '.yml'), async (body, ext) => {
        const file = join(dir, `fuzz-${n++}${ext}`);
        await writeFile(file, body);
        try {
          const value = await readConfigFile(file);
          expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
          expect(Object.keys(value)).not.toContain('__proto__');
        } catch (error) {
          expect(isKdkitError(error), String(error)).toBe(true);
          expect((error as Error).message).toContain(file);
        }
      }),
      { numRuns: FUZZ_RUNS, seed: Number(process.env['KDKIT_FUZZ_SEED'] ?? 17) },
    );
  });
});
