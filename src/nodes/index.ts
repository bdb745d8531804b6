export { NodeRegistry, type NodeInfo } from "./registry.js";
export { NodeInvoker, type InvokeResult } from "./invoker.js";
export { nodeMethods, SYSTEM_RUN, type NodeMethodDeps } from "./methods.js";
export { createNodeStage, type NodeStage, type NodeStageDeps } from "./stage.js";
