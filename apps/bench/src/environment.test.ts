import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { gitCommit } from './environment.js';

describe('gitCommit', () => {
  it("marks a tree dirty, except for changes inside the bench's own output folder", () => {
    const repo = mkdtempSync(join(tmpdir(), 'kdkit-git-'));
    const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, stdio: 'ignore' });
    git('init', '-q');
    writeFileSync(join(repo, 'code.ts'), 'export {};\n');
    git('add', '.');
    git('-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-qm', 'init');
    const head = gitCommit(undefined, repo);
    expect(head).toMatch(/^[0-9a-f]{12}$/);

    mkdirSync(join(repo, 'results', 'run1'), { recursive: true });
    writeFileSync(join(repo, 'results', 'run1', 'seed0.json'), '{}\n');
    expect(gitCommit('results/run1', repo)).toBe(head);
    expect(gitCommit(join(repo, 'results', 'run1'), repo)).toBe(head);
    expect(gitCommit(undefined, repo)).toBe(`${head}-dirty`);
    expect(gitCommit('results/other', repo)).toBe(`${head}-dirty`);

    writeFileSync(join(repo, 'code.ts'), 'export const changed = 1;\n');
    expect(gitCommit('results/run1', repo)).toBe(`${head}-dirty`);
  });
});
