import { type ChildProcess, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** apps/cli. */
export const CLI_DIR = fileURLToPath(new URL('..', import.meta.url));
export const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));

const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm')).href;

/**
 * The child's command line. Default: the CLI's source through tsx with the `@kdkit/source`
 * condition, so no package needs building. With KDKIT_CLI=dist: the built `dist/bin.js`.
 */
function command(args: readonly string[]): string[] {
  if (process.env['KDKIT_CLI'] === 'dist') return ['dist/bin.js', ...args];
  return ['--conditions=@kdkit/source', '--import', tsx, 'src/bin.ts', ...args];
}

export interface CliRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Starts `kdkit <args>` as a child process (cwd: apps/cli unless given). */
export function startCli(args: readonly string[], options: { cwd?: string } = {}): ChildProcess {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  delete env['KDKIT_BACKEND'];
  delete env['VITEST'];
  delete env['NODE_OPTIONS'];
  return spawn(process.execPath, command(args), {
    cwd: options.cwd ?? CLI_DIR,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Collects a child's output until it exits. */
export function finished(child: ChildProcess): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** Runs `kdkit <args>` to completion. */
export function runCli(args: readonly string[], options: { cwd?: string } = {}): Promise<CliRun> {
  return finished(startCli(args, options));
}
