import { HoldfastError } from "../errors/index.js";

/** Parses a `--port` value (0..65535). @throws HoldfastError HF_CLI_USAGE. */
export function parsePort(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new HoldfastError("HF_CLI_USAGE", `--port must be an integer 0..65535 (got "${v}")`);
  return n;
}

/** Parses a positive integer option. @throws HoldfastError HF_CLI_USAGE. */
export function parsePositiveInt(name: string, v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1)
    throw new HoldfastError("HF_CLI_USAGE", `${name} must be a positive integer (got "${v}")`);
  return n;
}
