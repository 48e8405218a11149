// The README examples are tests. Every ```ts block of packages/*/README.md runs as printed unless
// its fence says ```ts no-run: it is written into its package's folder (so imports resolve through
// the workspace, `@kdkit/source` condition), typechecked strict with tsc, and run with tsx in an
// empty temp directory, where it must exit 0. A block that ends with a `// Prints:` comment must
// print exactly the `// ` lines below it.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(import.meta.url);
const tsx = pathToFileURL(require.resolve('tsx')).href;
const tsc = require.resolve('typescript/bin/tsc');

interface Example {
  readonly readme: string;
  readonly line: number;
  readonly code: string;
  /** What the block says it prints (`// Prints:` then `// ` lines at its end), if it says. */
  readonly prints: string | undefined;
  readonly file: string;
}

/** The runnable ```ts blocks of one README, with the line each starts on. */
function extractExamples(markdown: string): { line: number; code: string }[] {
  const blocks: { line: number; code: string }[] = [];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const fence = /^```ts(?:\s+(.*))?$/.exec(lines[i] ?? '');
    if (!fence) continue;
    const start = i + 1;
    let end = start;
    while (end < lines.length && !(lines[end] ?? '').startsWith('```')) end++;
    if (!(fence[1] ?? '').split(/\s+/).includes('no-run')) {
      blocks.push({ line: start + 1, code: lines.slice(start, end).join('\n') });
    }
    i = end;
  }
  return blocks;
}

function expectedOutput(code: string): string | undefined {
  const lines = code.trimEnd().split('\n');
  const at = lines.findLastIndex((l) => l.trim() === '// Prints:');
  if (at < 0 || !lines.slice(at + 1).every((l) => l.startsWith('//'))) return undefined;
  return lines
    .slice(at + 1)
    .map((l) => l.replace(/^\/\/ ?/, ''))
    .join('\n');
}

const runId = `.readme-examples-${process.pid}`;
const examples: Example[] = readdirSync(join(root, 'packages'), { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .flatMap((d) => {
    const readme = join('packages', d.name, 'README.md');
    let markdown: string;
    try {
      markdown = readFileSync(join(root, readme), 'utf8');
    } catch {
      return [];
    }
    return extractExamples(markdown).map(({ line, code }) => ({
      readme,
      line,
      code,
      prints: expectedOutput(code),
      file: join(root, 'packages', d.name, runId, `readme-line-${line}.ts`),
    }));
  });

const scratch = mkdtempSync(join(tmpdir(), 'kdkit-readme-'));

beforeAll(() => {
  for (const example of examples) {
    mkdirSync(join(example.file, '..'), { recursive: true });
    // `export {}` keeps a block without imports a module (top-level await).
    writeFileSync(example.file, `${example.code}\nexport {};\n`);
  }
});

afterAll(() => {
  for (const example of examples)
    rmSync(join(example.file, '..'), { recursive: true, force: true });
  rmSync(scratch, { recursive: true, force: true });
});

describe('README examples', () => {
  it('finds runnable examples', () => {
    expect(examples.length).toBeGreaterThan(10);
  });

  it('typecheck (strict, as printed)', async () => {
    const tsconfig = join(scratch, 'tsconfig.json');
    writeFileSync(
      tsconfig,
      JSON.stringify({
        extends: join(root, 'tsconfig.base.json'),
        compilerOptions: {
          noEmit: true,
          customConditions: ['@kdkit/source'],
          typeRoots: [join(root, 'node_modules/@types')],
        },
        files: examples.map((e) => e.file),
      }),
    );
    const result = await run(process.execPath, [tsc, '-p', tsconfig], { cwd: root }).then(
      () => '',
      (error: { stdout?: string; message: string }) =>
        (error.stdout ?? error.message).replaceAll(root, ''),
    );
    expect(result).toBe('');
  }, 180_000);

  for (const example of examples) {
    it(`${example.readme}:${example.line} runs`, async () => {
      const dir = mkdtempSync(join(scratch, 'cwd-'));
      const { stdout } = await run(
        process.execPath,
        ['--conditions=@kdkit/source', '--import', tsx, example.file],
        { cwd: dir, env: { ...process.env, KDKIT_WASM_THREADS: '1' } },
      ).catch((error: { stderr?: string; message: string }) => {
        throw new Error(
          `${example.readme}:${example.line} failed:\n${error.stderr ?? error.message}`,
        );
      });
      if (example.prints !== undefined) expect(stdout.trim()).toBe(example.prints.trim());
    }, 60_000);
  }
});
