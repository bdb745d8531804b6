export { ModelChain } from "./model-chain.js";
export { ProviderCatalog } from "./providers/catalog.js";
export type { OllamaProbe } from "./model-selection.js";
export { RunManager, type RunEvent, type StartRunInput } from "./runs.js";
export { describeImage } from "./image.js";
export { createAgentStage, type AgentStage } from "./stage.js";
export { agentMethods, modelRows, type AgentMethodDeps, type ModelRow } from "./methods.js";
