/**
 * Turns Ctrl-C (SIGINT) and SIGTERM into an abort signal for the night's work, so the
 * agents' whole process trees are ended and every checkpoint is kept; a second Ctrl-C
 * exits at once.
 */
export async function withStopSignal<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const stop = (signal: NodeJS.Signals): void => {
    if (controller.signal.aborted) process.exit(130);
    process.stderr.write(`\n${signal}: stopping the agents and keeping every checkpoint (press Ctrl-C again to quit at once)\n`);
    controller.abort();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  try {
    return await work(controller.signal);
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}
