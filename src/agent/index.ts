export { AgentLoop, type AgentLoopDeps, type AgentRunRequest } from "./loop.js";
export type { AgentEvent } from "./events.js";
export { ModelChain, type ModelChainOptions, type ChainEvent } from "./model-chain.js";
export { ProviderCatalog, BUILT_IN_PROVIDERS, type ProviderSettings } from "./providers/catalog.js";
export { resolveModelRefs, probeOllama, noModelHelp, type OllamaProbe } from "./model-selection.js";
export { parseModelRef, type ModelRef } from "./model-ref.js";
export { buildSystemPrompt } from "./system-prompt.js";
export { ProviderError, toProviderError } from "./providers/errors.js";
export type { ModelProvider, ModelRequest, StreamEvent } from "./providers/types.js";
export {
  RunManager,
  type RunEvent,
  type StartRunInput,
  type RunStatus,
  type StartedRun,
  type RunJournal,
  type RunManagerOptions,
} from "./runs.js";
export { recoverInterruptedRuns, INTERRUPTED_NOTICE, type RecoveryOptions } from "./recovery.js";
export { describeImage } from "./image.js";
