// The deploy/ manifests: a schema check of the Kubernetes Job (kubernetes-models validates
// against the Kubernetes OpenAPI schema) and of the Slurm script, and that the command both
// run uses only flags `kdkit soft-targets` accepts.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseShardSpec } from '@kdkit/soft-targets';
import { Job } from 'kubernetes-models/batch/v1';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { createProgram } from '../src/program.js';

const DEPLOY = fileURLToPath(new URL('../../../deploy/', import.meta.url));

// The manifests hold shell variables (`${JOB_COMPLETION_INDEX}`), written as plain strings here.
const SHELL = (name: string) => `\${${name}}`;

/** The long flags of `kdkit soft-targets`. */
function acceptedFlags(): Set<string> {
  const command = createProgram().commands.find((c) => c.name() === 'soft-targets');
  return new Set((command?.options ?? []).map((o) => o.long ?? ''));
}

/** `kdkit soft-targets …` in a shell command line → its flags and values (quotes dropped). */
function softTargetsArgs(commandLine: string): Map<string, string> {
  const tokens = commandLine.replace(/\\\n/g, ' ').split(/\s+/).filter(Boolean);
  const at = tokens.findIndex((t, i) => t === 'kdkit' && tokens[i + 1] === 'soft-targets');
  expect(at, `no 'kdkit soft-targets' in: ${commandLine}`).toBeGreaterThanOrEqual(0);
  const args = new Map<string, string>();
  const rest = tokens.slice(at + 2);
  rest.forEach((token, i) => {
    if (!token.startsWith('--')) return;
    const next = rest[i + 1];
    args.set(token, next && !next.startsWith('--') ? next.replace(/^"|"$/g, '') : '');
  });
  return args;
}

function expectValidCommand(args: Map<string, string>): void {
  const accepted = acceptedFlags();
  expect(accepted.has('--shard')).toBe(true);
  for (const flag of args.keys()) expect(accepted, `unknown flag ${flag}`).toContain(flag);
  for (const flag of ['--teacher', '--dataset', '--shard', '--out'])
    expect(args.has(flag)).toBe(true);
}

describe('deploy/k8s/soft-targets-job.yaml', () => {
  const doc = parse(readFileSync(`${DEPLOY}k8s/soft-targets-job.yaml`, 'utf8')) as Record<
    string,
    unknown
  >;

  it('is a valid batch/v1 Job by the Kubernetes schema', () => {
    expect(() => new Job(doc as ConstructorParameters<typeof Job>[0]).validate()).not.toThrow();
    // and the schema check catches a broken one
    const broken = { ...doc, spec: { ...(doc['spec'] as object), completionMode: 7 } };
    expect(() =>
      new Job(broken as unknown as ConstructorParameters<typeof Job>[0]).validate(),
    ).toThrow();
  });

  it('is an Indexed Job whose JOB_COMPLETION_INDEX becomes --shard I/N, with N = completions', () => {
    const job = new Job(doc as ConstructorParameters<typeof Job>[0]);
    const spec = job.spec;
    expect(spec?.completionMode).toBe('Indexed');
    expect(['Never', 'OnFailure']).toContain(spec?.template.spec?.restartPolicy);
    const container = spec?.template.spec?.containers[0];
    const shards = container?.env?.find((e) => e.name === 'SHARDS')?.value;
    expect(Number(shards)).toBe(spec?.completions);
    const args = softTargetsArgs(
      [...(container?.command ?? []), ...(container?.args ?? [])].join(' '),
    );
    expectValidCommand(args);
    const shard = args.get('--shard') ?? '';
    expect(shard).toBe(`${SHELL('JOB_COMPLETION_INDEX')}/${SHELL('SHARDS')}`);
    for (let i = 0; i < (spec?.completions ?? 0); i++) {
      expect(
        parseShardSpec(
          shard
            .replace(SHELL('JOB_COMPLETION_INDEX'), String(i))
            .replace(SHELL('SHARDS'), String(shards)),
        ),
      ).toEqual({
        shard: i,
        of: spec?.completions,
      });
    }
    const mounts = container?.volumeMounts?.map((m) => m.mountPath) ?? [];
    expect(mounts.some((m) => (args.get('--out') ?? '').startsWith(m))).toBe(true);
  });
});

describe('deploy/slurm/soft-targets.sbatch', () => {
  const path = `${DEPLOY}slurm/soft-targets.sbatch`;
  const script = readFileSync(path, 'utf8');

  it('is valid bash with a 0-based job array mapped to --shard', () => {
    execFileSync('bash', ['-n', path]);
    const array = /^#SBATCH --array=0-(\d+)$/m.exec(script);
    expect(array).not.toBeNull();
    const args = softTargetsArgs(script.slice(script.indexOf('exec kdkit')));
    expectValidCommand(args);
    expect(args.get('--shard')).toBe(`${SHELL('SLURM_ARRAY_TASK_ID')}/${SHELL('SHARDS')}`);
    expect(script).toMatch(/^SHARDS=\$\{SLURM_ARRAY_TASK_COUNT/m);
  });
});
