/**
 * Ctrl-C handling for training commands. The first SIGINT sets a flag that a trainer callback
 * turns into a stop request (the checkpoint of the last finished epoch stays on disk); a second
 * one quits at once.
 */
export class InterruptWatch {
  #interrupted = false;
  readonly #onSignal = (): void => {
    if (this.#interrupted) {
      process.stderr.write('\nkdkit: interrupted twice, quitting now.\n');
      process.exit(1);
    }
    this.#interrupted = true;
    process.stderr.write(
      '\nkdkit: interrupted; stopping after this step (press Ctrl-C again to quit at once).\n',
    );
  };

  constructor() {
    process.on('SIGINT', this.#onSignal);
    process.on('SIGTERM', this.#onSignal);
  }

  get interrupted(): boolean {
    return this.#interrupted;
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
