export { runNodeHost, nodeDir } from "./host.js";
export { NodeIdentityStore } from "./identity.js";
