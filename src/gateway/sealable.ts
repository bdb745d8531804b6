import { HoldfastError } from "../errors/index.js";

/**
 * A registry stages fill while they are built and the gateway seals when it starts (like fastify's
 * "already started"): registering afterwards is a wiring bug and throws.
 */
export class Sealable {
  private sealed = false;

  /** Closes the registry; later registrations throw HF_STAGE_STARTED. */
  seal(): void {
    this.sealed = true;
  }

  /** @throws HoldfastError HF_STAGE_STARTED once sealed. */
  protected assertOpen(what: string): void {
    if (this.sealed)
      throw new HoldfastError("HF_STAGE_STARTED", `cannot register ${what}: the gateway has already started`);
  }
}
