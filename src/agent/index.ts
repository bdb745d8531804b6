export { ModelChain } from "./model-chain.js";
export { ProviderCatalog } from "./providers/catalog.js";
export type { OllamaProbe } from "./model-selection.js";
export type { AgentLoop, AgentRunRequest } from "./loop.js";
export { RunManager, type RunEvent, type StartRunInput, type StartedRun } from "./runs.js";
export { recoverInterruptedRuns, INTERRUPTED_NOTICE } from "./recovery.js";
export { describeImage } from "./image.js";
export { createAgentStage, type AgentStage } from "./stage.js";
export {
  checkModelChain,
  probeModel,
  PROBE_PROMPT,
  type ModelChainCheck,
  type ModelProbeResult,
  type ChainEntry,
} from "./model-check.js";
export { noModelHelp } from "./model-selection.js";
export { BUILT_IN_PROVIDERS } from "./providers/catalog.js";
