/**
 * Serializes async jobs per key (jobs for one key run in order, keys run independently) and lets
 * callers wait for one key or for everything.
 */
export class WriteQueue {
  private readonly tails = new Map<string, Promise<void>>();

  /** Runs `job` after every earlier job of `key`; the returned promise settles with the job. */
  run<T>(key: string, job: () => Promise<T>): Promise<T> {
    const prev = this.tails.get(key) ?? Promise.resolve();
    const next = prev.then(job, job);
    const tail = next.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return next;
  }

  /** Resolves when every job queued so far for `key` has settled. */
  async idle(key: string): Promise<void> {
    await this.tails.get(key);
  }

  /** Resolves when every job queued so far has settled. */
  async drain(): Promise<void> {
    while (this.tails.size > 0) await Promise.all([...this.tails.values()]);
  }
}
