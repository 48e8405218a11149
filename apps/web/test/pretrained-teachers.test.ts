import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parsePretrainedManifest } from '@kdkit/pretrained';
import { afterEach, describe, expect, it } from 'vitest';
import { shippedTeachers } from '../build/pretrained-teachers.js';

const PACKAGE_DIR = fileURLToPath(new URL('../../../packages/pretrained/', import.meta.url));

describe('shippedTeachers (the build plugin publishing @kdkit/pretrained)', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it("publishes the package's own manifest.json, byte for byte, and every weight file it lists", () => {
    const { manifest, files } = shippedTeachers(PACKAGE_DIR);
    expect(Buffer.from(manifest).equals(readFileSync(join(PACKAGE_DIR, 'manifest.json')))).toBe(
      true,
    );
    const parsed = parsePretrainedManifest(JSON.parse(Buffer.from(manifest).toString()), 'm');
    expect(files).toEqual(parsed.teachers.flatMap((t) => t.files.map((f) => `weights/${f.path}`)));
    const cnnTeacher = parsed.teachers.find((t) => t.model === 'cnn-teacher');
    expect(files).toContain(`weights/${cnnTeacher?.id}/model.json`);
  });

  it('publishes an empty manifest for a folder without one', () => {
    dir = mkdtempSync(join(tmpdir(), 'kdkit-web-pretrained-'));
    const { manifest, files } = shippedTeachers(dir);
    expect(files).toEqual([]);
    const parsed = parsePretrainedManifest(JSON.parse(Buffer.from(manifest).toString()), 'm');
    expect(parsed.teachers).toEqual([]);
  });

  it('fails the build when a listed weight file is missing, naming it', () => {
    dir = mkdtempSync(join(tmpdir(), 'kdkit-web-pretrained-'));
    mkdirSync(join(dir, 'weights', 't.d'), { recursive: true });
    writeFileSync(join(dir, 'weights', 't.d', 'model.json'), '{}');
    const teacher = { files: [{ path: 't.d/model.json' }, { path: 't.d/shard.bin' }] };
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ teachers: [teacher] }));
    expect(() => shippedTeachers(dir as string)).toThrow(
      /lists weights\/t\.d\/shard\.bin, which is missing from/,
    );
  });
});
