export { startGateway } from "./start-gateway.js";
export { bootstrap, bootstrapLenient } from "./bootstrap.js";
export type { AppContext } from "./context.js";
export { VERSION } from "./version.js";
export {
  checkStartPreconditions,
  assertStartPreconditions,
  listenRefusal,
  type PreconditionResult,
  type PreconditionInput,
} from "./preconditions.js";
export { wireLifecycle } from "./wire-lifecycle.js";
