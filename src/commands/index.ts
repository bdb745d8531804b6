export {
  ChatCommandRegistry,
  parseCommand,
  type ChatCommand,
  type CommandInvocation,
  type CommandOutcome,
} from "./registry.js";
export { builtinCommands, type BuiltinCommandDeps } from "./builtin.js";
export { createCommandStage, type CommandStageDeps } from "./stage.js";
