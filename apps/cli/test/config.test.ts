import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './cli.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kdkit-cli-config-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function configFile(name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

describe('--config', () => {
  it('rejects an unknown key, naming it and listing the valid ones (exit 2, no stack)', async () => {
    const file = await configFile('unknown.yaml', 'model: cnn-student\nepochz: 3\n');
    const run = await runCli(['train', '--config', file]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("unknown key(s) 'epochz'");
    expect(run.stderr).toContain('Valid keys:');
    expect(run.stderr).toContain('epochs');
    expect(run.stderr).toContain('[CONFIG_INVALID]');
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it('rejects a wrong type, naming the key', async () => {
    const file = await configFile(
      'type.json',
      JSON.stringify({ model: 'cnn-student', epochs: 'three' }),
    );
    const run = await runCli(['train', '--config', file]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("key 'epochs'");
    expect(run.stderr).toMatch(/expected (int|number)/);
  });

  it('rejects a bad enum value and a non-object file', async () => {
    const badEnum = await configFile('enum.yml', 'model: cnn-student\noptimizer: adamw\n');
    const list = await configFile('list.yaml', '- a\n- b\n');
    const [enumRun, listRun] = await Promise.all([
      runCli(['train', '--config', badEnum]),
      runCli(['train', '--config', list]),
    ]);
    expect(enumRun.code).toBe(2);
    expect(enumRun.stderr).toContain("key 'optimizer'");
    expect(listRun.code).toBe(2);
    expect(listRun.stderr).toContain('must hold an object');
  });

  it('reports a syntax error and a missing file', async () => {
    const broken = await configFile('broken.json', '{ "model": ');
    const [syntax, missing] = await Promise.all([
      runCli(['train', '--config', broken]),
      runCli(['train', '--config', join(dir, 'nope.yaml')]),
    ]);
    expect(syntax.code).toBe(2);
    expect(syntax.stderr).toContain('is not valid JSON');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('cannot read config file');
  });

  it('takes values from the file, and flags override them (kebab-case keys work)', async () => {
    const file = await configFile(
      'names.yaml',
      'model: from-the-file\nbatch-size: 8\nbackend: cpu\n',
    );
    const [fromFile, overridden] = await Promise.all([
      runCli(['train', '--config', file, '--quiet']),
      runCli(['train', '--config', file, '--model', 'from-the-flag', '--quiet']),
    ]);
    expect(fromFile.code).toBe(2);
    expect(fromFile.stderr).toContain("Unknown model 'from-the-file'");
    expect(overridden.code).toBe(2);
    expect(overridden.stderr).toContain("Unknown model 'from-the-flag'");
    // --quiet: the error, but no backend line.
    expect(fromFile.stderr).not.toContain('kdkit: backend');
  });

  it('checks the merged options too: a missing required option is named as a flag', async () => {
    const run = await runCli(['train', '--epochs', '1']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--model: required');
  });
});
