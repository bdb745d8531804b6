import { afterAll } from "vitest";
import { killLeftovers } from "./live-processes.js";

// Vitest setup file: after each test file, kill the gateways its tests started and did not stop
// (a failed assertion before `stop()`), so none outlives the file.
afterAll(async () => {
  const n = await killLeftovers();
  if (n > 0) console.warn(`killed ${n} gateway process(es) a test left running`);
});
