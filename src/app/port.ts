import { HoldfastError } from "../errors/index.js";

/**
 * A stage needed before it is built: the composition root hands the stage that needs it a forwarding
 * object over `get()` and binds the port as soon as the providing stage exists, before anything
 * starts. Only for the pipeline's runtime cycles (see start-gateway.ts).
 */
export class Port<T> {
  private impl: T | undefined;
  private sealed = false;

  constructor(readonly name: string) {}

  /** @throws HoldfastError HF_STAGE_UNBOUND when bound twice, HF_STAGE_STARTED after start. */
  bind(impl: T): void {
    if (this.sealed) throw new HoldfastError("HF_STAGE_STARTED", `cannot bind the ${this.name} port after start`);
    if (this.impl !== undefined) throw new HoldfastError("HF_STAGE_UNBOUND", `the ${this.name} port is bound twice`);
    this.impl = impl;
  }

  /** The bound stage. @throws HoldfastError HF_STAGE_UNBOUND before {@link bind}. */
  get(): T {
    if (this.impl === undefined)
      throw new HoldfastError("HF_STAGE_UNBOUND", `the ${this.name} port is used before it is bound`);
    return this.impl;
  }

  /** Refuses later binds; @throws HoldfastError HF_STAGE_UNBOUND when it was never bound. */
  seal(): void {
    this.get();
    this.sealed = true;
  }
}
