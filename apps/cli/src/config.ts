import { readFile } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import { KdkitError } from '@kdkit/engine';
import { parseDocument } from 'yaml';
import { z } from 'zod';

/** `batch-size` → `batchSize`. */
export const camelCase = (key: string): string =>
  key.replace(/[-_]([a-z])/g, (_, c: string) => c.toUpperCase());

/** `batchSize` → `--batch-size`. */
export const flagName = (key: string): string =>
  `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys')
    return `unknown key(s) ${issue.keys.map((k) => `'${k}'`).join(', ')}`;
  return issue.message;
}

/** Reads a JSON or YAML config file (by extension; other extensions are tried as YAML, a superset of JSON). */
export async function readConfigFile(path: string): Promise<Record<string, unknown>> {
  const file = resolve(path);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new KdkitError(
      'FILE_NOT_FOUND',
      `--config: cannot read config file '${path}' (${(error as NodeJS.ErrnoException).code ?? String(error)}).`,
    );
  }
  let value: unknown;
  try {
    value = extname(file).toLowerCase() === '.json' ? JSON.parse(text) : parseYamlStrictly(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new KdkitError(
      'CONFIG_INVALID',
      `--config: config file '${path}' is not valid ${extname(file) === '.json' ? 'JSON' : 'YAML'}: ${reason}`,
    );
  }
  if (value === null || value === undefined) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new KdkitError(
      'CONFIG_INVALID',
      `--config: config file '${path}' must hold an object of option names to values, got ${Array.isArray(value) ? 'an array' : typeof value}.`,
    );
  }
  const normalized: Record<string, unknown> = Object.create(null);
  const spelledAs = new Map<string, string>();
  for (const [key, entry] of Object.entries(value)) {
    if (FORBIDDEN_KEYS.has(key)) {
      throw new KdkitError(
        'CONFIG_INVALID',
        `--config: config file '${path}' has the key ${JSON.stringify(key)}, which is not an option and is refused.`,
      );
    }
    const name = camelCase(key);
    const earlier = spelledAs.get(name);
    if (earlier !== undefined) {
      throw new KdkitError(
        'CONFIG_INVALID',
        `--config: config file '${path}' sets '${name}' twice, as '${earlier}' and as '${key}'; keep one.`,
      );
    }
    spelledAs.set(name, key);
    normalized[name] = entry;
  }
  return { ...normalized };
}

/** Keys that would reach an object's prototype: refused as written, never renamed. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Parses YAML as plain data: any error or warning (an unknown tag such as `!!js/function`, a
 * duplicate key) is thrown, never printed by the parser.
 */
function parseYamlStrictly(text: string): unknown {
  const doc = parseDocument(text, { logLevel: 'silent', uniqueKeys: true });
  const problem = doc.errors[0] ?? doc.warnings[0];
  if (problem !== undefined) throw new Error(problem.message);
  return doc.toJS({ maxAliasCount: 100 });
}

/** What {@link resolveOptions} reads from a parsed commander command. */
export interface ParsedCommand {
  name(): string;
  opts(): object;
  getOptionValueSource(key: string): string | undefined;
}

/** Keys the config file may not set: they only make sense on the command line. */
const CLI_ONLY = new Set(['config']);

/**
 * The command's options: defaults, overridden by the config file (`--config`), overridden by flags
 * given on the command line. The file is checked against `schema` (strict: an unknown key or a
 * wrong type is an error naming the key), then the merged result is.
 */
export async function resolveOptions<S extends z.ZodObject>(
  command: ParsedCommand,
  schema: S,
): Promise<z.infer<S>> {
  const flags = command.opts() as Record<string, unknown>;
  const configPath = typeof flags['config'] === 'string' ? flags['config'] : undefined;
  let fromFile: Record<string, unknown> = {};
  if (configPath !== undefined) {
    fromFile = await readConfigFile(configPath);
    const fileShape = Object.fromEntries(
      Object.entries(schema.shape).filter(([key]) => !CLI_ONLY.has(key)),
    );
    const fileSchema = z.strictObject(fileShape).partial();
    const checked = fileSchema.safeParse(fromFile);
    if (!checked.success) {
      const problems = checked.error.issues.map((issue) => {
        const key = issue.path.length > 0 ? `key '${issue.path.join('.')}'` : 'file';
        return `${key}: ${describeIssue(issue)}`;
      });
      throw new KdkitError(
        'CONFIG_INVALID',
        `--config: config file '${configPath}' is invalid for 'kdkit ${command.name()}': ${problems.join('; ')}. Valid keys: ${Object.keys(
          schema.shape,
        )
          .filter((k) => !CLI_ONLY.has(k))
          .join(', ')}.`,
      );
    }
  }
  const merged: Record<string, unknown> = {};
  for (const key of Object.keys(schema.shape)) {
    const source = command.getOptionValueSource(key);
    const given = source === 'cli' || source === 'env';
    if (!given && key in fromFile) merged[key] = fromFile[key];
    else if (flags[key] !== undefined) merged[key] = flags[key];
  }
  const result = schema.safeParse(merged);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => {
      const key = issue.path[0];
      return `${typeof key === 'string' ? flagName(key) : 'options'}: ${describeIssue(issue)}`;
    });
    throw new KdkitError('INVALID_ARGUMENT', `kdkit ${command.name()}: ${problems.join('; ')}.`);
  }
  return result.data;
}
