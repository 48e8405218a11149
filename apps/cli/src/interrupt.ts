import { KdkitError } from '@kdkit/engine';

/**
 * Ctrl-C handling for training commands. The first SIGINT (or SIGTERM) aborts `signal`, which the
 * training loop checks between steps: it stops after the current step and the checkpoint keeps
 * every finished step. A second one quits at once.
 */
export class InterruptWatch {
  readonly #controller = new AbortController();
  readonly #onSignal = (name: NodeJS.Signals): void => {
    if (this.#controller.signal.aborted) {
      process.stderr.write('\nkdkit: interrupted twice, quitting now.\n');
      process.exit(1);
    }
    this.#controller.abort(name === 'SIGINT' ? 'Ctrl-C' : name);
    process.stderr.write(
      '\nkdkit: interrupted; stopping after this step (press Ctrl-C again to quit at once).\n',
    );
  };

  constructor() {
    process.on('SIGINT', this.#onSignal);
    process.on('SIGTERM', this.#onSignal);
  }

  /** Aborted by the first Ctrl-C. */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  get interrupted(): boolean {
    return this.#controller.signal.aborted;
  }

  /** Throws INTERRUPTED when a Ctrl-C came (between the stages of a multi-step command). */
  throwIfInterrupted(what: string): void {
    if (this.interrupted)
      throw new KdkitError('INTERRUPTED', `interrupted ${what}; nothing more was run.`);
  }

  dispose(): void {
    process.off('SIGINT', this.#onSignal);
    process.off('SIGTERM', this.#onSignal);
  }
}

/** Quotes an argument for a shell command line when it needs it. */
const shellQuote = (arg: string): string =>
  /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;

/** The command line that resumes this run: the same arguments plus `--resume`. */
export function resumeCommand(argv: readonly string[] = process.argv): string {
  const args = argv.slice(2).filter((arg) => arg !== '--resume');
  return ['kdkit', ...args, '--resume'].map(shellQuote).join(' ');
}
