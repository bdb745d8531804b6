import type { Denied } from "../infra/index.js";
import type { ToolResult } from "./types.js";

/**
 * The result of a call that a tool's own rules refused (session visibility, `web_fetch` URL rules): a
 * decision, not an exception, handed to the model as an error result. Worded `<tool> failed: <detail>`,
 * as such refusals always read in transcripts.
 */
export function refusedResult(tool: string, refusal: Denied): ToolResult {
  return { content: `${tool} failed: ${refusal.detail ?? refusal.reason}`, isError: true, refused: true };
}
