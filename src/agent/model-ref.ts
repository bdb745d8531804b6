import { HoldfastError } from "../errors/index.js";

/** A parsed `<provider>/<model>` reference; the model part may itself contain `/` (OpenRouter). */
export interface ModelRef {
  readonly provider: string;
  readonly model: string;
  readonly ref: string;
}

/**
 * Splits a model reference at its first `/`.
 * @throws HoldfastError HF_MODEL_REF_INVALID when either part is empty.
 */
export function parseModelRef(ref: string): ModelRef {
  const i = ref.indexOf("/");
  const provider = i > 0 ? ref.slice(0, i).trim().toLowerCase() : "";
  const model = i > 0 ? ref.slice(i + 1).trim() : "";
  if (!provider || !model) {
    throw new HoldfastError(
      "HF_MODEL_REF_INVALID",
      `model "${ref}" is not of the form <provider>/<model> (for example "anthropic/claude-opus-4-6")`,
    );
  }
  return { provider, model, ref: `${provider}/${model}` };
}
