export { startGateway } from "./start-gateway.js";
export { bootstrap, bootstrapLenient } from "./bootstrap.js";
export type { AppContext } from "./context.js";
export { VERSION } from "./version.js";
export { wireLifecycle } from "./wire-lifecycle.js";
