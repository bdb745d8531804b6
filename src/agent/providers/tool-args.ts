/**
 * Parses a model's tool-call argument JSON. Models sometimes send an empty string for "no arguments";
 * anything that is not a JSON object becomes `{ __invalid: "<text>" }` so the tool's schema check
 * reports it back to the model instead of crashing the run.
 */
export function parseToolArguments(text: string): Record<string, unknown> {
  if (text.trim() === "") return {};
  try {
    const v: unknown = JSON.parse(text);
    if (v !== null && typeof v === "object" && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {
    // fall through
  }
  return { __invalid: text.slice(0, 200) };
}
