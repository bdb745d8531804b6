/**
 * Runs tasks one after another in push order (inbound updates of one account, so a later message of a
 * chat is never admitted before an earlier one), with a bound on waiting tasks. A task's failure never
 * stops the queue: tasks handle their own errors.
 */
export class SerialQueue {
  private tail: Promise<void> = Promise.resolve();
  private waiting = 0;

  /** @param max most tasks waiting or running; {@link push} refuses beyond it. */
  constructor(private readonly max: number) {}

  /** Queues `task`; false when the queue is full (the caller answers "busy" so the platform retries). */
  push(task: () => Promise<void>): boolean {
    if (this.waiting >= this.max) return false;
    this.waiting++;
    this.tail = this.tail
      .then(task)
      .catch(() => undefined)
      .finally(() => this.waiting--);
    return true;
  }

  /** Resolves once every queued task has run. */
  drain(): Promise<void> {
    return this.tail;
  }
}
