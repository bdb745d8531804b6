import { createAccessStage, type AccessStage } from "../access/index.js";
import type { AppContext } from "./context.js";

/** Access control: DM and group policies per channel account, pairing stores in `<stateDir>/credentials`. */
export function wireAccess(ctx: AppContext): AccessStage {
  return createAccessStage({
    config: ctx.config,
    credentialsDir: ctx.paths.credentialsDir,
    clock: ctx.clock,
    log: ctx.log.child({ stage: "access" }),
  });
}
