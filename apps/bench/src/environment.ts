import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import { isAbsolute, relative, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';

/** Where and with what a run was made: enough for a reader to rerun a row. */
export interface Environment {
  readonly date: string;
  readonly hostname: string;
  readonly cpu: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly os: string;
  /** 1-minute load average when the run started: other work on the machine slows every figure. */
  readonly loadAverage: number;
  readonly node: string;
  readonly backend: string;
  readonly backendReason: string;
  readonly versions: Readonly<Record<string, string>>;
  /** `git rev-parse HEAD` (+ `-dirty`), when run inside the repo. */
  readonly gitCommit?: string;
}

const PACKAGES = [
  '@kdkit/engine',
  '@kdkit/wasm-kernels',
  '@kdkit/losses',
  '@kdkit/datasets',
  '@kdkit/models',
  '@kdkit/trainers',
  '@kdkit/experiments',
  '@tensorflow/tfjs-layers',
  '@tensorflow/tfjs-backend-wasm',
];

function packageVersion(name: string): string | undefined {
  try {
    const require = createRequire(import.meta.url);
    const json = require(`${name}/package.json`) as { version?: string };
    return json.version;
  } catch {
    return undefined;
  }
}

/**
 * `git rev-parse HEAD` (short), with `-dirty` when the tree has uncommitted changes. Changes
 * inside `outputDir` don't count: they are the bench's own results, which a resumed or
 * `--stored-only` run finds there.
 */
export function gitCommit(outputDir?: string, cwd = process.cwd()): string | undefined {
  try {
    const run = (args: string[]) =>
      execFileSync('git', args, {
        cwd,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      }).trim();
    const head = run(['rev-parse', '--short=12', 'HEAD']);
    const top = run(['rev-parse', '--show-toplevel']);
    const output = outputDir ? relative(top, resolve(cwd, outputDir)) : '';
    const inTree = output !== '' && !output.startsWith('..') && !isAbsolute(output);
    const pathspec = inTree ? ['--', ':(top)', `:(top,exclude)${output}`] : [];
    return run(['status', '--porcelain', ...pathspec]) ? `${head}-dirty` : head;
  } catch {
    return undefined;
  }
}

/** Describes this machine, the active backend and the versions of everything that ran. */
export function describeEnvironment(
  backend: { name: string; reason: string },
  outputDir?: string,
): Environment {
  const versions: Record<string, string> = { '@tensorflow/tfjs-core': tf.version_core };
  for (const name of PACKAGES) {
    const version = packageVersion(name);
    if (version) versions[name] = version;
  }
  const cpus = os.cpus();
  const commit = gitCommit(outputDir);
  return {
    date: new Date().toISOString(),
    hostname: os.hostname(),
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    loadAverage: Math.round((os.loadavg()[0] ?? 0) * 100) / 100,
    node: process.version,
    backend: backend.name,
    backendReason: backend.reason,
    versions,
    ...(commit ? { gitCommit: commit } : {}),
  };
}
