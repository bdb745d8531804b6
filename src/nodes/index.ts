export type { NodeInfo } from "./registry.js";
export { createNodeStage, type NodeStage } from "./stage.js";
