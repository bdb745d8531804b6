export { ChatCommandRegistry, type ChatCommand, type CommandInvocation, type CommandScope } from "./registry.js";
export { builtinCommands } from "./builtin.js";
export { createCommandStage } from "./stage.js";
