export { ModelChain } from "./model-chain.js";
export { ProviderCatalog } from "./providers/catalog.js";
export type { OllamaProbe } from "./model-selection.js";
export type { AgentLoop, AgentRunRequest } from "./loop.js";
export { RunManager, type RunEvent, type StartRunInput, type StartedRun } from "./runs.js";
export { recoverInterruptedRuns, INTERRUPTED_NOTICE } from "./recovery.js";
export { describeImage } from "./image.js";
export { createAgentStage, type AgentStage } from "./stage.js";
export { agentMethods, modelRows, type AgentMethodDeps, type ModelRow } from "./methods.js";
