import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from '@commander-js/extra-typings';
import { isKdkitError } from '@kdkit/engine';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { camelCase, flagName, readConfigFile, resolveOptions } from './config.js';
import { integerArg } from './options.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kdkit-config-unit-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const schema = z.strictObject({
  config: z.string().optional(),
  epochs: z.int().min(1).default(5),
  name: z.string(),
});

async function parse(args: string[]) {
  const command = new Command('try')
    .option('--config <file>')
    .option('--epochs <n>', 'epochs', integerArg(1), 5)
    .option('--name <name>')
    .exitOverride();
  await command.parseAsync(args, { from: 'user' });
  return resolveOptions(command, schema);
}

describe('resolveOptions', () => {
  it('merges defaults < file < flags', async () => {
    const file = join(dir, 'a.yaml');
    await writeFile(file, 'epochs: 3\nname: file\n');
    await expect(parse(['--config', file])).resolves.toEqual({
      config: file,
      epochs: 3,
      name: 'file',
    });
    await expect(parse(['--config', file, '--epochs', '7'])).resolves.toMatchObject({
      epochs: 7,
      name: 'file',
    });
    await expect(parse(['--name', 'flag'])).resolves.toEqual({ epochs: 5, name: 'flag' });
  });

  it('names the key of a bad file value, and the flag of a bad merged value', async () => {
    const file = join(dir, 'b.json');
    await writeFile(file, JSON.stringify({ name: 'x', epochs: 0 }));
    const fileError = await parse(['--config', file]).catch((e: unknown) => e);
    expect(isKdkitError(fileError, 'CONFIG_INVALID')).toBe(true);
    expect((fileError as Error).message).toContain("key 'epochs'");
    const missing = await parse([]).catch((e: unknown) => e);
    expect(isKdkitError(missing, 'INVALID_ARGUMENT')).toBe(true);
    expect((missing as Error).message).toContain('--name');
  });

  it('reads YAML and JSON, with kebab-case keys, and rejects non-objects', async () => {
    const yaml = join(dir, 'c.yml');
    await writeFile(yaml, 'batch-size: 4\n');
    await expect(readConfigFile(yaml)).resolves.toEqual({ batchSize: 4 });
    const empty = join(dir, 'empty.yaml');
    await writeFile(empty, '');
    await expect(readConfigFile(empty)).resolves.toEqual({});
    const scalar = join(dir, 'scalar.json');
    await writeFile(scalar, '3');
    await expect(readConfigFile(scalar)).rejects.toThrow('must hold an object');
  });

  it('converts between keys and flags', () => {
    expect(camelCase('batch-size')).toBe('batchSize');
    expect(camelCase('test_limit')).toBe('testLimit');
    expect(flagName('batchSize')).toBe('--batch-size');
  });
});
