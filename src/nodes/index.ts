export { NodeRegistry, type NodeInfo, type NodeEntry } from "./registry.js";
export { NodeInvoker, type InvokeResult } from "./invoker.js";
export { nodeMethods, type NodeMethodDeps } from "./methods.js";
export { SYSTEM_RUN, NODE_EXEC_POLICY_CAP, APPROVAL_REQUIRED, runOnNode } from "./system-run.js";
export { createNodeStage, type NodeStage, type NodeStageDeps } from "./stage.js";
