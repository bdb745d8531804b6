import os from "node:os";
import { expandTilde } from "../config/index.js";

/** Expands `~` in a configured path against the current user's home. */
export function expandHome(p: string): string {
  return expandTilde(p, os.homedir());
}
