export type { ExecRequest, ExecResult, ExecRunner } from "./types.js";
export { hostRunner, spawnCapture } from "./host-runner.js";
export { scrubbedEnv } from "./env.js";
