export { runNodeHost, nodeDir, NODE_APPROVALS_KEY, type NodeHostOptions } from "./host.js";
export { NodeIdentityStore } from "./identity.js";
export { systemRun, type SystemRunParams, type SystemRunDeps, type SystemRunResult } from "./system-run.js";
