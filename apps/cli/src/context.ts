import { type BackendInfo, type BackendPreference, initBackend } from '@kdkit/backend';
import { Output, type OutputMode } from './output.js';

export interface CommandContext {
  readonly out: Output;
  readonly backend: BackendInfo;
}

/**
 * Starts a command that runs TensorFlow.js: activates the backend (its one-line report goes to
 * stderr unless --quiet).
 */
export async function startCommand(
  options: OutputMode & { readonly backend?: BackendPreference },
): Promise<CommandContext> {
  const out = new Output(options);
  out.debug(`kdkit: options ${JSON.stringify(options)}`);
  const backend = await initBackend(options.backend ?? 'auto', {
    log: options.quiet ? false : (line) => process.stderr.write(`${line}\n`),
  });
  return { out, backend };
}
