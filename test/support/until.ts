export interface UntilOptions {
  /** How long to wait before failing the test. */
  timeoutMs?: number;
  /** How often to ask again. */
  everyMs?: number;
  /** What is awaited, for the failure message. */
  what?: string;
}

/**
 * Waits for something another part of the system does on its own: a watcher picking up a save,
 * a child process answering, a worker finishing a run. Never for a robot's delay: that is the
 * fake clock's job.
 */
export async function until(condition: () => boolean | Promise<boolean>, options: UntilOptions = {}): Promise<void> {
  const { timeoutMs = 20_000, everyMs = 10, what = condition.toString() } = options;
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`still not true after ${timeoutMs} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
