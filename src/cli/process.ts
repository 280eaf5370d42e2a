// Process plumbing shared by the subcommands: structured log lines and waiting for a stop signal.

export function log(component: string, message: string): void {
  process.stdout.write(`${new Date().toISOString()} ${component}: ${message}\n`);
}

/** Resolves with the first SIGINT or SIGTERM. */
export function untilSignal(): Promise<string> {
  return new Promise((resolve) => {
    const on = (s: string) => () => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      resolve(s);
    };
    const onInt = on('SIGINT');
    const onTerm = on('SIGTERM');
    process.once('SIGINT', onInt);
    process.once('SIGTERM', onTerm);
  });
}
