import { stat } from 'node:fs/promises';
import { basename, extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { KdkitError } from '@kdkit/engine';
import type { DistillationLoss } from '@kdkit/losses';

/** What a loss module's factory receives besides the options: the CLI's own tfjs and losses. */
export interface LossModuleKit {
  readonly tf: typeof import('@tensorflow/tfjs-core');
  readonly losses: typeof import('@kdkit/losses');
}

/** A loss factory, as a loss module may default-export it. */
type Factory = (options: Record<string, unknown>, kit: LossModuleKit) => DistillationLoss;

const isLoss = (value: unknown): value is DistillationLoss =>
  value !== null &&
  typeof value === 'object' &&
  typeof (value as { compute?: unknown }).compute === 'function';

/**
 * Imports the user's loss modules and registers their losses in the CLI's own loss registry.
 * Each entry is a file path (relative to the working directory, or absolute); a bare package name
 * is never resolved. A module default-exports one of:
 * - a `DistillationLoss` (`{ name, compute }`), registered under its `name`;
 * - `{ name, description?, create(options, { tf, losses }) }`, a factory;
 * - a function `(options, { tf, losses }) => DistillationLoss`, registered under the file's name
 *   (`my-loss.mjs` → `my-loss`).
 * The factory gets the CLI's tfjs and `@kdkit/losses`, so the module needs no imports and works
 * from any folder. A module without a default export must call `registerLoss` itself, on the same
 * `@kdkit/losses` the CLI uses (true inside this repository).
 */
export async function loadLossModules(
  paths: string | readonly string[] | undefined,
): Promise<string[]> {
  const list = paths === undefined ? [] : typeof paths === 'string' ? [paths] : [...paths];
  if (list.length === 0) return [];
  const losses = await import('@kdkit/losses');
  const tf = await import('@tensorflow/tfjs-core');
  const kit: LossModuleKit = { tf, losses };
  const loaded: string[] = [];
  for (const path of list) {
    const file = resolve(path);
    const info = await stat(file).catch(() => undefined);
    if (!info?.isFile()) {
      throw new KdkitError(
        'FILE_NOT_FOUND',
        `--loss-module: no file at '${path}' (resolved to ${file}). Give the path of an .mjs/.js module that default-exports a loss, e.g. --loss-module ./my-loss.mjs.`,
      );
    }
    const before = new Set(losses.listLosses().map((l) => l.name));
    let module: { default?: unknown };
    try {
      module = (await import(pathToFileURL(file).href)) as { default?: unknown };
    } catch (error) {
      if (error instanceof KdkitError) throw error;
      const reason = error instanceof Error ? error.message : String(error);
      throw new KdkitError(
        'INVALID_ARGUMENT',
        `--loss-module: loading '${path}' failed: ${reason}${/Cannot find (package|module) '@kdkit\//.test(reason) ? ". A loss module needs no kdkit import: default-export the loss (see the CLI README, 'Your own loss')." : ''}`,
        { cause: error },
      );
    }
    const exported = module.default;
    if (exported === undefined) {
      if (losses.listLosses().some((l) => !before.has(l.name))) {
        loaded.push(file);
        continue;
      }
      throw new KdkitError(
        'INVALID_ARGUMENT',
        `--loss-module: '${path}' has no default export and registered no loss in the CLI's registry (a registerLoss call on another copy of @kdkit/losses does not count). Default-export the loss: export default { name: 'my-loss', create(options, { tf, losses }) { … } }.`,
      );
    }
    const { name, description, factory } = describeExport(path, file, exported, kit);
    try {
      losses.registerLoss(name, factory, {
        description: description ?? `from ${basename(file)}`,
      });
    } catch (error) {
      if (error instanceof KdkitError)
        throw new KdkitError(error.code, `--loss-module '${path}': ${error.message}`);
      throw error;
    }
    loaded.push(file);
  }
  return loaded;
}

function describeExport(
  path: string,
  file: string,
  exported: unknown,
  kit: LossModuleKit,
): { name: string; description?: string; factory: (options?: object) => DistillationLoss } {
  const checked = (name: string, made: unknown): DistillationLoss => {
    if (!isLoss(made)) {
      throw new KdkitError(
        'INVALID_ARGUMENT',
        `--loss-module '${path}': the factory of loss '${name}' returned ${made === null ? 'null' : typeof made}; it must return a DistillationLoss { name, compute(ctx) }.`,
      );
    }
    return made;
  };
  if (isLoss(exported)) {
    const loss = exported;
    return { name: String(loss.name), factory: () => loss };
  }
  if (typeof exported === 'function') {
    const name = basename(file, extname(file));
    const create = exported as Factory;
    return {
      name,
      factory: (options = {}) => checked(name, create(options as Record<string, unknown>, kit)),
    };
  }
  if (
    exported !== null &&
    typeof exported === 'object' &&
    typeof (exported as { create?: unknown }).create === 'function'
  ) {
    const spec = exported as { name?: unknown; description?: unknown; create: Factory };
    const name = String(spec.name ?? basename(file, extname(file)));
    return {
      name,
      ...(typeof spec.description === 'string' ? { description: spec.description } : {}),
      factory: (options = {}) =>
        checked(name, spec.create.call(spec, options as Record<string, unknown>, kit)),
    };
  }
  throw new KdkitError(
    'INVALID_ARGUMENT',
    `--loss-module: the default export of '${path}' is ${exported === null ? 'null' : typeof exported}; expected a DistillationLoss { name, compute }, a { name, create(options, { tf, losses }) } factory, or a function (options, { tf, losses }) => DistillationLoss.`,
  );
}
