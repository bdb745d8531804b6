import type { ModelChain } from "./model-chain.js";

/**
 * Asks the agent's model to describe an image: one model call (no tools) with the image attached to
 * a user message holding `prompt`. Returns the streamed text.
 * @throws HoldfastError from the model chain (HF_PROVIDER_*, HF_RUN_ABORTED).
 */
export async function describeImage(
  chain: ModelChain,
  refs: readonly string[],
  req: { prompt: string; image: { mimeType: string; dataBase64: string }; signal: AbortSignal },
): Promise<string> {
  let text = "";
  const system = "You describe images accurately and concisely. Answer the user's question about the image.";
  for await (const ev of chain.stream(refs, {
    system,
    messages: [{ role: "user", content: req.prompt, timestamp: Date.now() }],
    tools: [],
    images: [req.image],
    signal: req.signal,
  })) {
    if (ev.type === "text") text += ev.text;
  }
  return text.trim();
}
