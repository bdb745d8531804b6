export { startGateway, type GatewayStartOptions, type RunningGateway } from "./start-gateway.js";
export { bootstrap, bootstrapLenient, type BootstrapOptions } from "./bootstrap.js";
export type { AppContext } from "./context.js";
export { VERSION } from "./version.js";
