import { closestName, KdkitError } from '@kdkit/engine';

/** The accepted type of one factory option: a primitive kind or a list of allowed strings. */
export type OptionKind = 'number' | 'boolean' | 'numbers' | readonly string[];

type OptionValue<K> = K extends 'number'
  ? number
  : K extends 'boolean'
    ? boolean
    : K extends 'numbers'
      ? readonly number[]
      : K extends readonly (infer S)[]
        ? S
        : never;

export type ParsedOptions<S extends Record<string, OptionKind>> = {
  [K in keyof S]?: OptionValue<S[K]>;
};

function describeKind(kind: OptionKind): string {
  if (typeof kind !== 'string') return `one of ${kind.map((k) => `'${k}'`).join(', ')}`;
  return kind === 'numbers' ? 'an array of numbers' : `a ${kind}`;
}

function matches(kind: OptionKind, value: unknown): boolean {
  if (kind === 'number') return typeof value === 'number' && !Number.isNaN(value);
  if (kind === 'boolean') return typeof value === 'boolean';
  if (kind === 'numbers') {
    return Array.isArray(value) && value.every((v) => typeof v === 'number' && !Number.isNaN(v));
  }
  return typeof value === 'string' && kind.includes(value);
}

/**
 * Validates a loss factory's options against `spec`: an unknown key (with a "did you mean")
 * or a value of the wrong type throws a KdkitError naming the loss and the option.
 */
export function parseLossOptions<const S extends Record<string, OptionKind>>(
  loss: string,
  options: Record<string, unknown> | undefined,
  spec: S,
): ParsedOptions<S> {
  if (options === undefined) return {};
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new KdkitError(
      'INVALID_ARGUMENT',
      `getLoss('${loss}'): options must be a plain object, got ${Array.isArray(options) ? 'an array' : String(options)}.`,
    );
  }
  const keys = Object.keys(spec);
  for (const [key, value] of Object.entries(options)) {
    const kind = spec[key];
    if (kind === undefined) {
      const suggestion = closestName(key, keys);
      const hint = suggestion === undefined ? '' : ` Did you mean '${suggestion}'?`;
      const valid = keys.length === 0 ? 'it takes no options' : `valid options: ${keys.join(', ')}`;
      throw new KdkitError(
        'INVALID_ARGUMENT',
        `getLoss('${loss}'): unknown option '${key}'.${hint} (${valid}).`,
      );
    }
    if (value !== undefined && !matches(kind, value)) {
      throw new KdkitError(
        'INVALID_ARGUMENT',
        `getLoss('${loss}'): option '${key}' must be ${describeKind(kind)}, got ${JSON.stringify(value)}.`,
      );
    }
  }
  return options as ParsedOptions<S>;
}
