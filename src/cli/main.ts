import { CommanderError } from "commander";
import { isHoldfastError } from "../errors/index.js";
import { guardStdio, processIo, type CliIo } from "./io.js";
import { buildProgram } from "./program.js";

/**
 * Runs the CLI with `argv` (as in `process.argv`) and returns the exit code: 0 on success, the
 * error's catalogue exit code for a HoldfastError (78 for config errors), 2 for usage errors.
 */
export async function main(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  let exitCode = 0;
  if (io === processIo) guardStdio();
  try {
    const program = await buildProgram(io, (code) => (exitCode = code), argv);
    await program.parseAsync([...argv]);
    return exitCode;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    if (isHoldfastError(err) && err.code !== "HF_INTERNAL") {
      io.err(err.message);
      return err.exitCode;
    }
    io.err(`unexpected error: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  }
}
